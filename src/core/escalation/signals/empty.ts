/** The local model produced nothing but whitespace. */
import { fired, quiet, type FinishedAnswer, type SignalJudge } from '../signal';

export function judgeEmpty(answer: Pick<FinishedAnswer, 'text'>) {
  return answer.text.trim() === ''
    ? fired('empty', { code: 'sig_empty' })
    : quiet('empty', { code: 'sig_characters', characters: String(answer.text.trim().length) });
}

export const emptyJudge = (): SignalJudge => ({ name: 'empty', finish: judgeEmpty });

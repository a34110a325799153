/** The local model produced nothing but whitespace. */
import { fired, quiet, type FinishedAnswer, type SignalJudge } from '../signal';

export function judgeEmpty(answer: Pick<FinishedAnswer, 'text'>) {
  return answer.text.trim() === ''
    ? fired('empty', 'the local model returned an empty answer')
    : quiet('empty', `${answer.text.trim().length} characters of answer`);
}

export const emptyJudge = (): SignalJudge => ({ name: 'empty', finish: judgeEmpty });

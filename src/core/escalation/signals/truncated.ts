/** The local answer stopped because it hit max_tokens: it is incomplete by construction. */
import { fired, quiet, type FinishedAnswer, type SignalJudge } from '../signal';

export function judgeTruncated(answer: Pick<FinishedAnswer, 'reason'>) {
  return answer.reason === 'length'
    ? fired('truncated', { code: 'sig_truncated' })
    : quiet('truncated', { code: 'sig_finished', reason: answer.reason });
}

export const truncatedJudge = (): SignalJudge => ({ name: 'truncated', finish: judgeTruncated });

/**
 * What every escalation signal looks like inside this module. Each signal is a small pure
 * judge: it sees the finished local answer (and, if it wants, each streamed delta) and returns
 * a SignalResult that explains itself whether or not it fired.
 */
import { type SignalReason, renderReason } from '../reasons';
import type { FinishReason, SignalResult, Task, TokenLogprob } from '../types';

export type SignalName = 'logprobs' | 'marker' | 'code_parse' | 'math_final' | 'truncated' | 'empty' | 'refusal' | 'user';

/** The local answer as it stands when the attempt ends. */
export interface FinishedAnswer {
  text: string;
  reason: FinishReason;
  /** Every token log-probability the provider sent, in order; empty when it sent none. */
  logprobs: TokenLogprob[];
  task: Task;
  /** The editor's language id, used for code fences without a language. */
  languageId?: string;
}

/** One signal, fresh for each attempt (judges may keep per-attempt state, e.g. the marker scanner). */
export interface SignalJudge {
  readonly name: SignalName;
  /** Looks at a streamed delta; returns a fired result to stop the local stream at once. */
  onDelta?(text: string, logprobs?: TokenLogprob[]): SignalResult | undefined;
  /** The verdict on the finished answer (fired or not, always explained). */
  finish(answer: FinishedAnswer): SignalResult;
}

/** A verdict; its English `explanation` (logs, calibration) is rendered from the reason the surfaces word themselves. */
export function fired(signal: SignalName, reason: SignalReason): SignalResult {
  return { signal, fired: true, explanation: renderReason(reason), reason };
}

export function quiet(signal: SignalName, reason: SignalReason): SignalResult {
  return { signal, fired: false, explanation: renderReason(reason), reason };
}

/** "18%" — whole percents, which is all the precision a user needs to read an explanation. */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

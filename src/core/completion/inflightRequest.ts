/**
 * One completion request on the wire, shared by every cursor position that is consistent with
 * it: the position it was made at, plus any position reached by typing exactly what it is
 * predicting. It is aborted (at the socket: the AbortSignal goes down to the provider's fetch)
 * as soon as the editor moves somewhere it does not predict.
 */
import type { TimerHandle } from '../timers';
import type { CursorSnapshot } from './completionCache';
import { CACHE_WINDOW_CHARS } from './completionCache';
import type { CompletionShaper, ShapedCompletion } from './completionShaper';
import type { NoSuggestionReason } from './reasons';

export type StopCause = 'early-stop' | 'superseded' | 'orphaned' | 'timeout';

export type InflightResult =
  | { ok: true; shaped: ShapedCompletion; model?: string }
  | { ok: false; reason: NoSuggestionReason; detail: string };

export class InflightRequest {
  readonly controller = new AbortController();
  stopCause: StopCause | undefined;
  model: string | undefined;
  finished = false;
  waiters = 0;
  orphanTimer: TimerHandle | undefined;
  /** Resolves with the answer as soon as it is complete, or when the stream ended, however it ended. */
  result!: Promise<InflightResult>;
  /** The shaped answer, once computed (computed once, cached once). */
  answer: InflightResult | undefined;

  constructor(
    readonly id: number,
    readonly origin: CursorSnapshot,
    readonly shaper: CompletionShaper,
  ) {}

  stop(cause: StopCause): void {
    if (this.finished || this.controller.signal.aborted) return;
    this.stopCause = cause;
    this.controller.abort(new Error(`completion ${cause}`));
  }

  /**
   * Whether `at` is this request's position or one reached by typing what it predicts so far.
   * Returns the number of characters typed into the prediction, or undefined when inconsistent.
   */
  typedInto(at: CursorSnapshot): number | undefined {
    return typedIntoPrediction(this.origin, at, this.shaper.received, this.finished || this.shaper.done);
  }
}

export function typedIntoPrediction(origin: CursorSnapshot, at: CursorSnapshot, predicted: string, complete: boolean): number | undefined {
  if (at.docKey !== origin.docKey) return undefined;
  const k = at.offset - origin.offset;
  if (k < 0 || k > at.before.length) return undefined;
  const typed = at.before.slice(at.before.length - k);
  if (!at.before.slice(0, at.before.length - k).endsWith(origin.before.slice(-CACHE_WINDOW_CHARS))) return undefined;
  const head = origin.after.slice(0, CACHE_WINDOW_CHARS);
  if (at.after.slice(0, head.length) !== head) return undefined;
  if (predicted.length >= k) return predicted.startsWith(typed) ? k : undefined;
  // The user is ahead of the stream: still consistent while what arrived is a prefix of what was typed.
  return !complete && typed.startsWith(predicted) ? k : undefined;
}

/**
 * Step 6, settle: what an attempt came to, once its answer stream has ended: the finish reason
 * and timing, the budget's settle (whose cost is reported before `finish`), the provider
 * guard's settle, and the outcome the loop acts on. AttemptHold makes sure the reservation and
 * the lease are each settled exactly once, also on cancel, failure and a caller walking away.
 */
import type { CostBreakdown, FinishReason, ModelRef, Provider, Reservation, SignalResult, Timing, Usage } from '../../types';
import { formatModelRef } from '../../types';
import { FAILOVER_KINDS, cancelledError, toNormalizedError } from '../errors';
import type { GuardLease, GuardOutcome } from '../guard';
import type { TokenPhase } from '../tokenPhase';
import type { AttemptOutcome, RouteContext } from './context';

type SpendOutcome = Parameters<Reservation['settle']>[0];

/** The reservation and the lease one attempt holds, each settled once. */
export class AttemptHold {
  private spendSettled = false;
  private leaseSettled = false;

  constructor(
    private readonly ctx: RouteContext,
    private readonly ref: ModelRef,
    readonly reservation: Reservation | undefined,
    readonly lease: GuardLease | undefined,
  ) {}

  /** Whether the budget still waits for this attempt's outcome (true even without a reservation: the socket is still to be stopped). */
  get spendOpen(): boolean {
    return !this.spendSettled;
  }

  get leaseOpen(): boolean {
    return this.lease !== undefined && !this.leaseSettled;
  }

  /** Settles the reservation once; resolves to the cost to report (undefined without a reservation, or when settle failed). */
  async settleSpend(outcome: SpendOutcome): Promise<CostBreakdown | undefined> {
    if (this.spendSettled) return undefined;
    this.spendSettled = true;
    if (!this.reservation) return undefined;
    try {
      return await this.reservation.settle(outcome);
    } catch (err) {
      this.ctx.log.error('route.settle_failed', { requestId: this.ctx.requestId, ref: formatModelRef(this.ref), message: toNormalizedError(err).message });
      return undefined;
    }
  }

  /** For an attempt without a reservation: nothing to settle, and no await on the answer's tail (it would cost promise hops). */
  closeSpend(): void {
    this.spendSettled = true;
  }

  /** Settles the lease once; true when the guard asks for the same candidate again. */
  async settleLease(outcome: GuardOutcome): Promise<boolean> {
    if (!this.lease || this.leaseSettled) return false;
    this.leaseSettled = true;
    try {
      const verdict = await this.ctx.deps.providerGuard!.settle(this.lease, outcome);
      return verdict?.retry === true;
    } catch (err) {
      this.ctx.log.error('route.guard_failed', { requestId: this.ctx.requestId, ref: formatModelRef(this.ref), step: 'settle', message: toNormalizedError(err).message });
      return false;
    }
  }
}

/** How the answer stream ended, as the budget, the guard and the finish event see it. */
export interface AttemptEnd {
  finish: FinishReason;
  timing: Timing;
  /** The request was cancelled (then `error` is dropped: a cancel is not a failure). */
  cancelled: boolean;
  error: ReturnType<typeof toNormalizedError> | undefined;
  usage: Usage | undefined;
  /** Everything the model produced (thinking + answer), or undefined when nothing. */
  outputText: string | undefined;
}

export function attemptEnd(ctx: RouteContext, provider: Provider, phase: TokenPhase, startedAt: number, t0: number): AttemptEnd {
  const { text, thinking, usage, providerFinish, firstAt, stoppedByWatcher } = phase;
  const end = ctx.now();
  const timing: Timing = { startedAt, totalMs: end - t0 };
  if (firstAt !== undefined) {
    timing.ttftMs = firstAt - t0;
    // A non-streaming provider (the simple NPU shape) delivers everything at once: its
    // generation time is the whole request, not the instant after the only delta.
    const generationSeconds = (end - (provider.capabilities.streaming ? firstAt : t0)) / 1000;
    if (usage && usage.outputTokens > 0 && generationSeconds > 0) timing.tokensPerSecond = usage.outputTokens / generationSeconds;
  }
  const cancelled = ctx.req.signal.aborted;
  const error = cancelled ? undefined : phase.error;
  let finish: FinishReason;
  if (cancelled || stoppedByWatcher.length > 0) finish = 'cancelled';
  else if (error) finish = 'error';
  else finish = providerFinish ?? 'stop';
  return { finish, timing, cancelled, error, usage, outputText: thinking + text || undefined };
}

/** The guard's settle, then the outcome the loop acts on. */
export async function settleAttempt(
  hold: AttemptHold,
  ref: ModelRef,
  end: AttemptEnd,
  phase: TokenPhase,
  fired: SignalResult[],
): Promise<AttemptOutcome> {
  const outcome = outcomeOf(ref, end, phase, fired);
  if (!hold.leaseOpen) return outcome;
  const headers = phase.rateLimit ?? end.error?.rateLimit;
  const retry = await hold.settleLease({ finish: end.finish, error: end.error, started: phase.firstAt !== undefined, usage: end.usage, timing: end.timing, ...(headers ? { headers } : {}) });
  // A retry is honoured only where a failover would be: before the first token, on a kind another try can fix.
  return retry && outcome.kind === 'next' ? { kind: 'retry', error: outcome.error } : outcome;
}

function outcomeOf(ref: ModelRef, end: AttemptEnd, phase: TokenPhase, fired: SignalResult[]): AttemptOutcome {
  if (end.cancelled) return { kind: 'cancelled' };
  const { error } = end;
  if (error) {
    if (error.kind === 'cancelled') return { kind: 'fatal', error: cancelledError(ref) };
    return phase.firstAt === undefined && FAILOVER_KINDS.has(error.kind) ? { kind: 'next', error } : { kind: 'fatal', error };
  }
  return { kind: 'answered', fired, verdict: phase.verdict };
}

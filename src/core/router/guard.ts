/**
 * The router's one seam for provider reliability (issue 18: quotas, circuit breakers, retries,
 * concurrency), shaped like SpendGuard. The router asks it around every attempt:
 *
 *   gate   before anything is reserved or sent: may this candidate be tried now? A skip moves on
 *          to the next candidate and is reported as a `failover` event carrying the reason.
 *   admit  once the budget reservation holds, right before the request is sent: take the slot
 *          (count the request, hold a concurrency place) and hand back a lease.
 *   settle exactly once per lease, when the attempt ends in any way (answer, error, cancel, the
 *          caller walking away): free the slot, feed the breaker and the windows. It may ask for
 *          the same candidate to be tried again (a retry), which the router honours only when the
 *          attempt failed over before its first token.
 *
 * The router owns the order and the events; the guard owns the state and the clock (and any
 * wait: a backoff before a retry, or the earliest quota slot, is waited for inside `gate` or
 * `settle`, cancellably on `signal`). Without a guard the router skips these calls entirely,
 * so routing costs nothing extra (bench/router-overhead.ts).
 */
import type { Candidate, ErrorKind, FinishReason, NormalizedError, Timing, Usage } from '../types';

/** What the guard is told about the attempt it is asked about. */
export interface GuardRequest {
  candidate: Candidate;
  /** Prompt tokens as this candidate will see them (the cost module's count), for token windows. */
  inputTokensEstimate: number;
  /** The output-token cap the attempt would run with (before a budget may lower it). */
  maxTokens: number;
  /** Shared by every attempt of one RouteRequest. */
  requestId: string;
  /** 1-based, counted across the whole request (failovers, escalations, retries). */
  attempt: number;
  /** Candidates still queued after this one: 0 means a skip here ends the request. */
  remaining: number;
  /** The request's signal: a guard that waits (for a quota slot, a backoff) stops on it. */
  signal: AbortSignal;
}

export type GateVerdict =
  | { ok: true }
  /**
   * Skip this candidate. `reason` is said to the user as is (for example "groq: 30/30 requests
   * this minute, next slot in 12 s"); `kind` defaults to 'overloaded'.
   */
  | { ok: false; reason: string; kind?: ErrorKind; retryAfterMs?: number };

/** The guard's handle on one admitted attempt; opaque to the router. */
export interface GuardLease {
  readonly candidate: Candidate;
}

/** How an admitted attempt ended, as the router saw it. */
export interface GuardOutcome {
  finish: FinishReason;
  /** The failure, when it failed (absent on a cancel). */
  error?: NormalizedError;
  /** Whether a first token arrived: a failure after it cannot be retried or failed over. */
  started: boolean;
  usage?: Usage;
  /** Absent only when the caller walked away mid-stream. */
  timing?: Timing;
  /** The answer's x-ratelimit-* / retry-after headers (a success's finish, or the error's), to learn the quota from. */
  headers?: Readonly<Record<string, string>>;
}

/** Returned by settle to have the same candidate tried again (the guard has already waited its backoff). */
export interface SettleVerdict {
  retry: true;
}

/**
 * A throw from any of the three is logged and then ignored (the candidate goes ahead, without a
 * lease when admit threw): the guard protects providers, and a bug in it must not stop routing.
 */
export interface ProviderGuard {
  gate(req: GuardRequest): GateVerdict | Promise<GateVerdict>;
  /** Never refuses (that is gate's job); `maxTokens` is the budget's, possibly lowered. */
  admit(req: GuardRequest): GuardLease | Promise<GuardLease>;
  /** Called exactly once per lease. */
  settle(lease: GuardLease, outcome: GuardOutcome): void | SettleVerdict | Promise<void | SettleVerdict>;
}

/** The default: every candidate passes, nothing is counted. */
export const noopProviderGuard: ProviderGuard = {
  gate: () => ({ ok: true }),
  admit: (req) => ({ candidate: req.candidate }),
  settle: () => undefined,
};

/** A skip as the error the failover event carries. */
export function skipError(candidate: Candidate, verdict: Extract<GateVerdict, { ok: false }>): NormalizedError {
  return {
    kind: verdict.kind ?? 'overloaded',
    message: verdict.reason,
    provider: candidate.ref.provider,
    model: candidate.ref.model,
    retryable: true,
    ...(verdict.retryAfterMs !== undefined ? { retryAfterMs: verdict.retryAfterMs } : {}),
  };
}

/**
 * The retry policy, as a pure decision: the router owns every retry (SDK retries stay off, see
 * the wire reference §8) and asks this after each failed attempt what to do with the SAME
 * provider. Whether to fail over to the next candidate is the router's call; `never` and
 * `move_on` both mean "not this provider again for this request".
 *
 * Why not cockatiel's retry policy: it wraps an execution (`policy.execute(fn)`) and sleeps on
 * its own timers with Math.random jitter, while the router's attempts are streaming generators
 * with a first-token rule, and tests need the decision with an injected random and no sleep.
 */
import type { NormalizedError } from '../types';
import { DEFAULT_RETRY } from './defaults';
import type { RetrySettings } from './settings';

export type ProviderMark = 'needs_key' | 'out_of_credit' | 'daily_quota';

export type RetryDecision =
  | { action: 'retry'; afterMs: number; why: string }
  /** This provider cannot serve this request soon enough: try the next candidate now. */
  | { action: 'move_on'; why: string }
  /** Trying again cannot help; `mark` says what the provider's status becomes. */
  | { action: 'never'; why: string; mark?: ProviderMark };

export interface RetryContext {
  /** [0, 1): Math.random in production, a fixed sequence in tests. */
  random?: () => number;
  settings?: Partial<RetrySettings>;
  /** Text already reached the user: a retry would splice two answers, so never (issue 18 §2). */
  firstTokenShown?: boolean;
}

/** Vendor codes that mean the account has no money left (wire reference §4, §7, §8). */
const BALANCE_CODES = new Set(['1113', 'arrearage', 'insufficient_quota']);

/** Kinds the same provider can serve after a wait (connect error, timeout, 429, 5xx, 503). */
const RETRIED = new Set(['network', 'timeout', 'rate_limit', 'server', 'overloaded']);

export function isBalanceError(error: NormalizedError): boolean {
  return error.providerCode !== undefined && BALANCE_CODES.has(error.providerCode.toLowerCase());
}

/**
 * After `attempt` attempts on this provider (1 = the first one failed), what to do next.
 * Backoff is full jitter: random() × min(cap, base × 2^(attempt-1)), so retries of many clients
 * spread over the whole interval rather than arriving together.
 */
export function retryDecision(error: NormalizedError, attempt: number, ctx: RetryContext = {}): RetryDecision {
  const s = { ...DEFAULT_RETRY, ...ctx.settings };
  const random = ctx.random ?? Math.random;
  if (error.kind === 'auth') return { action: 'never', why: `${error.provider ?? 'the provider'} rejected the key`, mark: 'needs_key' };
  if (isBalanceError(error)) return { action: 'never', why: `${error.provider ?? 'the provider'} is out of credit (${error.providerCode})`, mark: 'out_of_credit' };
  if (error.kind === 'quota') return { action: 'never', why: `${error.provider ?? 'the provider'}'s daily quota is used up${error.providerCode ? ` (${error.providerCode})` : ''}`, mark: 'daily_quota' };
  if (error.kind === 'cancelled') return { action: 'never', why: 'cancelled' };
  if (!RETRIED.has(error.kind)) return { action: 'never', why: `${error.kind} is not retried` };
  if (ctx.firstTokenShown) return { action: 'move_on', why: 'text was already shown; a retry would splice two answers' };
  if (attempt >= s.maxAttempts) return { action: 'move_on', why: `${attempt} of ${s.maxAttempts} attempts used` };
  if (error.retryAfterMs !== undefined) {
    if (error.retryAfterMs > s.maxDelayMs) return { action: 'move_on', why: `asked to wait ${seconds(error.retryAfterMs)}, over the ${seconds(s.maxDelayMs)} cap` };
    return { action: 'retry', afterMs: error.retryAfterMs, why: `retry-after ${seconds(error.retryAfterMs)}` };
  }
  const ceiling = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** (attempt - 1));
  return { action: 'retry', afterMs: Math.floor(random() * ceiling), why: `backoff up to ${seconds(ceiling)} after ${error.kind}` };
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

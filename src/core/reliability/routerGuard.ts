/**
 * The provider guard as the router's seam (src/core/router/guard.ts): createProviderGuard() is what
 * createSwitchyard takes as `providerGuard`. Its gate, admit and settle run over the machine-wide
 * reliability guard's (guard.ts), plus the two waits the seam leaves to the guard:
 * - the last candidate over a quota waits for its slot when that is within
 *   `switchyard.reliability.waitForSlotMs` (default 10 s), cancellably on the request's signal;
 * - a failure before the first token is retried on the same candidate per retryDecision (up to
 *   3 attempts, full-jitter backoff, retry-after/RetryInfo honoured within the cap), the backoff
 *   waited here before settle answers { retry: true }.
 */
import type { GateVerdict, GuardLease as SeamLease, GuardOutcome as SeamOutcome, GuardRequest, ProviderGuard as RouterSeam, SettleVerdict } from '../router/guard';
import { realTimers, type Timers } from '../timers';
import { silentLogger, type Candidate, type ErrorKind, type Logger } from '../types';
import { createReliabilityGuard, type ReliabilityGuard, type ReliabilityGuardOptions, type ReliabilityLease, type ReliabilityOutcome } from './guard';
import { describeSkip, type SkipReason } from './reasons';
import { retryDecision } from './retry';

export interface RouterGuardOptions {
  timers?: Timers;
  /** [0, 1) for the backoff's jitter. */
  random?: () => number;
  logger?: Logger;
}

interface Lease extends SeamLease {
  readonly inner?: ReliabilityLease;
  readonly requestId: string;
  readonly signal: AbortSignal;
}

/** Failed attempts kept per request and candidate; older entries are dropped past this (requests the caller walked away from). */
const MAX_TRACKED = 1_000;

const KIND_OF: Record<SkipReason['code'], ErrorKind> = {
  quota_exhausted: 'rate_limit',
  concurrency: 'rate_limit',
  rate_limited: 'rate_limit',
  breaker_open: 'overloaded',
  probe_in_flight: 'overloaded',
  needs_key: 'auth',
  out_of_credit: 'quota',
};

export function skipVerdict(reason: SkipReason): Extract<GateVerdict, { ok: false }> {
  const next = 'nextSlotMs' in reason ? reason.nextSlotMs : undefined;
  return { ok: false, reason: describeSkip(reason), kind: KIND_OF[reason.code], ...(next !== undefined ? { retryAfterMs: next } : {}) };
}

function tokensOf(req: GuardRequest): number {
  return req.inputTokensEstimate + req.maxTokens;
}

/** The router's ProviderGuard, with the reliability guard behind it for status, switches and resets. */
export type SwitchyardProviderGuard = RouterSeam & { readonly reliability: ReliabilityGuard; close(): void };

/** What createSwitchyard's `providerGuard` takes: `createProviderGuard({ logger, vendorOf, settings })`. */
export function createProviderGuard(opts: ReliabilityGuardOptions & { random?: () => number } = {}): SwitchyardProviderGuard {
  const reliability = createReliabilityGuard(opts);
  const seam = routerGuardFor(reliability, { ...(opts.timers ? { timers: opts.timers } : {}), ...(opts.random ? { random: opts.random } : {}), ...(opts.logger ? { logger: opts.logger } : {}) });
  return { gate: seam.gate, admit: seam.admit, settle: seam.settle, reliability, close: () => reliability.close() };
}

export function routerGuardFor(guard: ReliabilityGuard, opts: RouterGuardOptions = {}): RouterSeam {
  const timers = opts.timers ?? realTimers;
  const random = opts.random ?? Math.random;
  const logger = opts.logger ?? silentLogger;
  const failures = new Map<string, number>();
  const key = (requestId: string, c: Candidate) => `${requestId} ${c.ref.provider}/${c.ref.model}`;

  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<boolean>((resolve) => {
      if (signal.aborted) return resolve(false);
      const onAbort = () => {
        timers.clearTimeout(handle);
        resolve(false);
      };
      const handle = timers.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });

  return {
    gate(req: GuardRequest): GateVerdict | Promise<GateVerdict> {
      const g = guard.gate(req.candidate, tokensOf(req));
      if (g.ok) return { ok: true };
      if (req.remaining > 0) return skipVerdict(g.reason);
      // The last candidate: wait for its slot if that comes soon enough, else say when it comes.
      return guard.waitForSlot([req.candidate], tokensOf(req), { signal: req.signal }).then((w): GateVerdict => {
        if (w.ok) return { ok: true };
        const v = skipVerdict(w.slot?.reason ?? g.reason);
        return w.why === 'too_long' ? { ...v, reason: `${v.reason} (longer than the ${Math.round(guard.settings.waitForSlotMs / 1000)} s wait allowed)` } : v;
      });
    },

    admit(req: GuardRequest): Lease {
      const a = guard.admit(req.candidate, tokensOf(req));
      // The seam's admit never refuses: a slot another process took since gate is logged, and
      // the attempt goes ahead unguarded (the provider's own 429 is then learned from).
      if (!a.ok) logger.warn('guard.admitRace', { ref: `${req.candidate.ref.provider}/${req.candidate.ref.model}`, reason: describeSkip(a.reason) });
      return { candidate: req.candidate, requestId: req.requestId, signal: req.signal, ...(a.ok ? { inner: a.lease } : {}) };
    },

    async settle(seamLease: SeamLease, outcome: SeamOutcome): Promise<void | SettleVerdict> {
      const lease = seamLease as Lease;
      if (!lease.inner) return undefined;
      guard.settle(lease.inner, toOutcome(outcome));
      const k = key(lease.requestId, lease.candidate);
      const error = outcome.error;
      if (!error || outcome.finish === 'cancelled') {
        failures.delete(k);
        return undefined;
      }
      const attempts = (failures.get(k) ?? 0) + 1;
      const d = retryDecision(error, attempts, { random, settings: guard.settings.retry, firstTokenShown: outcome.started });
      logger.info('guard.retryDecision', { ref: `${lease.candidate.ref.provider}/${lease.candidate.ref.model}`, attempt: attempts, kind: error.kind, action: d.action, why: d.why });
      if (d.action !== 'retry') {
        failures.delete(k);
        return undefined;
      }
      failures.set(k, attempts);
      if (failures.size > MAX_TRACKED) failures.delete(failures.keys().next().value!);
      return (await sleep(d.afterMs, lease.signal)) ? { retry: true } : undefined;
    },
  };
}

function toOutcome(o: SeamOutcome): ReliabilityOutcome {
  const tokens = o.usage ? o.usage.inputTokens + o.usage.outputTokens : undefined;
  const timing = {
    ...(tokens !== undefined ? { tokens } : {}),
    ...(o.timing?.ttftMs !== undefined ? { ttftMs: o.timing.ttftMs } : {}),
    ...(o.timing ? { totalMs: o.timing.totalMs } : {}),
    ...(o.headers ? { headers: o.headers } : {}),
  };
  if (o.error) return { ok: false, error: o.error, connectFailure: o.error.kind === 'network' && !o.started, ...timing };
  if (o.finish === 'cancelled' || o.finish === 'error') return { ok: false, error: { kind: 'cancelled', message: 'Cancelled.', retryable: false }, ...timing };
  return { ok: true, ...timing };
}

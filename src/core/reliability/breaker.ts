/**
 * The circuit breaker of one provider/model, as plain data and functions that state.ts applies in
 * log order (so every process computes the same breaker). Closed → open at an error rate over
 * `errorRate` in a rolling `windowMs` with at least `minRequests`, or after
 * `consecutiveConnectFailures` failures to connect; open for a cooldown of
 * `cooldownMs × 2^level` (capped at `maxCooldownMs`, level = failed probes since it last closed);
 * then one half-open probe: success closes it, failure reopens it for twice as long.
 */
import type { SkipReason } from './reasons';
import { Rolling } from './rolling';
import type { BreakerSettings } from './settings';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface Breaker {
  state: BreakerState;
  outcomes: Rolling<{ at: number; ok: boolean }>;
  /** Failures among `outcomes`. */
  errors: number;
  consecutiveConnect: number;
  openUntil: number;
  level: number;
  probeId?: string;
  probeUntil?: number;
  why?: string;
}

/** Kinds that count against a provider's health (its fault, not the caller's, not a quota). */
const FAILURES = new Set(['network', 'timeout', 'server', 'overloaded', 'bad_response', 'unknown']);

export function newBreaker(): Breaker {
  return { state: 'closed', outcomes: new Rolling(), errors: 0, consecutiveConnect: 0, openUntil: 0, level: 0 };
}

/** May a request go through this breaker at `at`; `probe` when it would be the half-open probe. */
export function breakerVerdict(br: Breaker | undefined, p: string, m: string, at: number): { ok: true; probe: boolean } | { ok: false; reason: SkipReason } {
  if (!br || br.state === 'closed') return { ok: true, probe: false };
  if (br.state === 'open' && at < br.openUntil) return { ok: false, reason: { code: 'breaker_open', provider: p, model: m, nextSlotMs: br.openUntil - at, why: br.why ?? 'failing' } };
  // Cooled down: one probe at a time (a crashed prober's lease runs out and lets the next one).
  if (br.probeId && br.probeUntil !== undefined && at < br.probeUntil) return { ok: false, reason: { code: 'probe_in_flight', provider: p, model: m, nextSlotMs: br.probeUntil - at } };
  return { ok: true, probe: true };
}

export function startProbe(br: Breaker, id: string, until: number): void {
  br.state = 'half_open';
  br.probeId = id;
  br.probeUntil = until;
}

export interface BreakerOutcome {
  id: string;
  ok: boolean;
  kind?: string;
  connect?: boolean;
}

/** Feeds one settled attempt. Outcomes that say nothing about health (cancel, 400, 429, auth) only free a probe. */
export function recordOutcome(br: Breaker, b: BreakerSettings, o: BreakerOutcome, at: number): void {
  const kind = o.kind ?? 'unknown';
  const isProbe = br.probeId === o.id;
  if (!o.ok && !FAILURES.has(kind)) {
    if (isProbe) {
      // A probe that ended without a verdict: let the next request probe.
      br.state = 'open';
      br.probeId = undefined;
      br.probeUntil = undefined;
    }
    return;
  }
  const failed = !o.ok;
  if (isProbe) {
    br.probeId = undefined;
    br.probeUntil = undefined;
    if (failed) open(br, b, at, `the probe failed: ${kind}`, br.level + 1);
    else close(br);
    return;
  }
  br.outcomes.push({ at, ok: !failed });
  if (failed) br.errors++;
  br.outcomes.expire(at - b.windowMs, (x) => {
    if (!x.ok) br.errors--;
  });
  if (!failed) br.consecutiveConnect = 0;
  else if (o.connect) br.consecutiveConnect++;
  if (br.state !== 'closed') return; // late answers of requests admitted before it opened
  const rate = br.errors / br.outcomes.length;
  if (br.consecutiveConnect >= b.consecutiveConnectFailures) open(br, b, at, `${br.consecutiveConnect} connect failures in a row`, br.level);
  else if (br.outcomes.length >= b.minRequests && rate > b.errorRate) open(br, b, at, `${Math.round(rate * 100)} % errors over ${br.outcomes.length} requests in ${Math.round(b.windowMs / 1000)} s`, br.level);
}

function open(br: Breaker, b: BreakerSettings, at: number, why: string, level: number): void {
  br.state = 'open';
  br.level = level;
  br.openUntil = at + Math.min(b.maxCooldownMs, b.cooldownMs * 2 ** level);
  br.why = why;
  br.outcomes.clear();
  br.errors = 0;
  br.consecutiveConnect = 0;
}

function close(br: Breaker): void {
  br.state = 'closed';
  br.level = 0;
  br.outcomes.clear();
  br.errors = 0;
  br.consecutiveConnect = 0;
}

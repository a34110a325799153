/**
 * The machine-wide reliability guard: `gate` (may this candidate be tried now? a preview,
 * writes nothing) → `admit` (take the slot: a lease) → `settle` (what happened; learns quotas,
 * waits, health and marks from it). routerGuard.ts fits it to the router's ProviderGuard seam
 * (router/guard.ts) and adds the waits; this file is the state and the decisions.
 *
 * Everything is synchronous: a gate is one fstat(2) when nothing changed, an admit one write(2)
 * and one read, a settle one or two writes (bench/guard.ts). The shared state is the day's guard
 * log in the state directory (log.ts), so every window, the CLI and the gateway see one set of
 * quotas, breakers and marks.
 *
 * Why not rate-limiter-flexible: its stores are memory, cluster IPC (one Node cluster's master),
 * PM2, Redis, Memcached, Mongo, SQL databases, SQLite (through a native driver), etcd, Dynamo: no
 * file store, and the processes here are unrelated (VS Code windows, a CLI), with no server to
 * share and no native module allowed. Its memory limiter uses fixed windows, while a provider's
 * minute quota is rolling. Why not cockatiel's breaker: its state lives in one process (it can be
 * serialised, but two processes would each open and probe on their own). So the windows, leases
 * and the breaker are replayed from the shared log instead (state.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { stateDir } from '../stateDir';
import { realTimers, type TimerHandle, type Timers } from '../timers';
import { silentLogger, type Candidate, type Logger, type ModelRef, type NormalizedError } from '../types';
import type { HeaderBag } from '../providers/retryAfter';
import { LEASE_MS, LEASE_RENEW_MS } from './defaults';
import { learnFromHeaders } from './learn';
import { resolveLimits } from './limits';
import { GuardLog } from './log';
import { describeSkip, type SkipReason } from './reasons';
import type { ClaimRecord, GuardRecord } from './records';
import { isBalanceError } from './retry';
import { defaultReliabilitySettings, type ReliabilitySettings } from './settings';
import { GuardState, nextMidnight } from './state';
import { buildStatus, type StatusSnapshot } from './status';

export type GuardCandidate = Pick<Candidate, 'ref' | 'locality'>;

export type GateResult = { ok: true; probe: boolean } | { ok: false; reason: SkipReason };

export interface ReliabilityLease {
  readonly id: string;
  readonly ref: ModelRef;
  readonly estimatedTokens: number;
  readonly startedAt: number;
  /** This attempt is the breaker's half-open probe: its outcome closes or reopens the breaker. */
  readonly probe: boolean;
  /** The shared state could not be written (disk full, permissions): the attempt runs unguarded. */
  readonly unguarded?: boolean;
}

export type Admission = { ok: true; lease: ReliabilityLease } | { ok: false; reason: SkipReason };

export type ReliabilityOutcome =
  | { ok: true; tokens?: number; ttftMs?: number; totalMs?: number; headers?: HeaderBag }
  | {
      ok: false;
      error: NormalizedError;
      headers?: HeaderBag;
      /** Never got a connection (defaults to: kind "network" with no first token). */
      connectFailure?: boolean;
      tokens?: number;
      ttftMs?: number;
      totalMs?: number;
    };

export interface SlotEstimate {
  ref: ModelRef;
  /**
   * ms from now: 0 when it passes its gate now, or (with `whenInFlightEnds`) when it waits for a
   * request in flight, which may end at any moment.
   */
  inMs: number;
  /** Held back by a concurrency limit only: free as soon as a request in flight ends. */
  whenInFlightEnds?: true;
  /** What holds it back; absent when it passes now. */
  reason?: SkipReason;
}

export type WaitResult =
  | { ok: true; candidate: GuardCandidate }
  /** "none": nothing will free by itself (needs key, a request larger than the quota). */
  | { ok: false; why: 'too_long' | 'cancelled' | 'none'; slot?: SlotEstimate };

export interface ReliabilityGuard {
  gate(candidate: GuardCandidate, estimatedTokens: number): GateResult;
  admit(candidate: GuardCandidate, estimatedTokens: number): Admission;
  settle(lease: ReliabilityLease, outcome: ReliabilityOutcome): void;
  /** The soonest any of these candidates frees up; undefined when none will by itself. */
  earliestSlot(candidates: readonly GuardCandidate[], estimatedTokens: number): SlotEstimate | undefined;
  /** Waits (cancellable) for the first candidate to pass its gate, up to `limitMs` (settings.waitForSlotMs). */
  waitForSlot(candidates: readonly GuardCandidate[], estimatedTokens: number, opts?: { signal?: AbortSignal; limitMs?: number }): Promise<WaitResult>;
  statusSnapshot(configured?: readonly GuardCandidate[]): StatusSnapshot;
  /** The router moved from one model to another (counted in "switches today"). */
  noteSwitch(from: ModelRef, to: ModelRef, why: string): void;
  /** A local model is loading (Ollama's first use): shown as "loading", not counted as a failure. */
  setLoading(ref: ModelRef, loading: boolean): void;
  /** Clears "needs key" and "out of credit" (a manual reset, or a new key was set). */
  resetProvider(provider: string): void;
  updateSettings(settings: ReliabilitySettings): void;
  readonly settings: ReliabilitySettings;
  close(): void;
}

export interface ReliabilityGuardOptions {
  /** Default: <state dir>/reliability. */
  dir?: string;
  settings?: ReliabilitySettings;
  now?: () => number;
  timers?: Timers;
  logger?: Logger;
  /** The vendor of a provider id, to find its free-tier defaults ("my-groq" → "groq"). */
  vendorOf?: (provider: string) => string | undefined;
  /** Fingerprint (keyFingerprint) of the key this process would send: a "needs key" mark holds until it changes. */
  keyFingerprint?: (provider: string) => string | undefined;
  /** The manual primary (router/primary.ts), shown by the status. */
  primary?: () => string | undefined;
}

/** How often waitForSlot looks again: another process's settle can free a slot before the estimate. */
const WAIT_POLL_MS = 250;
/** A claim whose line went missing (a torn tail, a day's seal) is written again at most this often. */
const CLAIM_ATTEMPTS = 3;

/** A short, one-way fingerprint of a key: enough to notice it changed, useless to anyone reading the log. */
export function keyFingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

export function defaultGuardDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'reliability');
}

export function createReliabilityGuard(opts: ReliabilityGuardOptions = {}): ReliabilityGuard {
  return new FileReliabilityGuard(opts);
}

class FileReliabilityGuard implements ReliabilityGuard {
  private readonly log: GuardLog;
  private readonly state = new GuardState();
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly logger: Logger;
  private readonly held = new Map<string, ReliabilityLease>();
  private renewTimer: TimerHandle | undefined;
  private unreadable: string | undefined;
  settings: ReliabilitySettings;

  constructor(private readonly opts: ReliabilityGuardOptions) {
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? realTimers;
    this.logger = opts.logger ?? silentLogger;
    this.settings = opts.settings ?? defaultReliabilitySettings();
    this.log = new GuardLog(opts.dir ?? defaultGuardDir(), this.now);
    this.refresh();
  }

  updateSettings(settings: ReliabilitySettings): void {
    this.settings = settings;
  }

  private refresh(): void {
    try {
      for (const rec of this.log.readNew()) this.state.apply(rec);
    } catch (err) {
      // The state directory is gone or unreadable: decide from what was read so far (fail open).
      this.unavailable(err);
    }
  }

  /** Says once, not per request, that the shared state cannot be used; again after it recovered. */
  private unavailable(err: unknown): void {
    if (this.unreadable === undefined) this.logger.warn('guard.unavailable', { dir: this.log.dir, error: String(err) });
    this.unreadable = String(err);
  }

  private limits(c: GuardCandidate): ClaimRecord['lim'] {
    return resolveLimits(c.ref.provider, c.ref.model, c.locality === 'cloud', this.opts.vendorOf?.(c.ref.provider), this.settings.quotas);
  }

  gate(c: GuardCandidate, estimatedTokens: number): GateResult {
    this.refresh();
    const at = Math.max(this.now(), this.state.logTime);
    return this.state.evaluate(c.ref.provider, c.ref.model, estimatedTokens, this.limits(c), at, this.opts.keyFingerprint?.(c.ref.provider));
  }

  admit(c: GuardCandidate, estimatedTokens: number): Admission {
    const preview = this.gate(c, estimatedTokens);
    if (!preview.ok) return preview;
    const fp = this.opts.keyFingerprint?.(c.ref.provider);
    const rec: ClaimRecord = {
      t: 'claim',
      id: randomUUID(),
      at: this.now(),
      p: c.ref.provider,
      m: c.ref.model,
      est: estimatedTokens,
      lim: this.limits(c),
      b: this.settings.breaker,
      lease: LEASE_MS,
      ...(fp ? { fp } : {}),
    };
    try {
      for (let i = 0; i < CLAIM_ATTEMPTS; i++) {
        this.state.ownPending.add(rec.id);
        this.log.append(i === 0 ? rec : { ...rec, at: this.now() });
        this.refresh();
        const verdict = this.state.ownVerdicts.get(rec.id);
        if (verdict) {
          this.unreadable = undefined;
          this.state.ownVerdicts.delete(rec.id);
          if (!verdict.ok) return verdict;
          return { ok: true, lease: this.hold({ id: rec.id, ref: c.ref, estimatedTokens, startedAt: rec.at, probe: verdict.probe }) };
        }
      }
      this.state.ownPending.delete(rec.id);
      throw new Error('the claim line was not found after writing it');
    } catch (err) {
      // A guard that cannot write its state must not take every provider down with it.
      this.unavailable(err);
      return { ok: true, lease: { id: rec.id, ref: c.ref, estimatedTokens, startedAt: rec.at, probe: false, unguarded: true } };
    }
  }

  private hold(lease: ReliabilityLease): ReliabilityLease {
    this.held.set(lease.id, lease);
    if (!this.renewTimer) {
      this.renewTimer = this.timers.setInterval(() => this.renew(), LEASE_RENEW_MS);
      // Renewals must never keep the CLI or a test process alive.
      this.renewTimer.unref?.();
    }
    return lease;
  }

  private renew(): void {
    for (const id of this.held.keys()) this.write({ t: 'renew', id, at: this.now() });
  }

  private release(id: string): void {
    this.held.delete(id);
    if (this.held.size === 0 && this.renewTimer) {
      this.timers.clearInterval(this.renewTimer);
      this.renewTimer = undefined;
    }
  }

  private write(rec: GuardRecord): void {
    try {
      this.log.append(rec);
    } catch (err) {
      this.unavailable(err);
    }
  }

  settle(lease: ReliabilityLease, outcome: ReliabilityOutcome): void {
    if (!this.held.has(lease.id) && !lease.unguarded) return; // settled already
    this.release(lease.id);
    if (lease.unguarded) return;
    const at = this.now();
    const { provider: p, model: m } = lease.ref;
    const learned = learnFromHeaders(outcome.headers);
    if (learned) this.write({ t: 'learn', at, p, m, q: learned });
    if (outcome.ok) {
      this.write({ t: 'settle', id: lease.id, at, ok: true, ...timing(outcome) });
      return;
    }
    const e = outcome.error;
    const connect = outcome.connectFailure ?? (e.kind === 'network' && outcome.ttftMs === undefined);
    this.write({ t: 'settle', id: lease.id, at, ok: false, kind: e.kind, ...(connect ? { connect } : {}), ...timing(outcome), msg: e.message });
    if ((e.kind === 'rate_limit' || e.kind === 'overloaded') && e.retryAfterMs !== undefined && e.retryAfterMs > 0) {
      this.write({ t: 'block', at, p, m, until: at + e.retryAfterMs, source: 'retry_after' });
    }
    if (e.kind === 'auth') {
      const fp = this.opts.keyFingerprint?.(p);
      this.write({ t: 'mark', at, p, mark: 'needs_key', ...(fp ? { fp } : {}), msg: e.message });
      this.logger.warn('guard.needsKey', { provider: p });
    } else if (isBalanceError(e)) {
      this.write({ t: 'mark', at, p, mark: 'out_of_credit', until: nextMidnight(at), msg: e.message });
      this.logger.warn('guard.outOfCredit', { provider: p, code: e.providerCode });
    } else if (e.kind === 'quota') {
      this.write({ t: 'block', at, p, m, until: nextMidnight(at), source: 'daily_quota' });
    }
  }

  earliestSlot(candidates: readonly GuardCandidate[], estimatedTokens: number): SlotEstimate | undefined {
    let best: SlotEstimate | undefined;
    for (const c of candidates) {
      const g = this.gate(c, estimatedTokens);
      if (g.ok) return { ref: c.ref, inMs: 0 };
      const inFlight = g.reason.code === 'concurrency' || g.reason.code === 'probe_in_flight';
      const inMs = inFlight ? 0 : 'nextSlotMs' in g.reason ? g.reason.nextSlotMs : undefined;
      if (inMs === undefined) continue;
      if (!best || inMs < best.inMs) best = { ref: c.ref, inMs, reason: g.reason, ...(inFlight ? { whenInFlightEnds: true as const } : {}) };
    }
    return best;
  }

  waitForSlot(candidates: readonly GuardCandidate[], estimatedTokens: number, o: { signal?: AbortSignal; limitMs?: number } = {}): Promise<WaitResult> {
    const limitMs = o.limitMs ?? this.settings.waitForSlotMs;
    const first = this.earliestSlot(candidates, estimatedTokens);
    if (!first) return Promise.resolve({ ok: false, why: 'none' });
    if (first.inMs > limitMs) return Promise.resolve({ ok: false, why: 'too_long', slot: first });
    const deadline = this.now() + limitMs;
    return new Promise<WaitResult>((resolve) => {
      let timer: TimerHandle | undefined;
      const finish = (r: WaitResult) => {
        this.timers.clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => finish({ ok: false, why: 'cancelled' });
      const check = () => {
        for (const c of candidates) if (this.gate(c, estimatedTokens).ok) return finish({ ok: true, candidate: c });
        const next = this.earliestSlot(candidates, estimatedTokens);
        const left = deadline - this.now();
        if (!next) return finish({ ok: false, why: 'none' });
        if (next.inMs > left || left <= 0) return finish({ ok: false, why: 'too_long', slot: next });
        timer = this.timers.setTimeout(check, Math.max(1, Math.min(next.inMs || WAIT_POLL_MS, WAIT_POLL_MS, left)));
      };
      if (o.signal?.aborted) return onAbort();
      o.signal?.addEventListener('abort', onAbort, { once: true });
      check();
    });
  }

  statusSnapshot(configured: readonly GuardCandidate[] = []): StatusSnapshot {
    this.refresh();
    const at = Math.max(this.now(), this.state.logTime);
    const status = buildStatus(this.state, at, configured, (c) => this.limits(c), (c) => this.gate(c, 0));
    const primary = this.opts.primary?.();
    return primary ? { ...status, primary } : status;
  }

  noteSwitch(from: ModelRef, to: ModelRef, why: string): void {
    this.write({ t: 'switch', at: this.now(), from: `${from.provider}/${from.model}`, to: `${to.provider}/${to.model}`, why });
  }

  setLoading(ref: ModelRef, loading: boolean): void {
    this.write({ t: 'loading', at: this.now(), p: ref.provider, m: ref.model, on: loading });
  }

  resetProvider(provider: string): void {
    this.write({ t: 'mark', at: this.now(), p: provider, mark: 'clear' });
  }

  close(): void {
    if (this.renewTimer) this.timers.clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    this.log.close();
  }
}

function timing(o: { tokens?: number; ttftMs?: number; totalMs?: number }): { tok?: number; ttft?: number; total?: number } {
  return {
    ...(o.tokens !== undefined ? { tok: o.tokens } : {}),
    ...(o.ttftMs !== undefined ? { ttft: o.ttftMs } : {}),
    ...(o.totalMs !== undefined ? { total: o.totalMs } : {}),
  };
}

export { describeSkip };

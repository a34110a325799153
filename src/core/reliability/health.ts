/**
 * Health checks (issue 18 point 4): every `health.intervalMs` (60 s) each provider is probed, and
 * the result feeds the reliability guard, so a provider that went down is skipped before a user's
 * request finds out, and a recovered one returns to service by itself.
 *
 * The probe is free by default: the provider's own model listing (Provider.probe where it has one:
 * OpenAI-compatible GET /v1/models, cloud or local; else listModels: Ollama /api/tags, the NPU
 * server's list). No vendor bills a listing, and it is the request selection already makes. A 1-token completion probe costs
 * money, so it runs only for providers named in `health.completionProbe`.
 *
 * How a result reaches the breaker (breaker.ts), per configured model of the provider:
 * - breaker closed, probe ok: nothing is written (no request is counted against a quota);
 * - breaker closed, probe failed: the failure is admitted and settled like an attempt's, so it
 *   counts toward the error rate and the consecutive connect failures;
 * - breaker cooled down (the gate offers the half-open probe): the health probe IS that probe;
 *   success closes the breaker, which is logged as the provider returning to service;
 * - breaker open and still cooling down: left alone; the cooldown is the breaker's decision.
 *
 * Paused while the host is idle or hidden: `pause()`/`resume()` and an `active()` predicate (the
 * VS Code adapter wires both to window focus). No timer runs while paused, and nothing here
 * starts on its own: the host calls start() after its activation.
 */
import { realTimers, type TimerHandle, type Timers } from '../timers';
import { SwitchyardError, silentLogger, type ErrorKind, type Locality, type Logger, type ModelRef, type Provider } from '../types';
import { HEALTH_PROBE_TIMEOUT_MS } from './defaults';
import type { ReliabilityGuard } from './guard';

/** One provider as the checker probes it. */
export interface HealthTarget {
  provider: string;
  locality: Locality;
  /** The models the breaker keeps state for (each provider/model has its own breaker). */
  models: readonly string[];
  /** The free probe (listModels); throws when the provider is not well. */
  probe(signal: AbortSignal): Promise<unknown>;
  /** The paid 1-token completion; used only when the provider is opted in. */
  completion?(model: string, signal: AbortSignal): Promise<unknown>;
}

export interface HealthResult {
  provider: string;
  ok: boolean;
  /** Which probe ran. */
  probe: 'list' | 'completion';
  error?: string;
  /** Models whose open breaker this probe closed. */
  recovered: ModelRef[];
}

export interface HealthCheckerOptions {
  guard: ReliabilityGuard;
  /** Asked at each round, so a changed provider list is probed without a restart. */
  targets: () => readonly HealthTarget[];
  timers?: Timers;
  now?: () => number;
  logger?: Logger;
  /** False while the host is idle or hidden: a round that falls due then is skipped. */
  active?: () => boolean;
  /** Called after each round that ran (a status view refreshes on it). */
  onRound?: (results: readonly HealthResult[]) => void;
}

export interface HealthChecker {
  /** Schedules the rounds (idempotent); the first round runs one interval after start. */
  start(): void;
  stop(): void;
  /** No timer runs until resume(). */
  pause(): void;
  /** Starts the rounds again; a round that `active()` held back runs at once. */
  resume(): void;
  /** One round now (also while paused: a user asked). */
  checkNow(): Promise<HealthResult[]>;
  readonly paused: boolean;
}

/** Failures that say the provider is unwell (the breaker's own list, breaker.ts). */
const UNWELL = new Set<ErrorKind>(['network', 'timeout', 'server', 'overloaded', 'bad_response', 'unknown']);

export function createHealthChecker(opts: HealthCheckerOptions): HealthChecker {
  const timers = opts.timers ?? realTimers;
  const logger = opts.logger ?? silentLogger;
  const guard = opts.guard;
  const now = opts.now ?? Date.now;
  let handle: TimerHandle | undefined;
  let started = false;
  let paused = false;
  let missed = false;
  let round: Promise<HealthResult[]> | undefined;

  const interval = () => guard.settings.health.intervalMs;

  const schedule = () => {
    timers.clearInterval(handle);
    handle = undefined;
    if (!started || paused || interval() === 0) return;
    handle = timers.setInterval(tick, interval());
    handle.unref?.();
  };

  const tick = () => {
    if (paused || (opts.active && !opts.active())) {
      missed = true;
      return;
    }
    void checkNow();
  };

  const checkNow = (): Promise<HealthResult[]> => {
    // One round at a time: a slow host never piles probes up.
    round ??= runRound().finally(() => (round = undefined));
    return round;
  };

  const runRound = async (): Promise<HealthResult[]> => {
    missed = false;
    const results = await Promise.all(opts.targets().map((t) => checkOne(t)));
    opts.onRound?.(results);
    return results;
  };

  const checkOne = async (t: HealthTarget): Promise<HealthResult> => {
    const paid = guard.settings.health.completionProbe.includes(t.provider) && !!t.completion && t.models.length > 0;
    const startedAt = now();
    const ac = new AbortController();
    const timeout = timers.setTimeout(() => ac.abort(new Error(`no answer in ${HEALTH_PROBE_TIMEOUT_MS / 1000} s`)), HEALTH_PROBE_TIMEOUT_MS);
    let error: string | undefined;
    let kind: ErrorKind = 'network';
    try {
      await (paid ? t.completion!(t.models[0]!, ac.signal) : t.probe(ac.signal));
      if (ac.signal.aborted) throw ac.signal.reason;
    } catch (err) {
      if (err instanceof SwitchyardError) kind = err.info.kind;
      if (ac.signal.aborted) kind = 'timeout';
      error = ac.signal.aborted ? String((ac.signal.reason as Error)?.message ?? 'timed out') : ((err as Error)?.message ?? String(err));
    } finally {
      timers.clearTimeout(timeout);
    }
    const ok = error === undefined;
    const recovered: ModelRef[] = [];
    // A missing or rejected key, a quota: the provider is not unwell, and the breaker is not told (marks come from real requests).
    if (!ok && !UNWELL.has(kind)) return { provider: t.provider, ok, probe: paid ? 'completion' : 'list', error, recovered };
    for (const model of t.models) if (feed({ provider: t.provider, model }, t.locality, ok, error, now() - startedAt, kind)) recovered.push({ provider: t.provider, model });
    const probe = paid ? 'completion' : 'list';
    if (!ok) logger.warn('health.failed', { provider: t.provider, probe, error });
    for (const ref of recovered) logger.info('health.recovered', { ref: `${ref.provider}/${ref.model}`, probe, message: `${ref.provider}/${ref.model} answered its health probe: its breaker closed and it returns to service` });
    return { provider: t.provider, ok, probe, ...(error !== undefined ? { error } : {}), recovered };
  };

  /** Feeds one model's breaker; true when this probe closed an open breaker. */
  const feed = (ref: ModelRef, locality: Locality, ok: boolean, error: string | undefined, totalMs: number, kind: ErrorKind): boolean => {
    const candidate = { ref, locality };
    const g = guard.gate(candidate, 0);
    if (!g.ok) return false; // cooling down, out of quota, needs key: nothing a probe should change
    if (!g.probe && ok) return false; // healthy and known healthy: write nothing
    const a = guard.admit(candidate, 0);
    if (!a.ok) return false;
    if (ok) guard.settle(a.lease, { ok: true, totalMs });
    else guard.settle(a.lease, { ok: false, error: { kind, message: `health probe: ${error}`, provider: ref.provider, model: ref.model, retryable: true }, connectFailure: kind === 'network', totalMs });
    return ok && a.lease.probe;
  };

  return {
    start() {
      if (started) return;
      started = true;
      schedule();
    },
    stop() {
      started = false;
      schedule();
    },
    pause() {
      if (paused) return;
      paused = true;
      schedule();
    },
    resume() {
      if (!paused) return;
      paused = false;
      schedule();
      if (started && missed) void checkNow();
    },
    checkNow,
    get paused() {
      return paused;
    },
  };
}

/** The one token a completion probe asks for: the cheapest answer that proves the model serves. */
const COMPLETION_PROBE_TOKENS = 1;

/** Health targets of the configured providers: the free probe is their listModels, the paid one a 1-token stream. */
export function healthTargetsOf(entries: Iterable<{ id: string; provider: Provider; models: readonly string[] }>): HealthTarget[] {
  return [...entries].map((e) => ({
    provider: e.id,
    locality: e.provider.locality,
    models: e.models,
    probe: (signal) => (e.provider.probe ? e.provider.probe(signal) : e.provider.listModels(signal)),
    completion: async (model, signal) => {
      for await (const ev of e.provider.stream({ model, messages: [{ role: 'user', content: 'ping' }], maxTokens: COMPLETION_PROBE_TOKENS, signal })) {
        if (ev.type === 'finish') {
          if (ev.reason === 'error' || ev.reason === 'cancelled') throw new Error(`the completion probe ended: ${ev.reason}`);
          return;
        }
      }
    },
  }));
}

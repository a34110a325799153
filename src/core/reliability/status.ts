/**
 * The provider status model behind `switchyard status --json` and "Switchyard: Show Provider
 * Status": per provider its state, latency percentiles and success rate over the last hour,
 * today's use against its quota, the last error and the switches away from it today. Built from
 * the replayed shared log, so it is the machine's status, not one window's.
 */
import { dayKey } from '../cost/periods';
import type { ModelRef } from '../types';
import { STATUS_WINDOW_MS, type QuotaLimits } from './defaults';
import { describeSkip, type SkipReason } from './reasons';
import type { BreakerState, GuardState } from './state';

export type ProviderState = 'healthy' | 'degraded' | 'open' | 'loading' | 'needs_key' | 'out_of_credit' | 'waiting_for_quota';

export interface Percentiles {
  p50: number;
  p95: number;
}

export interface UseAgainstQuota {
  requests: number;
  tokens: number;
  requestLimit?: number;
  tokenLimit?: number;
}

export interface ModelStatus {
  model: string;
  state: ProviderState;
  breaker: BreakerState;
  /** Why it is not healthy, in English (the reason's data is in `skip`). */
  reason?: string;
  skip?: SkipReason;
  inFlight: number;
  concurrentLimit?: number;
  minute: UseAgainstQuota;
  today: UseAgainstQuota;
}

export interface ProviderStatus {
  provider: string;
  state: ProviderState;
  reason?: string;
  /** Over the last hour, from answers that reported them. */
  ttftMs?: Percentiles;
  totalMs?: Percentiles;
  /** Share of settled attempts that succeeded in the last hour; undefined with none. */
  successRate?: number;
  requestsLastHour: number;
  today: UseAgainstQuota;
  lastError?: { at: string; kind: string; message?: string };
  switchesToday: number;
  models: ModelStatus[];
}

export interface StatusSnapshot {
  at: string;
  providers: ProviderStatus[];
  /** The provider made primary by hand ("Make Provider Primary…", `switchyard primary`), when one is. */
  primary?: string;
}

type Limits = { p?: QuotaLimits; m?: QuotaLimits };
type Cand = { ref: ModelRef; locality: 'local' | 'cloud' };

/** Worse first: the provider shows the worst of its models (needs key and out of credit are the provider's own). */
const SEVERITY: ProviderState[] = ['needs_key', 'out_of_credit', 'open', 'waiting_for_quota', 'loading', 'degraded', 'healthy'];

export function percentiles(values: number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const v = [...values].sort((a, b) => a - b);
  const pick = (q: number) => v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)]!;
  return { p50: pick(0.5), p95: pick(0.95) };
}

function stateOf(skip: SkipReason | undefined, breaker: BreakerState, loading: boolean, recentFailures: boolean): ProviderState {
  if (skip?.code === 'needs_key') return 'needs_key';
  if (skip?.code === 'out_of_credit') return 'out_of_credit';
  if (skip?.code === 'breaker_open' || breaker === 'open') return 'open';
  if (skip && (skip.code === 'quota_exhausted' || skip.code === 'rate_limited' || skip.code === 'concurrency')) return 'waiting_for_quota';
  if (loading) return 'loading';
  if (breaker === 'half_open' || recentFailures) return 'degraded';
  return 'healthy';
}

export function buildStatus(state: GuardState, at: number, configured: readonly Cand[], limitsOf: (c: Cand) => Limits, gate: (c: Cand) => { ok: true } | { ok: false; reason: SkipReason }): StatusSnapshot {
  const byProvider = new Map<string, Map<string, Cand>>();
  const add = (c: Cand) => {
    let models = byProvider.get(c.ref.provider);
    if (!models) byProvider.set(c.ref.provider, (models = new Map()));
    if (!models.has(c.ref.model)) models.set(c.ref.model, c);
  };
  for (const c of configured) add(c);
  for (const [p, st] of state.stats) for (const m of st.models) add({ ref: { provider: p, model: m }, locality: 'cloud' });
  const today = dayKey(at);
  const providers: ProviderStatus[] = [];
  for (const [p, models] of [...byProvider].sort(([a], [b]) => a.localeCompare(b))) {
    const st = state.stats.get(p);
    const samples = (st?.samples.values() ?? []).filter((s) => s.at > at - STATUS_WINDOW_MS);
    const modelStatuses: ModelStatus[] = [];
    for (const [m, c] of models) {
      const key = `${p}/${m}`;
      const lim = limitsOf(c);
      const g = gate(c);
      const skip = g.ok ? undefined : g.reason;
      const br = state.breakers.get(key);
      const breaker = br?.state ?? 'closed';
      const recentFailures = (br?.errors ?? 0) > 0;
      const mState = stateOf(skip, breaker, st?.loading.has(m) ?? false, recentFailures);
      const minute = state.minuteUse(key, at);
      const day = state.dayUse(key, at);
      modelStatuses.push({
        model: m,
        state: mState,
        breaker,
        ...(skip ? { reason: describeSkip(skip), skip } : {}),
        inFlight: state.inFlight(key, at),
        ...(lim.m?.concurrent !== undefined ? { concurrentLimit: lim.m.concurrent } : {}),
        minute: { ...minute, ...limitPair(lim.m?.requestsPerMinute, lim.m?.tokensPerMinute) },
        today: { ...day, ...limitPair(lim.m?.requestsPerDay, lim.m?.tokensPerDay) },
      });
    }
    const worst = modelStatuses.reduce<ModelStatus | undefined>((w, s) => (!w || SEVERITY.indexOf(s.state) < SEVERITY.indexOf(w.state) ? s : w), undefined);
    // A provider is "open" only when all its models are; one open model of several is "degraded".
    let pState = worst?.state ?? 'healthy';
    if (pState === 'open' && modelStatuses.some((s) => s.state !== 'open')) pState = 'degraded';
    const anyCand = [...models.values()][0]!;
    const pLim = limitsOf(anyCand).p;
    const ok = samples.filter((s) => s.ok).length;
    providers.push({
      provider: p,
      state: pState,
      ...(worst?.reason && pState !== 'healthy' ? { reason: worst.reason } : {}),
      ...opt('ttftMs', percentiles(samples.flatMap((s) => (s.ttft !== undefined ? [s.ttft] : [])))),
      ...opt('totalMs', percentiles(samples.flatMap((s) => (s.total !== undefined ? [s.total] : [])))),
      ...(samples.length ? { successRate: ok / samples.length } : {}),
      requestsLastHour: samples.length,
      today: { ...state.dayUse(p, at), ...limitPair(pLim?.requestsPerDay, pLim?.tokensPerDay) },
      ...(st?.lastError ? { lastError: { at: new Date(st.lastError.at).toISOString(), kind: st.lastError.kind, ...(st.lastError.message ? { message: st.lastError.message } : {}) } } : {}),
      switchesToday: st && st.switchesDay === today ? st.switches : 0,
      models: modelStatuses,
    });
  }
  return { at: new Date(at).toISOString(), providers };
}

function limitPair(requests: number | undefined, tokens: number | undefined): { requestLimit?: number; tokenLimit?: number } {
  return { ...(requests !== undefined ? { requestLimit: requests } : {}), ...(tokens !== undefined ? { tokenLimit: tokens } : {}) };
}

function opt<K extends string, V>(key: K, v: V | undefined): { [k in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [k in K]?: V };
}

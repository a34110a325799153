/**
 * The guard's state, rebuilt by replaying the shared log (log.ts) in file order. Every verdict is
 * a pure function of the records before it, with time taken from the records themselves, never
 * from the replaying process's clock: so every process that replays the log reaches the same
 * verdict for every claim (the guarantee that two windows never exceed one minute quota).
 *
 * `evaluate` is also used for previews (gate) at the caller's clock; only `apply` changes state.
 */
import { dayKey } from '../cost/periods';
import { MINUTE_MS, STATUS_WINDOW_MS, type QuotaLimits } from './defaults';
import type { ClaimRecord, GuardRecord, MarkRecord } from './records';
import type { QuotaWindow, SkipReason } from './reasons';
import { breakerVerdict, newBreaker, recordOutcome, startProbe, type Breaker } from './breaker';
import { Rolling } from './rolling';

interface WindowEntry {
  at: number;
  tok: number;
  /** Left the minute window (pruned): a late settle no longer changes the window's sum. */
  out?: boolean;
}

/** Counters of one scope: "p" (the provider as a whole) or "p/m" (one model). */
interface ScopeCounters {
  minute: Rolling<WindowEntry>;
  minuteTok: number;
  day: string;
  dayReq: number;
  dayTok: number;
  /** claim id → lease expiry. */
  inflight: Map<string, number>;
  learned: { requests?: { remaining: number; resetAt: number }; tokens?: { remaining: number; resetAt: number } };
  block?: { until: number; source: 'retry_after' | 'headers' | 'daily_quota' };
}

export type { BreakerState } from './breaker';

interface LiveClaim {
  rec: ClaimRecord;
  entries: { scope: ScopeCounters; entry: WindowEntry }[];
  probe: boolean;
  leaseUntil: number;
}

/** Claims replayed between two sweeps of the live claims whose holders died without settling. */
const SWEEP_EVERY_CLAIMS = 1_024;

export interface Sample {
  at: number;
  ok: boolean;
  ttft?: number;
  total?: number;
}

export interface ProviderStats {
  samples: Rolling<Sample>;
  lastError?: { at: number; kind: string; message?: string };
  switchesDay: string;
  switches: number;
  loading: Set<string>;
  models: Set<string>;
}

export type Verdict = { ok: true; probe: boolean } | { ok: false; reason: SkipReason };


export class GuardState {
  readonly scopes = new Map<string, ScopeCounters>();
  readonly breakers = new Map<string, Breaker>();
  readonly marks = new Map<string, MarkRecord>();
  readonly stats = new Map<string, ProviderStats>();
  private readonly live = new Map<string, LiveClaim>();
  /** Verdicts of this process's own claims, collected as they are replayed. */
  readonly ownVerdicts = new Map<string, Verdict>();
  readonly ownPending = new Set<string>();
  /** Log time: the largest record time seen, so windows only move forward even if two writers' clocks interleave. */
  logTime = 0;
  private claimsSinceSweep = 0;

  apply(rec: GuardRecord): void {
    if (rec.at > this.logTime) this.logTime = rec.at;
    const at = this.logTime;
    switch (rec.t) {
      case 'claim': {
        const v = this.evaluate(rec.p, rec.m, rec.est, rec.lim, at, rec.fp, true);
        if (this.ownPending.has(rec.id)) {
          this.ownPending.delete(rec.id);
          this.ownVerdicts.set(rec.id, v);
        }
        if (v.ok) this.admit(rec, at, v.probe);
        if (++this.claimsSinceSweep >= SWEEP_EVERY_CLAIMS) this.sweep(at);
        return;
      }
      case 'renew': {
        const c = this.live.get(rec.id);
        if (!c || this.forgotten(c, at)) return;
        const until = at + c.rec.lease;
        c.leaseUntil = until;
        for (const s of this.claimScopes(c.rec)) if (s.inflight.has(rec.id)) s.inflight.set(rec.id, until);
        const br = this.breakers.get(`${c.rec.p}/${c.rec.m}`);
        if (br?.probeId === rec.id) br.probeUntil = until;
        return;
      }
      case 'settle':
        return this.settle(rec, at);
      case 'block': {
        const s = this.scope(`${rec.p}/${rec.m}`, at);
        if (!s.block || s.block.until < rec.until) s.block = { until: rec.until, source: rec.source };
        return;
      }
      case 'learn': {
        const s = this.scope(`${rec.p}/${rec.m}`, at);
        if (rec.q.requests) s.learned.requests = { remaining: rec.q.requests.remaining, resetAt: at + rec.q.requests.resetMs };
        if (rec.q.tokens) s.learned.tokens = { remaining: rec.q.tokens.remaining, resetAt: at + rec.q.tokens.resetMs };
        return;
      }
      case 'mark':
        if (rec.mark === 'clear') this.marks.delete(rec.p);
        else this.marks.set(rec.p, rec);
        return;
      case 'switch': {
        const from = rec.from.split('/')[0]!;
        const st = this.providerStats(from);
        const day = dayKey(at);
        if (st.switchesDay !== day) {
          st.switchesDay = day;
          st.switches = 0;
        }
        st.switches++;
        return;
      }
      case 'loading': {
        const st = this.providerStats(rec.p);
        if (rec.on) st.loading.add(rec.m);
        else st.loading.delete(rec.m);
        return;
      }
      case 'seal':
        return;
    }
  }

  /**
   * Whether a claim would be admitted at `at`: the decision replay makes (`commit`, at log time),
   * also used for previews at the caller's clock. A preview must not change state: dropping what
   * left the window at a LATER time than the log's would make this process count the next
   * claim differently from the others.
   */
  evaluate(p: string, m: string, est: number, lim: ClaimRecord['lim'], at: number, fp?: string, commit = false): Verdict {
    const mark = this.marks.get(p);
    if (mark?.mark === 'needs_key' && (mark.fp === undefined || fp === undefined || mark.fp === fp)) {
      return { ok: false, reason: { code: 'needs_key', provider: p, ...(mark.msg ? { message: mark.msg } : {}) } };
    }
    if (mark?.mark === 'out_of_credit' && (mark.until === undefined || at < mark.until)) {
      return { ok: false, reason: { code: 'out_of_credit', provider: p, nextSlotMs: Math.max(0, (mark.until ?? at) - at), ...(mark.msg ? { message: mark.msg } : {}) } };
    }
    const modelKey = `${p}/${m}`;
    const ms = this.scopes.get(modelKey);
    if (ms?.block && at < ms.block.until) return { ok: false, reason: { code: 'rate_limited', provider: p, model: m, source: ms.block.source, nextSlotMs: ms.block.until - at } };
    for (const [scopeName, key, limits] of [['provider', p, lim.p], ['model', modelKey, lim.m]] as const) {
      if (!limits) continue;
      const r = this.checkLimits(this.scopes.get(key), limits, p, m, scopeName, est, at, commit);
      if (r) return { ok: false, reason: r };
    }
    if (ms) {
      const lr = ms.learned.requests;
      if (lr && at < lr.resetAt && lr.remaining <= 0) return { ok: false, reason: { code: 'rate_limited', provider: p, model: m, source: 'headers', unit: 'requests', nextSlotMs: lr.resetAt - at } };
      const lt = ms.learned.tokens;
      if (lt && at < lt.resetAt && lt.remaining < est) return { ok: false, reason: { code: 'rate_limited', provider: p, model: m, source: 'headers', unit: 'tokens', nextSlotMs: lt.resetAt - at } };
    }
    return breakerVerdict(this.breakers.get(modelKey), p, m, at);
  }

  private checkLimits(s: ScopeCounters | undefined, l: QuotaLimits, p: string, m: string, scope: 'provider' | 'model', est: number, at: number, commit: boolean): SkipReason | undefined {
    if (!s) return l.tokensPerMinute !== undefined && est > l.tokensPerMinute ? tooLarge(p, m, scope, 'minute', 0, l.tokensPerMinute, est) : l.tokensPerDay !== undefined && est > l.tokensPerDay ? tooLarge(p, m, scope, 'day', 0, l.tokensPerDay, est) : undefined;
    const w = this.window(s, at, commit);
    const base = { code: 'quota_exhausted' as const, provider: p, model: m, scope };
    if (l.requestsPerMinute !== undefined && w.n >= l.requestsPerMinute) {
      const oldest = s.minute.at(w.first + w.n - l.requestsPerMinute)!;
      return { ...base, window: 'minute', unit: 'requests', used: w.n, limit: l.requestsPerMinute, nextSlotMs: oldest.at + MINUTE_MS - at };
    }
    if (l.tokensPerMinute !== undefined && w.tok + est > l.tokensPerMinute) {
      if (est > l.tokensPerMinute) return tooLarge(p, m, scope, 'minute', w.tok, l.tokensPerMinute, est);
      let freed = 0;
      let when = at;
      for (let i = w.first; i < s.minute.length && w.tok - freed + est > l.tokensPerMinute; i++) {
        freed += s.minute.at(i)!.tok;
        when = s.minute.at(i)!.at + MINUTE_MS;
      }
      return { ...base, window: 'minute', unit: 'tokens', used: w.tok, limit: l.tokensPerMinute, requested: est, nextSlotMs: when - at };
    }
    const today = dayKey(at);
    const dayReq = s.day === today ? s.dayReq : 0;
    const dayTok = s.day === today ? s.dayTok : 0;
    const untilMidnight = nextMidnight(at) - at;
    if (l.requestsPerDay !== undefined && dayReq >= l.requestsPerDay) return { ...base, window: 'day', unit: 'requests', used: dayReq, limit: l.requestsPerDay, nextSlotMs: untilMidnight };
    if (l.tokensPerDay !== undefined && dayTok + est > l.tokensPerDay) {
      if (est > l.tokensPerDay) return tooLarge(p, m, scope, 'day', dayTok, l.tokensPerDay, est);
      return { ...base, window: 'day', unit: 'tokens', used: dayTok, limit: l.tokensPerDay, requested: est, nextSlotMs: untilMidnight };
    }
    if (l.concurrent !== undefined) {
      let earliest = Infinity;
      let live = 0;
      for (const [id, until] of s.inflight) {
        if (until > at) {
          live++;
          earliest = Math.min(earliest, until);
        } else if (commit) s.inflight.delete(id);
      }
      if (live >= l.concurrent) return { code: 'concurrency', provider: p, model: m, scope, inFlight: live, limit: l.concurrent, nextSlotMs: earliest - at };
    }
    return undefined;
  }

  /** The minute window at `at`: the index of its first entry, its count and tokens. Drops expired entries only when committing. */
  private window(s: ScopeCounters, at: number, commit: boolean): { first: number; n: number; tok: number } {
    if (commit) {
      this.prune(s, at);
      return { first: 0, n: s.minute.length, tok: s.minuteTok };
    }
    let first = 0;
    let tok = s.minuteTok;
    for (let e = s.minute.at(0); e && e.at <= at - MINUTE_MS; e = s.minute.at(++first)) tok -= e.tok;
    return { first, n: s.minute.length - first, tok };
  }

  private admit(rec: ClaimRecord, at: number, probe: boolean): void {
    const c: LiveClaim = { rec, entries: [], probe, leaseUntil: at + rec.lease };
    for (const s of this.claimScopes(rec)) {
      this.prune(s, at);
      const entry: WindowEntry = { at, tok: rec.est };
      s.minute.push(entry);
      s.minuteTok += rec.est;
      this.rollDay(s, at);
      s.dayReq++;
      s.dayTok += rec.est;
      s.inflight.set(rec.id, at + rec.lease);
      c.entries.push({ scope: s, entry });
    }
    const ms = this.scopes.get(`${rec.p}/${rec.m}`)!;
    if (ms.learned.requests) ms.learned.requests.remaining--;
    if (ms.learned.tokens) ms.learned.tokens.remaining -= rec.est;
    if (probe) startProbe(this.breaker(`${rec.p}/${rec.m}`), rec.id, at + rec.lease);
    this.providerStats(rec.p).models.add(rec.m);
    this.live.set(rec.id, c);
  }

  private settle(rec: Extract<GuardRecord, { t: 'settle' }>, at: number): void {
    const c = this.live.get(rec.id);
    if (!c) return; // a rejected claim, or one settled already
    this.live.delete(rec.id);
    if (this.forgotten(c, at)) return;
    for (const { scope, entry } of c.entries) {
      scope.inflight.delete(rec.id);
      if (rec.tok !== undefined) {
        const delta = rec.tok - entry.tok;
        if (!entry.out) scope.minuteTok += delta;
        if (scope.day === dayKey(entry.at)) scope.dayTok += delta;
        entry.tok = rec.tok;
      }
    }
    const st = this.providerStats(c.rec.p);
    st.samples.push({ at, ok: rec.ok, ...(rec.ttft !== undefined ? { ttft: rec.ttft } : {}), ...(rec.total !== undefined ? { total: rec.total } : {}) });
    st.samples.expire(at - STATUS_WINDOW_MS);
    if (!rec.ok) st.lastError = { at, kind: rec.kind ?? 'unknown', ...(rec.msg ? { message: rec.msg } : {}) };
    if (rec.ok && st.loading.has(c.rec.m)) st.loading.delete(c.rec.m);
    recordOutcome(this.breaker(`${c.rec.p}/${c.rec.m}`), c.rec.b, rec, at);
  }

  isLive(id: string): boolean {
    return this.live.has(id);
  }

  /**
   * Forgets claims whose holder stopped renewing a whole lease ago (it crashed): their slots were
   * free since their lease ended; only the memory was left. Deterministic, like everything here.
   */
  private sweep(at: number): void {
    this.claimsSinceSweep = 0;
    for (const [id, c] of this.live) if (this.forgotten(c, at)) this.live.delete(id);
  }

  /**
   * A claim not renewed for a whole lease past its end: its holder is taken for dead, and a late
   * renew or settle from it changes nothing. The rule depends on log time alone, so a process that
   * swept the claim away and one that did not still agree.
   */
  private forgotten(c: LiveClaim, at: number): boolean {
    if (c.leaseUntil + c.rec.lease >= at) return false;
    this.live.delete(c.rec.id);
    return true;
  }

  get liveClaims(): number {
    return this.live.size;
  }

  private claimScopes(rec: ClaimRecord): ScopeCounters[] {
    // Counted for both scopes always, so a limit set later finds the history.
    return [this.scope(rec.p, rec.at), this.scope(`${rec.p}/${rec.m}`, rec.at)];
  }

  scope(key: string, at: number): ScopeCounters {
    let s = this.scopes.get(key);
    if (!s) {
      s = { minute: new Rolling(), minuteTok: 0, day: dayKey(at), dayReq: 0, dayTok: 0, inflight: new Map(), learned: {} };
      this.scopes.set(key, s);
    }
    return s;
  }

  breaker(key: string): Breaker {
    let b = this.breakers.get(key);
    if (!b) {
      b = newBreaker();
      this.breakers.set(key, b);
    }
    return b;
  }

  providerStats(p: string): ProviderStats {
    let s = this.stats.get(p);
    if (!s) {
      s = { samples: new Rolling(), switchesDay: '', switches: 0, loading: new Set(), models: new Set() };
      this.stats.set(p, s);
    }
    return s;
  }

  prune(s: ScopeCounters, at: number): void {
    s.minute.expire(at - MINUTE_MS, (e) => {
      s.minuteTok -= e.tok;
      e.out = true;
    });
  }

  private rollDay(s: ScopeCounters, at: number): void {
    const d = dayKey(at);
    if (s.day !== d) {
      s.day = d;
      s.dayReq = 0;
      s.dayTok = 0;
    }
  }

  /** Read-only views for the status. */
  minuteUse(key: string, at: number): { requests: number; tokens: number } {
    const s = this.scopes.get(key);
    if (!s) return { requests: 0, tokens: 0 };
    const w = this.window(s, at, false);
    return { requests: w.n, tokens: w.tok };
  }

  dayUse(key: string, at: number): { requests: number; tokens: number } {
    const s = this.scopes.get(key);
    return s && s.day === dayKey(at) ? { requests: s.dayReq, tokens: s.dayTok } : { requests: 0, tokens: 0 };
  }

  inFlight(key: string, at: number): number {
    const s = this.scopes.get(key);
    if (!s) return 0;
    let n = 0;
    for (const until of s.inflight.values()) if (until > at) n++;
    return n;
  }
}

function tooLarge(p: string, m: string, scope: 'provider' | 'model', window: QuotaWindow, used: number, limit: number, est: number): SkipReason {
  return { code: 'quota_exhausted', provider: p, model: m, scope, window, unit: 'tokens', used, limit, requested: est };
}

/** The start of the next local day after `at`. */
export function nextMidnight(at: number): number {
  const d = new Date(at);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}

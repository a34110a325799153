/**
 * A scripted per-minute / per-day quota for a double: counts requests and tokens in fixed
 * windows on an injectable clock, answers "over" with the exhausted window and the wait, and
 * reports the live x-ratelimit-* counters in the vendor's names and duration format.
 *
 * Fixed windows (a window opens at the first request after the previous one closed) keep a
 * test's arithmetic obvious: with 3 requests a minute, the 4th within the minute is refused and
 * told to wait until the minute that began with the 1st is over.
 */
import type { QuotaWindow, RateLimitHeaderStyle } from './vendor';

export interface QuotaLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  requestsPerDay?: number;
  tokensPerDay?: number;
  /** Requests served at once (glm-4.7-flash's free tier allows 1); one more is refused with the vendor's concurrency 429. */
  concurrentRequests?: number;
}

/** Milliseconds since the epoch, like Date.now (the default); tests pass a fake one. */
export type Clock = () => number;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

interface Counter {
  kind: 'requests' | 'tokens';
  per: 'minute' | 'day';
  limit: number;
  used: number;
  /** Clock time the current window opened; undefined before the first request of a window. */
  openedAt?: number;
}

export type Admission =
  | { ok: true; /** Call when the answer has ended, to free its concurrency slot. */ release(): void }
  | { ok: false; window: QuotaWindow; retryAfterMs: number }
  | { ok: false; concurrent: true };

export class ScriptedQuota {
  private readonly counters: Counter[] = [];
  private inFlight = 0;

  constructor(
    private readonly limits: QuotaLimits,
    private readonly clock: Clock = Date.now,
  ) {
    const add = (kind: Counter['kind'], per: Counter['per'], limit: number | undefined) => {
      if (limit !== undefined) this.counters.push({ kind, per, limit, used: 0 });
    };
    add('requests', 'minute', limits.requestsPerMinute);
    add('tokens', 'minute', limits.tokensPerMinute);
    add('requests', 'day', limits.requestsPerDay);
    add('tokens', 'day', limits.tokensPerDay);
  }

  /** Counts one request (and holds a concurrency slot until `release`) of `tokens` tokens if every window has room for it; otherwise counts nothing and says which window is full. */
  admit(tokens: number): Admission {
    if (this.limits.concurrentRequests !== undefined && this.inFlight >= this.limits.concurrentRequests) return { ok: false, concurrent: true };
    const now = this.clock();
    for (const c of this.counters) this.roll(c, now);
    for (const c of this.counters) {
      const requested = c.kind === 'requests' ? 1 : tokens;
      if (c.used + requested > c.limit) {
        return { ok: false, window: { kind: c.kind, per: c.per, limit: c.limit, used: c.used, requested }, retryAfterMs: this.resetIn(c, now) };
      }
    }
    for (const c of this.counters) {
      c.openedAt ??= now;
      c.used += c.kind === 'requests' ? 1 : tokens;
    }
    this.inFlight++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (!released) this.inFlight--;
        released = true;
      },
    };
  }

  /** The vendor's x-ratelimit-* headers for the windows it reports and this quota counts. */
  headers(style: RateLimitHeaderStyle): Record<string, string> {
    const now = this.clock();
    const out: Record<string, string> = {};
    for (const kind of ['requests', 'tokens'] as const) {
      const c = this.counters.find((k) => k.kind === kind && k.per === style[kind]);
      if (!c) continue;
      this.roll(c, now);
      out[`x-ratelimit-limit-${kind}`] = String(c.limit);
      out[`x-ratelimit-remaining-${kind}`] = String(Math.max(0, c.limit - c.used));
      out[`x-ratelimit-reset-${kind}`] = formatGoDuration(this.resetIn(c, now), style.resetResolutionMs);
    }
    return out;
  }

  private roll(c: Counter, now: number): void {
    if (c.openedAt !== undefined && now >= c.openedAt + windowMs(c)) {
      c.openedAt = undefined;
      c.used = 0;
    }
  }

  private resetIn(c: Counter, now: number): number {
    return c.openedAt === undefined ? 0 : Math.max(0, c.openedAt + windowMs(c) - now);
  }
}

function windowMs(c: Counter): number {
  return c.per === 'minute' ? MINUTE_MS : DAY_MS;
}

/**
 * A duration the way Go's time.Duration prints it, which is what Groq ("2m59.56s", "7.66s") and
 * OpenAI ("6m0s", "1s", "12ms") send: h/m/s with a decimal fraction of seconds, or ms below 1 s.
 * `resolutionMs` rounds first (Groq reports centiseconds).
 */
export function formatGoDuration(ms: number, resolutionMs = 1): string {
  const total = Math.round(ms / resolutionMs) * resolutionMs;
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = Number(((total % 60_000) / 1000).toFixed(3));
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

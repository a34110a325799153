/**
 * Why the guard skipped a candidate, as data (the panel and the CLI word it in the user's
 * language); `describeSkip` is the English rendering for logs and the router's exclusion lines.
 */
export type QuotaWindow = 'minute' | 'day';

export type SkipReason =
  | {
      code: 'quota_exhausted';
      provider: string;
      model: string;
      /** Whose quota: the provider's as a whole or this model's. */
      scope: 'provider' | 'model';
      window: QuotaWindow;
      unit: 'requests' | 'tokens';
      used: number;
      limit: number;
      /** The request's estimated tokens (unit "tokens"). */
      requested?: number;
      /** ms until the request would fit; undefined when it never fits this window (larger than the limit). */
      nextSlotMs?: number;
    }
  | { code: 'concurrency'; provider: string; model: string; scope: 'provider' | 'model'; inFlight: number; limit: number; nextSlotMs?: number }
  /** The provider said wait: retry-after / RetryInfo, or its x-ratelimit headers say a counter is empty. */
  | { code: 'rate_limited'; provider: string; model: string; source: 'retry_after' | 'headers' | 'daily_quota'; unit?: 'requests' | 'tokens'; nextSlotMs: number }
  | { code: 'breaker_open'; provider: string; model: string; nextSlotMs: number; why: string }
  /** The breaker's one half-open probe is in flight (maybe in another window). */
  | { code: 'probe_in_flight'; provider: string; model: string; nextSlotMs?: number }
  | { code: 'needs_key'; provider: string; message?: string }
  | { code: 'out_of_credit'; provider: string; nextSlotMs: number; message?: string };

export function inSeconds(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 120_000) return `${Math.ceil(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.ceil(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

function who(r: { provider: string; model: string; scope?: 'provider' | 'model' }): string {
  return r.scope === 'provider' ? r.provider : `${r.provider}/${r.model}`;
}

/** "groq/llama-3.3-70b-versatile: 30/30 requests this minute, next slot in 12 s". */
export function describeSkip(r: SkipReason): string {
  switch (r.code) {
    case 'quota_exhausted': {
      const period = r.window === 'minute' ? 'this minute' : 'today';
      const next = r.nextSlotMs === undefined ? `; this request (${r.requested} tokens) is larger than the whole quota` : `, next slot in ${inSeconds(r.nextSlotMs)}`;
      const asked = r.unit === 'tokens' && r.requested !== undefined && r.nextSlotMs !== undefined ? ` (+${r.requested} asked)` : '';
      return `${who(r)}: ${r.used}/${r.limit} ${r.unit} ${period}${asked}${next}`;
    }
    case 'concurrency':
      return `${who(r)}: ${r.inFlight}/${r.limit} requests in flight`;
    case 'rate_limited':
      return r.source === 'retry_after'
        ? `${r.provider}/${r.model}: asked to wait, retry in ${inSeconds(r.nextSlotMs)}`
        : r.source === 'daily_quota'
          ? `${r.provider}/${r.model}: daily quota used up, resets in ${inSeconds(r.nextSlotMs)}`
          : `${r.provider}/${r.model}: no ${r.unit ?? 'requests'} left (rate-limit headers), resets in ${inSeconds(r.nextSlotMs)}`;
    case 'breaker_open':
      return `${r.provider}/${r.model}: circuit open (${r.why}), next probe in ${inSeconds(r.nextSlotMs)}`;
    case 'probe_in_flight':
      return `${r.provider}/${r.model}: recovering, a probe request is in flight`;
    case 'needs_key':
      return `${r.provider}: the API key was rejected; set a new key`;
    case 'out_of_credit':
      return `${r.provider}: out of credit until tomorrow (in ${inSeconds(r.nextSlotMs)}) or a manual reset`;
  }
}

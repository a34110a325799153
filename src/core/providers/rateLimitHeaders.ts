/**
 * The headers of an answer that say something about the provider's quota (x-ratelimit-*,
 * retry-after, retry-after-ms), copied out of the response so the reliability guard can learn
 * from every real answer, success or error (src/core/reliability/learn.ts). Only these: nothing
 * else of a response travels with an event or an error.
 */
import type { HeaderBag } from './retryAfter';

export type RateLimitHeaders = Readonly<Record<string, string>>;

const WANTED = /^(x-ratelimit-|retry-after)/i;

export function rateLimitHeaders(headers: HeaderBag): RateLimitHeaders | undefined {
  if (!headers) return undefined;
  const out: Record<string, string> = {};
  const entries: Iterable<[string, unknown]> = typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function' ? (headers as Headers).entries() : Object.entries(headers);
  for (const [name, value] of entries) {
    if (!WANTED.test(name) || value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return Object.keys(out).length ? out : undefined;
}

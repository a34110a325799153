/**
 * What a provider's answer says about its quota: the x-ratelimit-* headers that OpenAI and Groq
 * send on every answer (wire reference §4, §5), and the wait a rate-limited answer asks for
 * (retry-after, seconds or an HTTP date; Gemini's RetryInfo retryDelay in its JSON array body;
 * "Please try again in 7.66s"), read by providers/retryAfter.ts.
 *
 * Only remaining + reset are trusted, not limit-*: Groq's limit-requests is a per-day figure and
 * limit-tokens a per-minute one (wire reference §5 marks it [?]), while "0 left until reset" is
 * exact whatever window the vendor means.
 */
import { header, parseDuration, retryAfterMs, type HeaderBag } from '../providers/retryAfter';
import { vendorFacts } from '../providers/errors';

export interface LearnedCounter {
  limit?: number;
  remaining: number;
  /** ms from the answer until the counter resets. */
  resetMs: number;
}

export interface LearnedQuota {
  requests?: LearnedCounter;
  tokens?: LearnedCounter;
}

function counter(headers: HeaderBag, what: 'requests' | 'tokens'): LearnedCounter | undefined {
  const remaining = Number(header(headers, `x-ratelimit-remaining-${what}`));
  const reset = header(headers, `x-ratelimit-reset-${what}`);
  const resetMs = reset === undefined ? undefined : parseReset(reset);
  if (!Number.isFinite(remaining) || resetMs === undefined) return undefined;
  const limit = Number(header(headers, `x-ratelimit-limit-${what}`));
  return { remaining, resetMs, ...(Number.isFinite(limit) ? { limit } : {}) };
}

/** Go-style durations ("2m59.56s", "7.66s", "1h", "12ms"), or bare seconds as some proxies send. */
export function parseReset(text: string): number | undefined {
  const d = parseDuration(text);
  if (d !== undefined) return d;
  const secs = Number(text);
  return Number.isFinite(secs) && text.trim() !== '' ? secs * 1000 : undefined;
}

/** The rate-limit counters in an answer's headers; undefined when it sends none (Ollama, Zhipu, Gemini). */
export function learnFromHeaders(headers: HeaderBag): LearnedQuota | undefined {
  if (!headers) return undefined;
  const requests = counter(headers, 'requests');
  const tokens = counter(headers, 'tokens');
  return requests || tokens ? { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) } : undefined;
}

/**
 * The wait a failed answer asks for, from its headers and body (a Gemini array body included),
 * for callers that have the raw answer rather than a NormalizedError.
 */
export function waitFromAnswer(headers: HeaderBag, body: unknown, now: number): number | undefined {
  const facts = vendorFacts(body);
  return retryAfterMs(headers, { message: facts.message, geminiDetails: facts.details }, now);
}

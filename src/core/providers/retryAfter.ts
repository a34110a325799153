/**
 * How long a provider asks us to wait, from wherever it says so: `retry-after-ms`, `retry-after`
 * (seconds or an HTTP date), Gemini's RetryInfo `retryDelay` ("32s"), Groq/OpenAI messages
 * ("Please try again in 7.66s" / "in 1m26.4s" / "in 210ms"), or the x-ratelimit-reset-* headers
 * (Go-style durations such as "2m59.56s", "6m0s", "12ms").
 */

export type HeaderBag = Headers | Record<string, string | string[] | undefined> | undefined;

export function header(headers: HeaderBag, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const rec = headers as Record<string, string | string[] | undefined>;
  const v = rec[name] ?? rec[name.toLowerCase()] ?? Object.entries(rec).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(v) ? v[0] : v;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go-style duration ("1m26.4s", "7.66s", "210ms", "6m0s") to ms; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(t))) {
    total += Number(m[1]) * (UNIT_MS[m[2]!] ?? 0);
    matched = re.lastIndex;
  }
  return matched === t.length ? total : undefined;
}

/** retry-after: delta-seconds or an HTTP date. */
function parseRetryAfter(value: string, now: number): number | undefined {
  const secs = Number(value);
  if (Number.isFinite(secs) && value.trim() !== '') return Math.max(0, secs * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** "Please try again in 7.66s." / "try again in 1m26.4s" / "retry after 20 seconds" → ms. */
export function retryAfterFromMessage(message: string | undefined): number | undefined {
  if (!message) return undefined;
  const m = /(?:try again|retry) (?:in|after) ((?:\d+(?:\.\d+)?(?:ms|s|m|h))+)/i.exec(message);
  if (m) return parseDuration(m[1]!);
  const words = /(?:try again|retry) (?:in|after) (\d+(?:\.\d+)?) ?(seconds?|secs?|minutes?)/i.exec(message);
  if (words) return Number(words[1]) * (/^min/i.test(words[2]!) ? 60_000 : 1000);
  return undefined;
}

/** Gemini: details[@type=google.rpc.RetryInfo].retryDelay, e.g. "32s" or "1.5s". */
export function retryAfterFromGeminiDetails(details: unknown): number | undefined {
  if (!Array.isArray(details)) return undefined;
  for (const d of details) {
    if (d && typeof d === 'object' && String((d as Record<string, unknown>)['@type']).endsWith('google.rpc.RetryInfo')) {
      const delay = (d as Record<string, unknown>).retryDelay;
      if (typeof delay === 'string') return parseDuration(delay);
    }
  }
  return undefined;
}

/**
 * The wait a 429/503 asks for, from headers first (most precise), then body hints. For the
 * x-ratelimit-reset-* pair only the exhausted counter's reset (remaining "0") is used.
 */
export function retryAfterMs(headers: HeaderBag, hints: { message?: string; geminiDetails?: unknown } = {}, now = Date.now()): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = header(headers, 'retry-after');
  if (ra !== undefined) {
    const v = parseRetryAfter(ra, now);
    if (v !== undefined) return v;
  }
  const gemini = retryAfterFromGeminiDetails(hints.geminiDetails);
  if (gemini !== undefined) return gemini;
  const fromMessage = retryAfterFromMessage(hints.message);
  if (fromMessage !== undefined) return fromMessage;
  const resetTokens = parseDuration(header(headers, 'x-ratelimit-reset-tokens') ?? '');
  const resetRequests = parseDuration(header(headers, 'x-ratelimit-reset-requests') ?? '');
  if (header(headers, 'x-ratelimit-remaining-tokens') === '0' && resetTokens !== undefined) return resetTokens;
  if (header(headers, 'x-ratelimit-remaining-requests') === '0' && resetRequests !== undefined) return resetRequests;
  // Vendors send the reset counters on every answer; a counter that is not exhausted says nothing about this failure.
  return undefined;
}

/**
 * A fetch wrapper that keeps each error answer's body (status, headers, body) before the SDK
 * reads it, because the openai SDK keeps only `body.error` and so loses Gemini's array bodies
 * (and their RetryInfo). The body is filed under the answer's Headers object, which the SDK
 * hands on as `APIError.headers`: so one wrapper serves concurrent requests without mixing them.
 */
import type { FetchLike } from '../net/keyOrigin';
import type { HttpFailure } from './errors';

/** Error bodies larger than this are cut (an HTML error page is not worth parsing). */
const MAX_ERROR_BODY_CHARS = 64 * 1024;

export interface CapturingFetch {
  fetch: FetchLike;
  /** The error answer an SDK error came from (looked up by its `headers`), if this fetch saw it. */
  failureOf(err: unknown): HttpFailure | undefined;
}

export function capturingFetch(inner: FetchLike): CapturingFetch {
  const failures = new WeakMap<object, HttpFailure>();
  return {
    failureOf: (err) => {
      const headers = (err as { headers?: unknown } | undefined)?.headers;
      return headers && typeof headers === 'object' ? failures.get(headers) : undefined;
    },
    fetch: async (input, init) => {
      const res = await inner(input, init);
      if (!res.ok) {
        const text = await res.clone().text().catch(() => '');
        let body: unknown = text.length > MAX_ERROR_BODY_CHARS ? text.slice(0, MAX_ERROR_BODY_CHARS) : text;
        try {
          body = JSON.parse(text);
        } catch {
          /* keep the text */
        }
        failures.set(res.headers, { status: res.status, headers: res.headers, body });
      }
      return res;
    },
  };
}

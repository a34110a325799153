/**
 * A fetch wrapper that remembers the last error answer (status, headers, body) before the SDK
 * reads it, because the openai SDK keeps only `body.error` and so loses Gemini's array bodies
 * (and their RetryInfo). One wrapper per request, so concurrent requests never mix their errors.
 */
import type { FetchLike } from '../net/keyOrigin';
import type { HttpFailure } from './errors';

/** Error bodies larger than this are not kept (an HTML error page is not worth parsing). */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export function capturingFetch(inner: FetchLike): { fetch: FetchLike; lastFailure(): HttpFailure | undefined } {
  let failure: HttpFailure | undefined;
  return {
    lastFailure: () => failure,
    fetch: async (input, init) => {
      const res = await inner(input, init);
      if (!res.ok) {
        const text = await res.clone().text().catch(() => '');
        let body: unknown = text.length > MAX_ERROR_BODY_BYTES ? text.slice(0, MAX_ERROR_BODY_BYTES) : text;
        try {
          body = JSON.parse(text);
        } catch {
          /* keep the text */
        }
        failure = { status: res.status, headers: res.headers, body };
      }
      return res;
    },
  };
}

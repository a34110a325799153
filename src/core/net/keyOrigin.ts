/**
 * The key-origin rule: a provider only ever receives the key stored for the exact origin
 * (scheme + host + port) of its base URL, and a request carrying that key can only go to that
 * origin — not after a redirect, not to a URL someone edited later.
 *
 * `originOf` is the one definition of "the same endpoint" for every key store (VS Code's
 * SecretStorage, the CLI's environment, the demo's), the providers' fetch guard and the router.
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** What an endpoint URL must look like, said in every refusal. */
const ENDPOINT_EXAMPLE = 'write it like "https://api.example.com/v1"';

/**
 * "https://api.groq.com" for "https://API.Groq.com.:443/openai/v1": http(s) only; the host
 * lower-cased and IDN in punycode (the WHATWG URL parser does both); one trailing dot dropped
 * ("api.groq.com." is the same DNS name, so it must bind the same key); the port only when it is
 * not the scheme's default; no user info, path, query or fragment. Throws a readable error for
 * anything else — in particular for other schemes, whose URL origin is the opaque "null" that
 * every such URL would share.
 */
export function originOf(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(`"${baseUrl}" is not a valid endpoint URL: ${ENDPOINT_EXAMPLE}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`"${baseUrl}" is not an http(s) endpoint URL: ${ENDPOINT_EXAMPLE}`);
  const host = url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
  if (!host || host.endsWith('.')) throw new Error(`"${baseUrl}" has no valid host name: ${ENDPOINT_EXAMPLE}`);
  // url.port is '' for the scheme's default port (443, 80), so it never splits one origin in two.
  return `${url.protocol}//${host}${url.port ? `:${url.port}` : ''}`;
}

function urlOf(input: string | URL | Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/** originOf, or undefined for a URL that has no origin a key could be bound to. */
function originOrUndefined(url: string): string | undefined {
  try {
    return originOf(url);
  } catch {
    return undefined;
  }
}

/**
 * Wraps fetch so that requests can only go to `origin`, and redirects are refused instead of
 * followed: a 30x to another host would otherwise carry the request (and, with some clients,
 * its Authorization header) there. The target is compared by the same rule as the key.
 */
export function originBoundFetch(fetchImpl: FetchLike, origin: string): FetchLike {
  return (input, init) => {
    const target = urlOf(input);
    const targetOrigin = originOrUndefined(target);
    if (targetOrigin !== origin) {
      return Promise.reject(new Error(`refused to send a request for ${origin} to ${targetOrigin ?? target}: keys are bound to their endpoint`));
    }
    return fetchImpl(input, { ...init, redirect: 'error' });
  };
}

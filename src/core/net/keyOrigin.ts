/**
 * The key-origin rule: a provider only ever receives the key stored for the exact origin
 * (scheme + host + port) of its base URL, and a request carrying that key can only go to that
 * origin — not after a redirect, not to a URL someone edited later.
 */
import type { KeyStore } from '../types';

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** "https://api.groq.com" for "https://api.groq.com/openai/v1". Throws a readable error for a bad URL. */
export function originOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    throw new Error(`"${baseUrl}" is not a valid endpoint URL: write it like "https://api.example.com/v1"`);
  }
}

/** The key for this provider at this base URL's origin, or undefined. */
export function keyForEndpoint(keys: KeyStore, providerId: string, baseUrl: string): Promise<string | undefined> {
  return keys.getKey(providerId, originOf(baseUrl));
}

function urlOf(input: string | URL | Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/**
 * Wraps fetch so that requests can only go to `origin`, and redirects are refused instead of
 * followed: a 30x to another host would otherwise carry the request (and, with some clients,
 * its Authorization header) there.
 */
export function originBoundFetch(fetchImpl: FetchLike, origin: string): FetchLike {
  return (input, init) => {
    const target = new URL(urlOf(input));
    if (target.origin !== origin) {
      return Promise.reject(new Error(`refused to send a request for ${origin} to ${target.origin}: keys are bound to their endpoint`));
    }
    return fetchImpl(input, { ...init, redirect: 'error' });
  };
}

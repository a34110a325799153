/**
 * Demo mode's key store (issue 16): the demo cloud's key, bound like any key by the one
 * key-origin rule. Apart from demo.ts, which the extension loads with its first module, so that
 * the rule (src/core/net/keyOrigin.ts) is loaded from the core bundle only, on first use.
 */
import { DEMO_CLOUD_KEY, DEMO_CLOUD_PROVIDER, type DemoEndpoints } from './demo';
import { originOf } from './net/keyOrigin';
import type { KeyStore } from './types';

/** The demo cloud's key, for its origin only: the real key store is never asked in demo mode. */
export function demoKeyStore(endpoints: DemoEndpoints): KeyStore {
  const origin = originOf(endpoints.cloudBaseUrl);
  return { getKey: async (id, keyOrigin) => (id === DEMO_CLOUD_PROVIDER && keyOrigin === origin ? DEMO_CLOUD_KEY : undefined) };
}

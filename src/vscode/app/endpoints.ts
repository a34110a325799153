/**
 * Which host each provider talks to, resolved exactly as the providers resolve it (explicit URL,
 * named region, or the vendor's default), so that Set API Key binds the key to the origin the
 * requests will really go to.
 */
import type { ProviderConfig, SwitchyardConfig } from '../../core/config';
import type { Locality } from '../../core/types';
import { resolveLocality } from '../../core/net/locality';

// The router and provider modules are required inside the functions, not imported: the status
// bar and commands import this file, and the bundler would otherwise initialise the whole router
// when the extension loads, on the activation path (issue 3: activation < 50 ms).

export interface Endpoint {
  baseUrl?: string;
  locality?: Locality;
  /** Why the URL could not be resolved (unknown region, NPU without URL…). */
  problem?: string;
}

/** `trustedLocalHosts`: the user's `network.trustedLocalHosts`, so the locality is the one the router uses. */
export function endpointOf(id: string, provider: ProviderConfig, trustedLocalHosts: readonly string[] = []): Endpoint {
  try {
    const { providerBaseUrl } = require('../../core/providers') as typeof import('../../core/providers');
    const baseUrl = providerBaseUrl(id, provider);
    return { baseUrl, locality: resolveLocality(baseUrl, provider.locality, trustedLocalHosts).locality };
  } catch (err) {
    // No URL: only a "cloud" label can be believed.
    return { locality: provider.locality === 'cloud' ? 'cloud' : undefined, problem: err instanceof Error ? err.message : String(err) };
  }
}

/** The providers in force, exactly as the router builds them (the user's, else the shipped defaults). */
export function allProviders(config: SwitchyardConfig): Record<string, ProviderConfig> {
  const { effectiveProviderConfigs } = require('../../core/switchyard') as typeof import('../../core/switchyard');
  return effectiveProviderConfigs(config, process.env);
}

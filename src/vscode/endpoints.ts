/**
 * Which host each provider talks to, resolved exactly as the providers resolve it (explicit URL,
 * named region, or the vendor's default), so that Set API Key binds the key to the origin the
 * requests will really go to.
 */
import type { ProviderConfig, SwitchyardConfig } from '../core/config';
import type { Locality } from '../core/types';
import { DEFAULT_PROVIDERS } from '../core/router/defaults';
import { providerBaseUrl } from '../core/providers';
import { localityOf } from '../core/net/locality';

export interface Endpoint {
  baseUrl?: string;
  locality?: Locality;
  /** Why the URL could not be resolved (unknown region, NPU without URL…). */
  problem?: string;
}

export function endpointOf(id: string, provider: ProviderConfig): Endpoint {
  try {
    const baseUrl = providerBaseUrl(id, provider);
    return { baseUrl, locality: provider.locality ?? localityOf(baseUrl) };
  } catch (err) {
    return { locality: provider.locality, problem: err instanceof Error ? err.message : String(err) };
  }
}

/** The shipped providers with the user's settings on top (same merge as the router: user entries win). */
export function allProviders(config: SwitchyardConfig): Record<string, ProviderConfig> {
  return { ...DEFAULT_PROVIDERS, ...config.providers };
}

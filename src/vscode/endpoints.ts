/**
 * Which host each provider talks to, resolved exactly as the providers resolve it (explicit URL,
 * named region, or the vendor's default), so that Set API Key binds the key to the origin the
 * requests will really go to.
 */
import type { ProviderConfig, SwitchyardConfig } from '../core/config';
import type { Locality } from '../core/types';
import { effectiveProviderConfigs } from '../core/switchyard';
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

/** The providers in force, exactly as the router builds them (the user's, else the shipped defaults). */
export function allProviders(config: SwitchyardConfig): Record<string, ProviderConfig> {
  return effectiveProviderConfigs(config, process.env);
}

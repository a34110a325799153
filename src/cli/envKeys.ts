/**
 * The CLI's KeyStore: API keys from environment variables. A key set for a provider is bound to
 * the endpoint that provider is configured with, like keys in VS Code's SecretStorage: asked for
 * any other origin (a changed base URL, a redirect target) it returns nothing.
 */
import type { ProviderConfig } from '../core/config';
import type { KeyStore } from '../core/types';
import { originOf } from '../core/net/keyOrigin';
import { providerBaseUrl } from '../core/providers';
import { VENDOR_KEY_ENV } from '../core/router/defaults';

/** SWITCHYARD_KEY_<PROVIDER ID>, upper-cased with every other character as "_": SWITCHYARD_KEY_GROQ. */
export function switchyardKeyVar(providerId: string): string {
  return `SWITCHYARD_KEY_${providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The variables tried for a provider, in order. */
export function keyVarsFor(providerId: string, config: Pick<ProviderConfig, 'apiKeyEnv' | 'vendor'>): string[] {
  const vars = [switchyardKeyVar(providerId)];
  const own = config.apiKeyEnv ?? VENDOR_KEY_ENV[config.vendor];
  if (own && !vars.includes(own)) vars.push(own);
  return vars;
}

export function createEnvKeyStore(
  env: NodeJS.ProcessEnv,
  providers: Readonly<Record<string, Pick<ProviderConfig, 'apiKeyEnv' | 'vendor'>>>,
  /** The origin each provider is configured to call (undefined when it has no valid endpoint). */
  endpointOrigin: (providerId: string) => string | undefined,
): KeyStore {
  return {
    async getKey(providerId, origin) {
      const config = providers[providerId];
      if (!config || endpointOrigin(providerId) !== origin) return undefined;
      for (const name of keyVarsFor(providerId, config)) {
        const value = env[name]?.trim();
        if (value) return value;
      }
      return undefined;
    },
  };
}

/**
 * The environment's key store for the providers in force under `config`: each key bound to the
 * origin its provider is configured to call (the one rule, src/core/net/keyOrigin.ts). Used by
 * every process that takes keys from the environment: the CLI and the gateway.
 */
export function envKeyStoreFor(configs: Readonly<Record<string, ProviderConfig>>, env: NodeJS.ProcessEnv): KeyStore {
  return createEnvKeyStore(env, configs, (id) => {
    const c = configs[id];
    try {
      return c ? originOf(providerBaseUrl(id, c)) : undefined;
    } catch {
      return undefined;
    }
  });
}

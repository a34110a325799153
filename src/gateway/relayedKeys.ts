/**
 * The key store of a gateway started from VS Code: the keys the extension relayed over IPC
 * (hostProtocol.ts), each returned only for the (provider, endpoint origin) pair it was stored
 * for in SecretStorage, exactly as the extension's own SecretKeyStore does; then the
 * environment's keys (the same rule as `switchyard serve`).
 */
import type { KeyStore } from '../core/types';
import type { RelayedKey } from './hostProtocol';

export class RelayedKeyStore implements KeyStore {
  private keys = new Map<string, string>();

  constructor(
    keys: readonly RelayedKey[],
    private readonly fallback?: KeyStore,
  ) {
    this.replace(keys);
  }

  /** The whole set at once: a key removed in VS Code stops being served at once. */
  replace(keys: readonly RelayedKey[]): void {
    this.keys = new Map(keys.filter((k) => k.key.trim()).map((k) => [slot(k.provider, k.origin), k.key.trim()]));
  }

  async getKey(providerId: string, endpointOrigin: string): Promise<string | undefined> {
    return this.keys.get(slot(providerId, endpointOrigin)) ?? (await this.fallback?.getKey(providerId, endpointOrigin));
  }
}

const slot = (provider: string, origin: string) => `${provider}\u0000${origin}`;

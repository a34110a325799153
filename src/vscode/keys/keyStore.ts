/**
 * API keys in VS Code's SecretStorage (the OS keychain), each bound to a provider id AND the
 * endpoint origin it was entered for. The router asks for (provider, origin of the URL it is
 * about to call); if the base URL was changed since, the origin differs and no key comes back,
 * so a key can never be sent to a host it was not stored for.
 *
 * SecretStorage cannot list its entries (no `keys()` before VS Code 1.10x), so an index of
 * (provider, origin) pairs — never the keys themselves — is kept in globalState.
 */
import * as vscode from 'vscode';
import type { KeyStore } from '../../core/types';

/** Secret names look like "switchyard.apiKey:groq@https://api.groq.com". */
const SECRET_PREFIX = 'switchyard.apiKey:';
const INDEX_KEY = 'switchyard.apiKeyIndex';

export interface StoredKeyRef {
  provider: string;
  origin: string;
}

/**
 * The core's one key-origin rule (src/core/net/keyOrigin.ts), required on first use rather than
 * imported: the key store is built on activation, the rule is needed only once a key is read or
 * stored (issue 3: activation < 50 ms).
 */
function originOf(url: string): string {
  return (require('../../core/net/keyOrigin') as typeof import('../../core/net/keyOrigin')).originOf(url);
}

export class SecretKeyStore implements KeyStore {
  private readonly changed = new vscode.EventEmitter<StoredKeyRef>();
  /** Fires after a key was stored or removed (not with the key). */
  readonly onDidChange = this.changed.event;
  /** Key values read this session, so the logger can scrub them from anything it writes. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly state: vscode.Memento,
  ) {}

  async getKey(providerId: string, endpointOrigin: string): Promise<string | undefined> {
    const origin = safeOrigin(endpointOrigin);
    if (!origin) return undefined;
    const key = await this.secrets.get(secretName(providerId, origin));
    if (key) this.seen.add(key);
    return key || undefined;
  }

  async setKey(providerId: string, endpointOrigin: string, key: string): Promise<void> {
    const origin = originOf(endpointOrigin);
    const trimmed = key.trim();
    if (!trimmed) throw new Error('empty key');
    await this.secrets.store(secretName(providerId, origin), trimmed);
    this.seen.add(trimmed);
    const index = this.list().filter((ref) => !(ref.provider === providerId && ref.origin === origin));
    index.push({ provider: providerId, origin });
    await this.state.update(INDEX_KEY, index);
    this.changed.fire({ provider: providerId, origin });
  }

  async removeKey(providerId: string, endpointOrigin: string): Promise<void> {
    const origin = originOf(endpointOrigin);
    await this.secrets.delete(secretName(providerId, origin));
    await this.state.update(
      INDEX_KEY,
      this.list().filter((ref) => !(ref.provider === providerId && ref.origin === origin)),
    );
    this.changed.fire({ provider: providerId, origin });
  }

  /** Which (provider, origin) pairs have a key. No values. */
  list(): StoredKeyRef[] {
    const raw = this.state.get<unknown>(INDEX_KEY);
    if (!Array.isArray(raw)) return [];
    return raw.filter(
      (r): r is StoredKeyRef => !!r && typeof r.provider === 'string' && typeof r.origin === 'string',
    );
  }

  /** Keys read or stored this session; used only to redact log lines. */
  knownSecrets(): ReadonlySet<string> {
    return this.seen;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function secretName(providerId: string, origin: string): string {
  return `${SECRET_PREFIX}${providerId}@${origin}`;
}

function safeOrigin(url: string): string | undefined {
  try {
    return originOf(url);
  } catch {
    return undefined;
  }
}

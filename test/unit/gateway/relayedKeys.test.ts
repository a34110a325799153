/**
 * The key store of a gateway started from VS Code: a relayed key is served only for the exact
 * (provider, origin) it was stored for in SecretStorage; otherwise the environment's store answers;
 * a new set replaces the old one whole (a key removed in VS Code is gone at once).
 */
import { strict as assert } from 'node:assert';
import { RelayedKeyStore } from '../../../src/gateway/relayedKeys';
import type { KeyStore } from '../../../src/core/types';

describe('gateway RelayedKeyStore: relayed keys bound to their origins', () => {
  const envKeys: KeyStore = { getKey: async (provider, origin) => (provider === 'openai' && origin === 'https://api.openai.com' ? 'sk-env' : undefined) };

  it('serves a relayed key only to the provider and origin it was stored for', async () => {
    const store = new RelayedKeyStore([{ provider: 'groq', origin: 'https://api.groq.com', key: ' gsk_1 ' }], envKeys);
    assert.equal(await store.getKey('groq', 'https://api.groq.com'), 'gsk_1');
    assert.equal(await store.getKey('groq', 'https://evil.example'), undefined, 'another origin never gets it');
    assert.equal(await store.getKey('openai', 'https://api.groq.com'), undefined, 'another provider never gets it');
  });

  it('falls back to the environment, and a new set replaces the old one whole', async () => {
    const store = new RelayedKeyStore([{ provider: 'groq', origin: 'https://api.groq.com', key: 'gsk_1' }], envKeys);
    assert.equal(await store.getKey('openai', 'https://api.openai.com'), 'sk-env');
    store.replace([]);
    assert.equal(await store.getKey('groq', 'https://api.groq.com'), undefined);
  });
});

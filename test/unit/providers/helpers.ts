/** Shared test helpers: build providers against the doubles, drain streams, record key look-ups. */
import { configSchema, providerConfigSchema, type ProviderConfig } from '../../../src/core/config';
import { createProvider } from '../../../src/core/providers';
import { type KeyStore, type NormalizedError, type Provider, type ProviderEvent, type ProviderRequest, SwitchyardError } from '../../../src/core/types';

export interface Drained {
  events: ProviderEvent[];
  text: string;
  thinking: string;
  error?: NormalizedError;
  /** Error thrown that was not a SwitchyardError (a bug: providers must classify everything). */
  raw?: unknown;
}

export async function drain(stream: AsyncIterable<ProviderEvent>): Promise<Drained> {
  const out: Drained = { events: [], text: '', thinking: '' };
  try {
    for await (const ev of stream) {
      out.events.push(ev);
      if (ev.type === 'text') out.text += ev.text;
      if (ev.type === 'thinking') out.thinking += ev.text;
    }
  } catch (err) {
    if (err instanceof SwitchyardError) out.error = err.info;
    else out.raw = err;
  }
  return out;
}

/** A KeyStore holding keys per "providerId origin", recording every look-up. */
export function recordingKeys(keys: Record<string, string>): KeyStore & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    async getKey(providerId: string, origin: string) {
      lookups.push(`${providerId} ${origin}`);
      return keys[`${providerId} ${origin}`];
    },
  };
}

export function providerConfig(partial: Partial<ProviderConfig> & Pick<ProviderConfig, 'kind'>): ProviderConfig {
  return providerConfigSchema.parse(partial);
}

/** A direct network (no proxy from the test runner's environment). */
export const directNetwork = configSchema.parse({}).network;

export function makeProvider(id: string, partial: Partial<ProviderConfig> & Pick<ProviderConfig, 'kind'>, keys: KeyStore = recordingKeys({})): Provider {
  return createProvider(id, providerConfig(partial), { keys, network: directNetwork, env: {} });
}

export function request(partial: Partial<ProviderRequest> = {}): ProviderRequest {
  return {
    model: 'm',
    messages: [{ role: 'user', content: 'Say hello' }],
    signal: new AbortController().signal,
    ...partial,
  };
}

export const lastOf = <T extends ProviderEvent['type']>(events: ProviderEvent[], type: T) =>
  events.filter((e) => e.type === type).at(-1) as Extract<ProviderEvent, { type: T }> | undefined;

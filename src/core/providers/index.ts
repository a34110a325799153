/**
 * `createProvider`: a configured provider entry → the Provider that speaks its protocol, with
 * its base URL resolved (explicit URL, named region, or the vendor's default), its locality
 * (loopback or a user-trusted host is local; a "local" label elsewhere is ignored), and its network route (local providers always direct,
 * cloud ones through the proxy when one is configured).
 */
import type { ProviderConfig, SwitchyardConfig } from '../config';
import type { FetchLike } from '../net/keyOrigin';
import { type Network, createNetwork } from '../net/proxy';
import { resolveLocality } from '../net/locality';
import type { KeyStore, Logger, Provider } from '../types';
import { NpuSimpleProvider } from './npuSimple';
import { DEFAULT_OLLAMA_URL, OllamaProvider } from './ollama';
import { OpenAICompatibleProvider } from './openaiCompatible';
import { resolveBaseUrl } from './vendors';

export interface ProviderDeps {
  keys: KeyStore;
  /**
   * Proxy / CA routing: a built Network, or the `network` settings section (a Network is built
   * from it once per section object, reading HTTPS_PROXY / HTTP_PROXY / NO_PROXY from `env`).
   */
  network?: Network | SwitchyardConfig['network'];
  /** Replaces the network's fetch for this provider entirely (a test's fetch, a caller's own). */
  fetch?: FetchLike;
  /** Environment for proxy variables; process.env when absent. */
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** Hosts the user confirmed as local (`network.trustedLocalHosts`); read from `network` when it is a settings section. */
  trustedLocalHosts?: readonly string[];
}

const networks = new WeakMap<object, Network>();
let directNetwork: Network | undefined;

/** One Network (one connection pool per proxy) per settings section, shared by every provider built from it. */
export function networkFor(section: Network | SwitchyardConfig['network'] | undefined, env: Record<string, string | undefined> = process.env, logger?: Logger): Network {
  if (!section) return (directNetwork ??= createNetwork({ env }));
  if ('fetch' in section) return section;
  let net = networks.get(section);
  if (!net) {
    net = createNetwork({ proxy: section.proxy, noProxy: section.noProxy, caCertPaths: section.caCertPaths, env });
    for (const problem of net.problems) logger?.warn('network.problem', { problem });
    networks.set(section, net);
  }
  return net;
}

/** The endpoint a provider config resolves to. Throws a readable Error for an unknown region or a missing NPU URL. */
export function providerBaseUrl(id: string, config: ProviderConfig): string {
  switch (config.kind) {
    case 'ollama':
      return (config.baseUrl ?? DEFAULT_OLLAMA_URL).replace(/\/+$/, '');
    case 'npu-simple':
      if (!config.baseUrl) throw new Error(`Provider "${id}" (npu-simple) needs a baseUrl, e.g. "http://127.0.0.1:8000".`);
      return config.baseUrl.replace(/\/+$/, '');
    default:
      return resolveBaseUrl(config);
  }
}

export function createProvider(id: string, config: ProviderConfig, deps: ProviderDeps): Provider {
  const baseUrl = providerBaseUrl(id, config);
  const trusted = deps.trustedLocalHosts ?? (deps.network && !('fetch' in deps.network) ? deps.network.trustedLocalHosts : undefined) ?? [];
  const { locality, labelIgnored } = resolveLocality(baseUrl, config.locality, trusted);
  if (labelIgnored) deps.logger?.warn('provider.locality_label_ignored', { provider: id, because: labelIgnored });
  const network = networkFor(deps.network, deps.env, deps.logger);
  // A local provider (loopback or trusted by the user) never goes through the proxy.
  const fetchImpl = deps.fetch ?? (locality === 'local' ? network.directFetch : network.fetch);
  const common = { id, config, baseUrl, locality, fetch: fetchImpl };
  switch (config.kind) {
    case 'ollama':
      return new OllamaProvider(common);
    case 'npu-simple':
      return new NpuSimpleProvider({ ...common, keyStore: deps.keys });
    default:
      return new OpenAICompatibleProvider({ ...common, keyStore: deps.keys });
  }
}

export { OllamaProvider, DEFAULT_OLLAMA_URL } from './ollama';
export { OpenAICompatibleProvider } from './openaiCompatible';
export { NpuSimpleProvider, flattenMessages } from './npuSimple';
export { VENDORS, resolveBaseUrl, type VendorQuirks, type VendorName } from './vendors';
export { classifyError, classifyHttpFailure, redact, type ErrorContext, type HttpFailure } from './errors';

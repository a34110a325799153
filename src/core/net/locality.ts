/**
 * Which endpoints are "local": on this machine, so no byte leaves it and no proxy is used.
 * Only loopback counts (127.0.0.0/8, ::1, localhost and *.localhost per RFC 6761): a LAN address
 * such as 192.168.1.20 is another machine, so it is treated as cloud for the Local-only guarantee.
 *
 * The one exception is a host the user names in their own settings
 * (`switchyard.network.trustedLocalHosts`, machine-scoped so a workspace cannot set it): "this
 * box on my LAN is mine". A provider's `locality: "local"` label alone never makes an address
 * local — it is a claim in a settings file, not a fact about the network.
 */
import type { Locality } from '../types';

/** True for loopback host names and addresses (brackets around IPv6 allowed). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  // IPv4-mapped IPv6 loopback: ::ffff:127.0.0.1, which URL parsing normalizes to ::ffff:7f00:1.
  if (/^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host)) return true;
  const v4 = host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** "local" when the URL points at this machine, "cloud" otherwise (also for unparsable URLs: the safe side). */
export function localityOf(url: string): Locality {
  try {
    return isLoopbackHost(new URL(url).hostname) ? 'local' : 'cloud';
  } catch {
    return 'cloud';
  }
}

/**
 * True when the URL's host is one the user confirmed as theirs. An entry is a host name or
 * address ("192.168.1.20", "gpu-box.lan", "[fe80::1]"), optionally with a port
 * ("192.168.1.20:8000", which then matches that port only), or a whole URL whose host and port
 * are taken. Exact match, no wildcards: trusting "*.lan" would trust whatever DNS says.
 */
export function isTrustedLocalHost(url: string, trusted: readonly string[]): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const entry of trusted) {
    const parsed = parseTrustedEntry(entry);
    if (!parsed || parsed.host !== target.hostname.toLowerCase()) continue;
    if (parsed.port === undefined || parsed.port === port) return true;
  }
  return false;
}

function parseTrustedEntry(entry: string): { host: string; port?: string } | undefined {
  const text = entry.trim();
  if (!text) return undefined;
  try {
    const u = new URL(text.includes('://') ? text : `http://${text}`);
    // A bare "host" has no port; "host:80" keeps its port even though URL drops the default.
    const explicitPort = u.port || (/:(\d+)\/?$/.exec(text)?.[1] ?? '');
    return { host: u.hostname.toLowerCase(), ...(explicitPort ? { port: explicitPort } : {}) };
  } catch {
    return undefined;
  }
}

/** A provider's locality, and why a `locality: "local"` label was not believed. */
export interface ResolvedLocality {
  locality: Locality;
  /** Set when settings labelled the provider local but its host is neither loopback nor trusted. */
  labelIgnored?: string;
}

/**
 * The locality a provider really has. A "cloud" label is always kept (more private is always
 * allowed); "local" holds only for loopback or a trusted host, otherwise it is cloud and
 * `labelIgnored` says why, for the log.
 */
export function resolveLocality(url: string, label: Locality | undefined, trusted: readonly string[] = []): ResolvedLocality {
  if (label === 'cloud') return { locality: 'cloud' };
  if (localityOf(url) === 'local' || isTrustedLocalHost(url, trusted)) return { locality: 'local' };
  if (label === 'local') {
    return {
      locality: 'cloud',
      labelIgnored: `${hostOf(url)} is not a loopback address and is not in switchyard.network.trustedLocalHosts (user settings), so it counts as cloud`,
    };
  }
  return { locality: 'cloud' };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

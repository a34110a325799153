/**
 * Which endpoints are "local": on this machine, so no byte leaves it and no proxy is used.
 * Only loopback counts (127.0.0.0/8, ::1, localhost and *.localhost per RFC 6761): a LAN address
 * such as 192.168.1.20 is another machine, so it is treated as cloud for the Local-only guarantee.
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

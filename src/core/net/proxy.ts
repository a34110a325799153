/**
 * How Switchyard's HTTP requests reach the network: through an HTTP(S) proxy when one is
 * configured (`switchyard.network.proxy`, VS Code's `http.proxy` passed in by the adapter, or
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY for the CLI), directly otherwise, with extra CA
 * certificates for corporate TLS inspection. Loopback endpoints never use the proxy: a local
 * model must keep working, and stay local, whatever the proxy does.
 *
 * A proxied or CA-extended request uses undici's own fetch with its dispatchers (ProxyAgent
 * tunnels with CONNECT), because Node 20's built-in fetch bundles an older undici whose
 * dispatcher API does not match the `undici` package's. Requests with nothing to route use the
 * built-in fetch.
 */
import fs from 'node:fs';
import tls from 'node:tls';
import type { Dispatcher } from 'undici';
import type { FetchLike } from './keyOrigin';
import { isLoopbackHost } from './locality';

type Undici = typeof import('undici');
let undiciModule: Undici | undefined;
/**
 * undici is half a megabyte of bundle: it is required on the first proxied or CA-extended
 * request only, so that activating the extension (and every direct request) never pays for it.
 */
function undici(): Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
  return (undiciModule ??= require('undici') as Undici);
}

export interface NetworkOptions {
  /** Proxy URL, e.g. "http://proxy.corp:3128" or "http://user:pass@proxy:8080". Wins over the environment. */
  proxy?: string;
  /** Hosts that bypass the proxy: "example.com" (and its subdomains), ".example.com", "*.example.com", "host:port", "10.0.0.0/8", "*". */
  noProxy?: string[];
  /** PEM files with extra CA certificates, added to Node's bundled roots. */
  caCertPaths?: string[];
  /** Environment to read HTTPS_PROXY / HTTP_PROXY / NO_PROXY from (the CLI passes process.env; the extension passes nothing). */
  env?: Record<string, string | undefined>;
}

export type Route = { via: 'direct' } | { via: 'proxy'; proxy: string };

export interface Network {
  /** A fetch that picks the route per request URL. */
  fetch: FetchLike;
  /** A fetch that never uses the proxy (for providers declared local), still with the extra CAs. */
  directFetch: FetchLike;
  /** The route a URL would take, with proxy credentials hidden (for logs and the decision record). */
  routeFor(url: string): Route;
  /** Problems met while setting up (an unreadable CA file…), as sentences a user can act on. */
  problems: string[];
  close(): Promise<void>;
}

/** Reads the first set variable among the usual spellings (curl honours lowercase first). */
function envVar(env: Record<string, string | undefined>, name: string): string | undefined {
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v && v.trim() ? v.trim() : undefined;
}

export function createNetwork(options: NetworkOptions = {}): Network {
  const env = options.env ?? {};
  const problems: string[] = [];
  const httpsProxy = options.proxy ?? envVar(env, 'https_proxy') ?? envVar(env, 'all_proxy');
  const httpProxy = options.proxy ?? envVar(env, 'http_proxy') ?? envVar(env, 'all_proxy');
  const noProxy = [...(options.noProxy ?? []), ...(envVar(env, 'no_proxy')?.split(',') ?? [])].map((s) => s.trim()).filter(Boolean);

  const extraCa: string[] = [];
  for (const path of options.caCertPaths ?? []) {
    try {
      extraCa.push(fs.readFileSync(path, 'utf8'));
    } catch (err) {
      problems.push(`Cannot read the CA certificate file "${path}" (switchyard.network.caCertPaths): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Requests go on without it.`);
    }
  }
  const ca = extraCa.length ? [...tls.rootCertificates, ...extraCa] : undefined;

  const dispatchers = new Map<string, Dispatcher>();
  const dispatcherFor = (key: string, make: () => Dispatcher) => {
    let d = dispatchers.get(key);
    if (!d) dispatchers.set(key, (d = make()));
    return d;
  };
  const validProxy = (p: string | undefined): string | undefined => {
    if (!p) return undefined;
    try {
      const u = new URL(p.includes('://') ? p : `http://${p}`);
      return u.href;
    } catch {
      problems.push(`The proxy "${redactProxy(p)}" is not a URL: write it like "http://proxy.example.com:3128". Requests go direct.`);
      return undefined;
    }
  };
  const proxies = { 'https:': validProxy(httpsProxy), 'http:': validProxy(httpProxy) };

  const routeOf = (url: URL): { via: 'direct' } | { via: 'proxy'; proxy: string } => {
    const proxy = proxies[url.protocol as 'http:' | 'https:'];
    if (!proxy || bypassesProxy(url, noProxy)) return { via: 'direct' };
    return { via: 'proxy', proxy };
  };

  const fetchVia = (direct: boolean): FetchLike => (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const route = direct ? ({ via: 'direct' } as const) : routeOf(url);
    let dispatcher: Dispatcher | undefined;
    if (route.via === 'proxy') {
      dispatcher = dispatcherFor(`proxy ${route.proxy}`, () => new (undici().ProxyAgent)({ uri: route.proxy, ...(ca ? { requestTls: { ca }, proxyTls: { ca } } : {}) }));
    } else if (ca) {
      dispatcher = dispatcherFor('direct+ca', () => new (undici().Agent)({ connect: { ca } }));
    }
    // Nothing to route: Node's built-in fetch (measurably faster per chunk than the undici package's).
    if (!dispatcher) return globalThis.fetch(input, init);
    const { fetch: undiciFetch } = undici();
    return undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
  };

  return {
    fetch: fetchVia(false),
    directFetch: fetchVia(true),
    routeFor(url) {
      const route = routeOf(new URL(url));
      return route.via === 'proxy' ? { via: 'proxy', proxy: redactProxy(route.proxy) } : route;
    },
    problems,
    async close() {
      await Promise.all([...dispatchers.values()].map((d) => d.close().catch(() => undefined)));
      dispatchers.clear();
    },
  };
}

/** "http://user:secret@proxy:3128" → "http://user:***@proxy:3128". */
export function redactProxy(proxy: string): string {
  return proxy.replace(/\/\/([^:/@]+):([^@/]+)@/, '//$1:***@');
}

/** Whether a URL skips the proxy: loopback always, then NO_PROXY rules in curl's style. */
export function bypassesProxy(url: URL, noProxy: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (isLoopbackHost(host)) return true;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy) {
    const entry = raw.toLowerCase();
    if (entry === '*') return true;
    if (entry.includes('/')) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    const m = /^(.*?)(?::(\d+))?$/.exec(entry);
    const entryHost = (m?.[1] ?? entry).replace(/^\*?\./, '');
    const entryPort = m?.[2];
    if (entryPort && entryPort !== port) continue;
    if (host === entryHost || host.endsWith(`.${entryHost}`)) return true;
  }
  return false;
}

function inCidr(host: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  const a = ipv4ToInt(host);
  const b = base ? ipv4ToInt(base) : undefined;
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) >>> 0 === (b & mask) >>> 0;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n >>> 0;
}

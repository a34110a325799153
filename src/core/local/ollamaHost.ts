/**
 * Where Ollama listens, parsed from OLLAMA_HOST exactly as Ollama itself parses it
 * (ollama/ollama envconfig.Host): "host", "host:port", "scheme://host:port[/path]", with
 * surrounding quotes and spaces ignored, IPv6 in brackets, and a bad port falling back to the default.
 */
import { isLoopbackHost } from '../net/locality';

/** Ollama's documented default port (docs/faq.md, envconfig.Host). */
export const OLLAMA_DEFAULT_PORT = 11434;
/** With an explicit scheme and no port, Ollama uses the scheme's port (envconfig.Host). */
const SCHEME_DEFAULT_PORT: Record<string, number> = { http: 80, https: 443 };
/** Addresses a server binds to mean "every interface"; a client reaches them on loopback. */
const UNSPECIFIED = new Set(['0.0.0.0', '::', '']);

export interface OllamaHost {
  /** Base URL a client uses, without a trailing slash: "http://127.0.0.1:11434". */
  baseUrl: string;
  /** Host name or IP as written (unspecified addresses mapped to 127.0.0.1). */
  hostname: string;
  port: number;
  /** True when the server would run on this machine, so Switchyard may start it. */
  isLoopback: boolean;
  /** The value to put in OLLAMA_HOST for a `ollama serve` we start ("127.0.0.1:11434"). */
  serveAddress: string;
}

export function parseOllamaHost(raw: string | undefined): OllamaHost {
  // envconfig.Var trims spaces then quotes.
  const value = (raw ?? '').trim().replace(/^["']+|["']+$/g, '');
  let scheme = 'http';
  let rest = value;
  let defaultPort = OLLAMA_DEFAULT_PORT;
  const sep = value.indexOf('://');
  if (sep >= 0) {
    scheme = value.slice(0, sep).toLowerCase();
    rest = value.slice(sep + 3);
    defaultPort = SCHEME_DEFAULT_PORT[scheme] ?? OLLAMA_DEFAULT_PORT;
  }
  const slash = rest.indexOf('/');
  const path = slash >= 0 ? rest.slice(slash).replace(/\/+$/, '') : '';
  const hostport = slash >= 0 ? rest.slice(0, slash) : rest;

  let hostname: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(hostport);
  if (bracketed) {
    hostname = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if ((hostport.match(/:/g) ?? []).length === 1) {
    [hostname, portText] = hostport.split(':') as [string, string];
  } else {
    // No port, or a bare IPv6 address: the whole thing is the host.
    hostname = hostport;
  }
  let port = defaultPort;
  if (portText !== undefined && portText !== '') {
    const n = Number(portText);
    if (Number.isInteger(n) && n >= 0 && n <= 65535) port = n;
  }
  if (UNSPECIFIED.has(hostname)) hostname = '127.0.0.1';
  const isLoopback = isLoopbackHost(hostname);
  const hostInUrl = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    baseUrl: `${scheme}://${hostInUrl}:${port}${path}`,
    hostname,
    port,
    isLoopback,
    // A server we start binds loopback only (0.0.0.0 was mapped to 127.0.0.1 above): Switchyard's
    // own servers never listen on the network. A remote host is never started at all.
    serveAddress: `${hostInUrl}:${port}`,
  };
}

/** The configured host wins over the OLLAMA_HOST environment variable, which wins over the default. */
export function resolveOllamaHost(configured: string | undefined, env: NodeJS.ProcessEnv): OllamaHost {
  return parseOllamaHost(configured?.trim() ? configured : env.OLLAMA_HOST);
}

/**
 * The gateway's gate, run on every request before its body is read (a local server is a target
 * for every web page the user opens):
 *
 *   1. Host must be localhost or a loopback address (or the explicitly bound --host) with the
 *      server's port: a page on evil.example whose DNS is re-pointed at 127.0.0.1 sends
 *      "Host: evil.example:8000" and is refused (DNS rebinding).
 *   2. A browser's Origin must be on gateway.allowedOrigins; without one, no page can call, and
 *      no CORS header is ever sent. Allowed origins get CORS (and their preflight) and still
 *      need the token.
 *   3. The token, as "Authorization: Bearer <token>" or "X-API-Key: <token>", compared in
 *      constant time. Only the health routes are open.
 */
import { isIP } from 'node:net';
import { GatewayError } from './errors';
import { type GatewayLocale, gatewayText } from './messages';
import { tokenMatches } from './token';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);
/** Paths that answer without the token: the health checks (issue 19: /health is the only open route). */
export const OPEN_PATHS = new Set(['/health', '/api/llm/health', '/api/v1/llm/health']);

export interface GateOptions {
  /** The port the server listens on (the Host header must name it). */
  port: () => number;
  /** The address bound, when it is not a loopback or wildcard one (then it is a valid Host too). */
  boundHost?: string;
  allowedOrigins: () => readonly string[];
  token: () => string;
  tokenFile: string;
  locale: GatewayLocale;
}

/** Hostname and port of a Host header value ("localhost:8000", "[::1]:8000"); undefined when unreadable. */
export function parseHost(host: string | undefined): { name: string; port?: number } | undefined {
  if (!host) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  if (!m) return undefined;
  const name = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!;
  return { name, port: m[2] !== undefined ? Number(m[2]) : undefined };
}

function isLoopback(name: string): boolean {
  if (LOOPBACK_NAMES.has(name) || name.endsWith('.localhost')) return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

export function checkHost(hostHeader: string | undefined, o: GateOptions): void {
  const host = parseHost(hostHeader);
  const bound = o.boundHost?.toLowerCase();
  const nameOk = host !== undefined && (isLoopback(host.name) || (bound !== undefined && host.name === bound));
  if (!nameOk || host.port !== o.port()) {
    throw new GatewayError('INVALID_REQUEST', gatewayText(o.locale, 'hostNotAllowed', hostHeader ?? '', o.port()), { reason: 'host_not_allowed' });
  }
}

/** Whether this Origin may call; undefined Origin (curl, SDKs, editors) is not a browser and passes this check. */
export function originAllowed(origin: string | undefined, o: GateOptions): boolean {
  return origin === undefined || o.allowedOrigins().includes(origin);
}

export function checkOrigin(origin: string | undefined, o: GateOptions): void {
  if (!originAllowed(origin, o)) throw new GatewayError('UNAUTHORIZED', gatewayText(o.locale, 'originNotAllowed', origin ?? ''), { reason: 'origin_not_allowed' });
}

/** The token presented, from either header. */
export function presentedToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1]!.trim();
  }
  const key = headers['x-api-key'];
  return typeof key === 'string' ? key.trim() : undefined;
}

export function checkToken(headers: Record<string, string | string[] | undefined>, o: GateOptions): void {
  if (!tokenMatches(presentedToken(headers), o.token())) {
    throw new GatewayError('UNAUTHORIZED', gatewayText(o.locale, 'unauthorized', o.tokenFile), { reason: 'invalid_token' });
  }
}

/**
 * The gateway's one bearer token: 32 random bytes (256 bits, the size of an HMAC-SHA256 key and
 * what LiteLLM's and Portkey's generated keys carry), made on first start and kept in
 * `gateway/token` in the state directory (src/core/stateDir.ts), mode 0600 in a 0700 folder, so
 * only the user (and root) can read it. Every process of the machine (the CLI's `serve`, later
 * the extension host's server) reads the same file, so one token works for whichever runs.
 *
 * Compared in constant time (crypto.timingSafeEqual over SHA-256 digests, so the lengths are
 * equal too and a wrong length leaks nothing).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { stateDir } from '../core/stateDir';

/** Bytes of randomness in a token (issue 19: at least 32). */
export const TOKEN_BYTES = 32;
/** Prefix that makes a leaked token recognisable to secret scanners and to the user. */
const TOKEN_PREFIX = 'sy-';

export function gatewayDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'gateway');
}

export function tokenPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(gatewayDir(env), 'token');
}

function newToken(): string {
  return TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Writes the token so that no moment exists where the file is readable by others (created 0600, then renamed). */
async function writeToken(file: string, token: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(tmp, token + '\n', { mode: 0o600, flag: 'wx' });
  await fs.rename(tmp, file);
}

/** The token, created on first call. A file that others can read is tightened to 0600 first. */
export async function loadOrCreateToken(file: string): Promise<string> {
  try {
    const stat = await fs.stat(file);
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) await fs.chmod(file, 0o600);
    const token = (await fs.readFile(file, 'utf8')).trim();
    if (token.length >= TOKEN_BYTES) return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // Missing (or truncated to nothing usable): a new one. Two processes starting at once may both
  // write; the rename makes one win whole, and each then reads the file back.
  await writeToken(file, newToken());
  return (await fs.readFile(file, 'utf8')).trim();
}

/** Replaces the token; a running gateway must be told (Gateway.setToken) — the old one stops working there at once. */
export async function rotateToken(file: string): Promise<string> {
  const token = newToken();
  await writeToken(file, token);
  return token;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time equality of a presented token and the real one. */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(token));
}

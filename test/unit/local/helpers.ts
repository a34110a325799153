/** Shared helpers of the local-sidecar tests: a recording logger, free ports, the fake `ollama` on PATH. */
import * as net from 'node:net';
import * as path from 'node:path';
import type { Logger } from '../../../src/core/types';

export const FAKE_BIN_DIR = path.resolve(__dirname, '../../servers/fake-ollama-bin');

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  event: string;
  fields?: Record<string, unknown>;
}

export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const push = (level: LogLine['level']) => (event: string, fields?: Record<string, unknown>) => void lines.push({ level, event, ...(fields ? { fields } : {}) });
  return { lines, info: push('info'), warn: push('warn'), error: push('error') };
}

/** A port nobody listens on right now (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves when `predicate` holds, checking on each event and every 20 ms; rejects after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, timeoutMs = 8_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

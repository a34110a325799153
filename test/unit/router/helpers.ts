/**
 * Shared pieces for the router tests: an origin-bound in-memory KeyStore (the real contract,
 * not a mock), a logger that records events, and a collector for a stream's events.
 */
import { parseConfig, type SwitchyardConfig } from '../../../src/core/config';
import type { KeyStore, Logger, StreamEvent } from '../../../src/core/types';

/** Keys by "provider@origin", exactly as the KeyStore contract binds them. */
export function memoryKeyStore(keys: Record<string, string>): KeyStore & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async getKey(provider, origin) {
      asked.push(`${provider}@${origin}`);
      return keys[`${provider}@${origin}`];
    },
  };
}

export function recordingLogger(): Logger & { lines: { level: string; event: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; event: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (event: string, fields?: Record<string, unknown>) => void lines.push({ level, event, fields });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

export function config(raw: Record<string, unknown>): SwitchyardConfig {
  const { config, problems } = parseConfig(raw);
  if (problems.length) throw new Error(`test config has problems: ${JSON.stringify(problems)}`);
  return config;
}

export async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const ev of events) out.push(ev);
  return out;
}

export function types(events: StreamEvent[]): string[] {
  // Consecutive text/thinking deltas collapse into one entry, so orders read clearly.
  const out: string[] = [];
  for (const ev of events) if (!((ev.type === 'text' || ev.type === 'thinking') && out[out.length - 1] === ev.type)) out.push(ev.type);
  return out;
}

export function textOf(events: StreamEvent[], attempt?: number): string {
  return events.map((e) => (e.type === 'text' && (attempt === undefined || e.attempt === attempt) ? e.text : '')).join('');
}

/** A 127.0.0.1 port with nothing listening (connection refused). */
export async function closedPort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as import('node:net').AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

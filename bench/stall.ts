/**
 * How long a stalled answer takes to end once it should (issue 14: target < 100 ms): the time
 * from the idle timeout's deadline, or from the abort, to the end of the provider's stream, for
 * a double that stalls mid-stream or before its headers, with a forced GC inside every stall
 * (after one, Node's fetch no longer passed the abort on, and the stream never ended).
 *
 * The deadline is taken on the reader's side, as the guard counts it: from the moment the reader
 * asked for the part after the last one it got (mid-stream), or for the first one (before headers).
 * Run: npx tsx bench/stall.ts [runs]
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { providerConfigSchema } from '../src/core/config';
import { createNetwork } from '../src/core/net';
import { createProvider } from '../src/core/providers';
import type { KeyStore, Provider, ProviderEvent } from '../src/core/types';
import type { Chunking, ServerHandle } from '../test/servers/http';
import { startOllamaServer } from '../test/servers/ollama';
import { startOpenAICompatibleServer } from '../test/servers/openaiCompatible';
import { percentile } from './streamTiming';

/** Measured runs per case. */
const RUNS = Number(process.argv[2] ?? 20);
/** The providers' idle timeout here: short so the bench is quick; the guard's work does not depend on it. */
const IDLE_TIMEOUT_MS = 200;
/** When the abort cases abort: well inside the stall, after the GC. */
const ABORT_AFTER_MS = 50;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface Subject {
  name: string;
  server: ServerHandle & { enqueue(reply: object): void };
  provider: Provider;
  model: string;
}

async function subjects(): Promise<Subject[]> {
  const network = createNetwork({});
  const ollama = await startOllamaServer({ models: ['llama3.2'] });
  const groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: 'gsk-bench' });
  const keys: KeyStore = { getKey: async () => 'gsk-bench' };
  const make = (id: string, cfg: object) => createProvider(id, providerConfigSchema.parse({ ...cfg, timeoutMs: IDLE_TIMEOUT_MS }), { keys, network, env: {} });
  return [
    { name: 'ollama', server: ollama, provider: make('ollama', { kind: 'ollama', baseUrl: ollama.url }), model: 'llama3.2' },
    { name: 'groq', server: groq, provider: make('groq', { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud' }), model: groq.models[0]! },
  ];
}

/** One run: ms from the deadline (timeout) or the abort to the stream's end. */
async function once(s: Subject, chunking: Chunking, abort: boolean): Promise<number> {
  s.server.enqueue({ text: 'one two three four five', chunking });
  const ac = new AbortController();
  const events: ProviderEvent[] = [];
  const it = s.provider.stream({ model: s.model, messages: [{ role: 'user', content: 'hi' }], signal: ac.signal })[Symbol.asyncIterator]();
  let askedAt = performance.now();
  let abortedAt = 0;
  const stallTimer = setTimeout(() => {
    gc();
    if (abort) {
      abortedAt = performance.now();
      ac.abort();
    }
  }, ABORT_AFTER_MS);
  // Re-armed on every event: the stall is the gap after the last one.
  let rearm = (): void => {
    stallTimer.refresh();
  };
  try {
    for (;;) {
      askedAt = performance.now();
      const r = await it.next();
      if (r.done) break;
      events.push(r.value);
      rearm();
    }
  } catch {
    /* the timeout error */
  } finally {
    rearm = () => undefined;
    clearTimeout(stallTimer);
  }
  const endedAt = performance.now();
  return abort ? endedAt - abortedAt : endedAt - (askedAt + IDLE_TIMEOUT_MS);
}

async function main(): Promise<void> {
  const all = await subjects();
  const cases: { name: string; chunking: Chunking; abort: boolean }[] = [
    { name: 'timeout, mid-stream', chunking: { stallAfterChunks: 3 }, abort: false },
    { name: 'abort, mid-stream', chunking: { stallAfterChunks: 3 }, abort: true },
    { name: 'timeout, before headers', chunking: { stallBeforeHeaders: true }, abort: false },
    { name: 'abort, before headers', chunking: { stallBeforeHeaders: true }, abort: true },
  ];
  console.log(`stall → end of the attempt, ${RUNS} runs each, forced GC in every stall (ms)`);
  for (const s of all) {
    await once(s, {}, false); // warm-up: SDK load, first socket
    for (const c of cases) {
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i++) samples.push(await once(s, c.chunking, c.abort));
      samples.sort((a, b) => a - b);
      const fmt = (v: number) => v.toFixed(1);
      console.log(`${s.name.padEnd(7)} ${c.name.padEnd(24)} p50 ${fmt(percentile(samples, 50))}  p95 ${fmt(percentile(samples, 95))}  max ${fmt(samples.at(-1)!)}`);
    }
  }
  await Promise.all(all.map((s) => s.server.close()));
}

void main();

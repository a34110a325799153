/**
 * A stalled answer ends in bounded time, with or without a garbage collection in between: a
 * server that stops mid-stream or never sends its headers, then the provider's idle timeout
 * or the caller's abort. Node's fetch follows the abort through a WeakRef to its Request
 * (nodejs/node#55428), so after a GC the abort alone never reached the socket and the pending
 * read waited forever; the guard now cancels the body itself (and the NPU provider, which reads
 * one JSON body, cancels that body's reader). Each case forces a GC after the
 * stall and measures the time from the moment the attempt should end (the idle timeout's
 * deadline counted from the server's last write, or the abort) to the end of the stream.
 */
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { type NpuServer, startNpuServer } from '../../servers/npu';
import { type OllamaServer, startOllamaServer } from '../../servers/ollama';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import type { Chunking, RecordedRequest } from '../../servers/http';
import type { Provider, ProviderEvent } from '../../../src/core/types';
import { SwitchyardError } from '../../../src/core/types';
import { DEFAULT_PROVIDER_TIMEOUT_MS } from '../../../src/core/config';
import { makeProvider, providerConfig, recordingKeys, request } from './helpers';

/** Short, so the suite stays fast; the guard's logic does not depend on the length. */
const IDLE_TIMEOUT_MS = 300;
/**
 * The target is 100 ms from the timeout (or the abort) to the end; the assertion allows
 * more for a loaded 2-core machine (a late timer, a GC pause). The measured value is printed.
 */
const END_BOUND_MS = 1_000;

/** A forced full GC (as `node --expose-gc` would give), so the collected-Request case always happens. */
function forcedGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
const fullGc = forcedGc();
/** Two forced GCs (the first may only queue finalizers), run while the stream waits on the socket. */
function gc(): void {
  fullGc();
  fullGc();
}

type Server = OllamaServer | OpenAICompatibleServer | NpuServer;

interface Subject {
  name: string;
  /** Text arrives before a mid-stream stall (false: one JSON body, which stalls half-way). */
  streams: boolean;
  start(chunking: Chunking, timeoutMs: number): Promise<{ server: Server; provider: Provider; model: string; path: RegExp }>;
}

const SUBJECTS: Subject[] = [
  {
    name: 'ollama',
    streams: true,
    async start(chunking, timeoutMs) {
      const server = await startOllamaServer({ models: ['llama3.2'], reply: { text: 'a b c d', chunking } });
      return { server, provider: makeProvider('ollama', { kind: 'ollama', baseUrl: server.url, timeoutMs }), model: 'llama3.2', path: /\/api\/chat$/ };
    },
  },
  {
    name: 'openai-compatible (groq)',
    streams: true,
    async start(chunking, timeoutMs) {
      const server = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: 'gsk-stall', reply: { text: 'a b c d', chunking } });
      const provider = makeProvider(
        'groq',
        { kind: 'openai-compatible', vendor: 'groq', baseUrl: server.baseUrl, locality: 'cloud', timeoutMs },
        recordingKeys({ [`groq ${server.url}`]: 'gsk-stall' }),
      );
      return { server, provider, model: server.models[0]!, path: /\/chat\/completions$/ };
    },
  },
  {
    name: 'npu-simple',
    streams: false,
    async start(chunking, timeoutMs) {
      // Its one JSON body cut after 10 bytes, so "mid-stream" stalls inside the body.
      const server = await startNpuServer({ token: null, reply: { result: 'a b c d', chunking: { splitAt: [10], ...chunking, ...(chunking.stallAfterChunks ? { stallAfterChunks: 1 } : {}) } } });
      return { server, provider: makeProvider('npu', { kind: 'npu-simple', baseUrl: server.url, timeoutMs }), model: 'Qwen2-7B-NPU', path: /\/api\/npu\/infer$/ };
    },
  },
];

interface Ended {
  events: ProviderEvent[];
  error?: SwitchyardError;
  endedAt: number;
}

/** Reads the stream; `onStall` runs once the server has stalled (after its last write, or before its headers), while the reader waits. */
async function readThroughStall(stream: AsyncIterable<ProviderEvent>, rec: () => RecordedRequest | undefined, onStall: () => void): Promise<Ended> {
  const events: ProviderEvent[] = [];
  let stalled = false;
  const check = () => {
    if (!stalled && rec()?.stalledAt !== undefined) {
      stalled = true;
      onStall();
    }
  };
  // Checked from a timer, not from the loop: so `onStall` runs while the stream waits on the
  // socket (a pending read), as a user's Ctrl-C or Stop would.
  const poll = setInterval(check, 10);
  try {
    for await (const ev of stream) events.push(ev);
    return { events, endedAt: performance.now() };
  } catch (err) {
    if (!(err instanceof SwitchyardError)) throw err;
    return { events, error: err, endedAt: performance.now() };
  } finally {
    clearInterval(poll);
  }
}

describe('providers: a stalled stream ends in bounded time (with a forced GC)', function () {
  this.timeout(10_000);

  it('by default the idle timeout is 30 s, the same before the first byte and mid-stream', () => {
    // The guard gets the provider's timeoutMs as its one idle window (ollama.ts, openaiCompatible.ts, npuSimple.ts).
    assert.equal(DEFAULT_PROVIDER_TIMEOUT_MS, 30_000);
    for (const kind of ['ollama', 'openai-compatible', 'npu-simple'] as const) assert.equal(providerConfig({ kind }).timeoutMs, DEFAULT_PROVIDER_TIMEOUT_MS);
  });
  for (const s of SUBJECTS) {
    describe(s.name, () => {
      let server: Server | undefined;
      afterEach(async () => {
        await server?.close();
        server = undefined;
      });

      for (const where of ['mid-stream', 'before headers'] as const) {
        const chunking: Chunking = where === 'mid-stream' ? { stallAfterChunks: 3 } : { stallBeforeHeaders: true };

        it(`${where}: the idle timeout ends the attempt and closes the socket`, async () => {
          const started = await s.start(chunking, IDLE_TIMEOUT_MS);
          server = started.server;
          const rec = () => started.server.requests.find((r) => started.path.test(r.path));
          const ended = await readThroughStall(started.provider.stream(request({ model: started.model })), rec, gc);
          assert.equal(ended.error?.info.kind, 'timeout', ended.error?.message ?? JSON.stringify(ended.events));
          if (where === 'mid-stream' && s.streams) {
            assert.ok(ended.events.some((e) => e.type === 'text'), 'the text before the stall was delivered');
            assert.match(ended.error!.message, /stopped sending mid-answer: nothing came for 300 ms\. The text so far is kept/);
          } else {
            assert.match(ended.error!.message, /did not answer within 300 ms/);
          }
          const late = ended.endedAt - rec()!.stalledAt! - IDLE_TIMEOUT_MS;
          const closed = await started.server.settled(started.server.requests.indexOf(rec()!), END_BOUND_MS);
          assert.equal(closed.aborted, true, 'the server saw the connection close');
          console.log(`      ${s.name}, stall ${where}: ended ${late.toFixed(1)} ms after the timeout's deadline, socket closed ${(closed.endedAt! - ended.endedAt).toFixed(1)} ms after that`);
          assert.ok(late < END_BOUND_MS, `ended ${late.toFixed(0)} ms after the timeout's deadline`);
        });

        it(`${where}: an abort ends the attempt at once and closes the socket`, async () => {
          // A timeout far beyond the test's: only the abort can end it in time.
          const started = await s.start(chunking, 60_000);
          server = started.server;
          const rec = () => started.server.requests.find((r) => started.path.test(r.path));
          const ac = new AbortController();
          let abortedAt = 0;
          const ended = await readThroughStall(started.provider.stream(request({ model: started.model, signal: ac.signal })), rec, () => {
            gc();
            abortedAt = performance.now();
            ac.abort();
          });
          assert.equal(ended.error, undefined, ended.error?.message);
          assert.deepEqual(ended.events.at(-1), { type: 'finish', reason: 'cancelled' });
          const took = ended.endedAt - abortedAt;
          const closed = await started.server.settled(started.server.requests.indexOf(rec()!), END_BOUND_MS);
          assert.equal(closed.aborted, true, 'the server saw the connection close');
          console.log(`      ${s.name}, stall ${where}: ended ${took.toFixed(1)} ms after the abort, socket closed ${(closed.endedAt! - ended.endedAt).toFixed(1)} ms after that`);
          assert.ok(took < END_BOUND_MS, `ended ${took.toFixed(0)} ms after the abort`);
        });
      }
    });
  }
});

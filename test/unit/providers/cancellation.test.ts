/**
 * One AbortSignal cancels every provider at the socket: the double sees the connection close
 * before its answer ends, the provider's last event is `finish: cancelled`, and nothing follows.
 */
import assert from 'node:assert/strict';
import { startNpuServer } from '../../servers/npu';
import { startOllamaServer } from '../../servers/ollama';
import { startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import type { ServerHandle } from '../../servers/http';
import type { Provider, ProviderEvent } from '../../../src/core/types';
import { makeProvider, recordingKeys, request } from './helpers';

const SLOW = { delayMs: 40 };
const LONG_TEXT = Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ');

interface Subject {
  name: string;
  start(): Promise<{ server: ServerHandle & { enqueue(r: object): void }; provider: Provider; model: string; path: string }>;
}

const SUBJECTS: Subject[] = [
  {
    name: 'ollama',
    async start() {
      const server = await startOllamaServer({ models: ['llama3.2'] });
      return { server, provider: makeProvider('ollama', { kind: 'ollama', baseUrl: server.url }), model: 'llama3.2', path: '/api/chat' };
    },
  },
  ...(['openai', 'groq', 'dashscope', 'zhipu', 'gemini'] as const).map(
    (vendor): Subject => ({
      name: vendor,
      async start() {
        const server = await startOpenAICompatibleServer({ vendor, apiKey: 'k-123456' });
        const provider = makeProvider(vendor, { kind: 'openai-compatible', vendor, baseUrl: server.baseUrl, locality: 'cloud' }, recordingKeys({ [`${vendor} ${server.url}`]: 'k-123456' }));
        return { server, provider, model: server.models[0]!, path: '/chat/completions' };
      },
    }),
  ),
];

/** Reads until `n` text events, then aborts; collects everything the provider yields afterwards. */
async function abortAfter(provider: Provider, model: string, n: number) {
  const ac = new AbortController();
  const events: ProviderEvent[] = [];
  let texts = 0;
  let afterAbort = 0;
  let error: unknown;
  try {
    for await (const ev of provider.stream(request({ model, signal: ac.signal }))) {
      events.push(ev);
      if (ac.signal.aborted) afterAbort++;
      if (ev.type === 'text' && ++texts === n) ac.abort();
    }
  } catch (err) {
    error = err;
  }
  return { events, afterAbort, error };
}

describe('providers: cancellation', () => {
  for (const s of SUBJECTS) {
    describe(s.name, () => {
      it('aborting mid-stream closes the socket and yields only finish: cancelled', async () => {
        const { server, provider, model, path } = await s.start();
        try {
          server.enqueue({ text: LONG_TEXT, chunking: SLOW });
          const { events, afterAbort, error } = await abortAfter(provider, model, 3);
          assert.equal(error, undefined, 'cancelling is not an error');
          assert.deepEqual(events.at(-1), { type: 'finish', reason: 'cancelled' });
          assert.equal(afterAbort, 1, 'exactly one event after the abort: the cancelled finish');
          assert.equal(events.filter((e) => e.type === 'text').length, 3);
          const index = server.requests.findIndex((r) => r.path.endsWith(path));
          const rec = await server.settled(index);
          assert.equal(rec.aborted, true, 'the server saw the client close the connection');
          assert.ok(rec.chunksWritten < 20, `the server stopped early (${rec.chunksWritten} chunks written)`);
        } finally {
          await server.close();
        }
      });

      it('aborting while waiting for the response headers cancels at once', async () => {
        const { server, provider, model, path } = await s.start();
        try {
          // One ordinary answer first, so the version check is cached and the delayed request is the chat itself.
          for await (const ev of provider.stream(request({ model }))) void ev;
          server.enqueue({ text: 'late', chunking: { headersDelayMs: 3_000 } });
          const ac = new AbortController();
          const seen: ProviderEvent[] = [];
          const started = Date.now();
          setTimeout(() => ac.abort(), 100);
          for await (const ev of provider.stream(request({ model, signal: ac.signal }))) seen.push(ev);
          assert.deepEqual(seen, [{ type: 'finish', reason: 'cancelled' }]);
          assert.ok(Date.now() - started < 2_500, 'did not wait for the server');
          const index = server.requests.map((r) => r.path.endsWith(path)).lastIndexOf(true);
          assert.equal((await server.settled(index)).aborted, true);
        } finally {
          await server.close();
        }
      });

      it('a consumer that stops reading (break) also closes the socket', async () => {
        const { server, provider, model, path } = await s.start();
        try {
          server.enqueue({ text: LONG_TEXT, chunking: SLOW });
          for await (const ev of provider.stream(request({ model }))) if (ev.type === 'text') break;
          const index = server.requests.findIndex((r) => r.path.endsWith(path));
          assert.equal((await server.settled(index)).aborted, true);
        } finally {
          await server.close();
        }
      });
    });
  }

  it('an already-aborted signal yields finish: cancelled without any request', async () => {
    const server = await startOllamaServer();
    try {
      const provider = makeProvider('ollama', { kind: 'ollama', baseUrl: server.url });
      const ac = new AbortController();
      ac.abort();
      const seen: ProviderEvent[] = [];
      for await (const ev of provider.stream(request({ model: 'qwen2.5-coder:7b', signal: ac.signal }))) seen.push(ev);
      assert.deepEqual(seen, [{ type: 'finish', reason: 'cancelled' }]);
      assert.equal(server.requests.length, 0);
    } finally {
      await server.close();
    }
  });

  it('cancelling one Ollama stream leaves a concurrent stream of the same provider running', async () => {
    const server = await startOllamaServer({ models: ['llama3.2'] });
    try {
      const provider = makeProvider('ollama', { kind: 'ollama', baseUrl: server.url });
      server.setReply({ text: 'a b c d e f g h', chunking: { delayMs: 20 } });
      const ac = new AbortController();
      const other = (async () => {
        let text = '';
        let finish: string | undefined;
        for await (const ev of provider.stream(request({ model: 'llama3.2' }))) {
          if (ev.type === 'text') text += ev.text;
          if (ev.type === 'finish') finish = ev.reason;
        }
        return { text, finish };
      })();
      const cancelled: ProviderEvent[] = [];
      for await (const ev of provider.stream(request({ model: 'llama3.2', signal: ac.signal }))) {
        cancelled.push(ev);
        if (ev.type === 'text') ac.abort();
      }
      assert.equal(cancelled.at(-1)?.type, 'finish');
      assert.deepEqual(await other, { text: 'a b c d e f g h', finish: 'stop' });
    } finally {
      await server.close();
    }
  });

  it('the NPU provider cancels its one slow request at the socket', async () => {
    const server = await startNpuServer({ token: null });
    try {
      const provider = makeProvider('npu', { kind: 'npu-simple', baseUrl: server.url });
      server.enqueue({ chunking: { headersDelayMs: 3_000 } });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const seen: ProviderEvent[] = [];
      for await (const ev of provider.stream(request({ model: 'Qwen2-7B-NPU', signal: ac.signal }))) seen.push(ev);
      assert.deepEqual(seen, [{ type: 'finish', reason: 'cancelled' }]);
      assert.equal((await server.settled(0)).aborted, true);
    } finally {
      await server.close();
    }
  });
});

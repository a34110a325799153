/** The Ollama provider against the protocol-faithful Ollama double (real HTTP, real NDJSON). */
import assert from 'node:assert/strict';
import { type OllamaServer, startOllamaServer } from '../../servers/ollama';
import type { Provider, ProviderEvent } from '../../../src/core/types';
import { drain, lastOf, makeProvider, request } from './helpers';

const CHINESE = '你好，世界！这是一个测试。';

describe('providers/ollama', () => {
  let server: OllamaServer;
  let provider: Provider;

  beforeEach(async () => {
    server = await startOllamaServer({
      models: [
        { name: 'qwen3:8b', capabilities: ['completion', 'thinking', 'tools'], contextLength: 40_960, family: 'qwen3', parameterSize: '8.2B' },
        { name: 'qwen2.5-coder:7b', capabilities: ['completion', 'insert'] },
        'llama3.2',
      ],
    });
    provider = makeProvider('ollama', { kind: 'ollama', baseUrl: server.url });
  });
  afterEach(() => server.close());

  for (const chunkBytes of [1, 2, 3, 5, 7]) {
    it(`reassembles Chinese text and thinking split every ${chunkBytes} byte(s), inside characters and lines`, async () => {
      server.enqueue({ text: CHINESE, thinking: '先想一想。', chunking: { chunkBytes } });
      const out = await drain(provider.stream(request({ model: 'qwen3:8b', thinking: true })));
      assert.equal(out.error, undefined);
      assert.equal(out.text, CHINESE);
      assert.equal(out.thinking, '先想一想。');
      assert.ok(server.requests[server.requests.length - 1]!.chunksWritten > 10, 'the body really was cut into many writes');
    });
  }

  it('maps done_reason, token counts and nanosecond durations', async () => {
    server.enqueue({ text: 'a b c', doneReason: 'length', promptEvalCount: 26, evalCount: 3, durations: { total: 2_500_000_000, load: 500_000_000, promptEval: 250_000_000, eval: 1_250_000_000 } });
    const out = await drain(provider.stream(request({ model: 'llama3.2' })));
    assert.deepEqual(lastOf(out.events, 'usage')?.usage, { inputTokens: 26, outputTokens: 3, estimated: false });
    const finish = lastOf(out.events, 'finish')!;
    assert.equal(finish.reason, 'length');
    assert.deepEqual(finish.serverTiming, { totalMs: 2500, loadMs: 500, promptEvalMs: 250, evalMs: 1250 });
    assert.equal(out.events.at(-1)?.type, 'finish');
  });

  it('sends options, keep_alive and think exactly as the API names them', async () => {
    await drain(provider.stream(request({ model: 'qwen3:8b', maxTokens: 64, temperature: 0.2, stop: ['\n\n'], keepAlive: '30m', thinking: true })));
    const chat = server.requests.find((r) => r.path === '/api/chat')!;
    // num_ctx: a short prompt + 64 answer tokens get Ollama's own default size, never less (providers/ollamaContext.ts).
    assert.deepEqual(chat.body.options, { num_predict: 64, temperature: 0.2, stop: ['\n\n'], num_ctx: 4096 });
    assert.equal(chat.body.keep_alive, '30m');
    assert.equal(chat.body.think, true);
    assert.equal(chat.body.stream, true);
    assert.match(String(chat.headers['user-agent']), /^ollama-js\//);
  });

  it('does not send think:true to a model without the thinking capability (Ollama would answer 400)', async () => {
    const out = await drain(provider.stream(request({ model: 'llama3.2', thinking: true })));
    assert.equal(out.error, undefined);
    const chat = server.requests.find((r) => r.path === '/api/chat')!;
    assert.equal(chat.body.think, undefined);
  });

  it('gates think on the server version (0.9.0) and logprobs on 0.12.11, asking /api/version once', async () => {
    server.setVersion('0.8.0');
    await drain(provider.stream(request({ model: 'qwen3:8b', thinking: true, logprobs: true })));
    await drain(provider.stream(request({ model: 'qwen3:8b', thinking: true, logprobs: true })));
    const chats = server.requests.filter((r) => r.path === '/api/chat');
    for (const c of chats) {
      assert.equal(c.body.think, undefined);
      assert.equal(c.body.logprobs, undefined);
    }
    assert.equal(server.requests.filter((r) => r.path === '/api/version').length, 1, 'version is cached');

    const newer = makeProvider('ollama', { kind: 'ollama', baseUrl: server.url });
    server.setVersion('0.12.10');
    await drain(newer.stream(request({ model: 'qwen3:8b', logprobs: true })));
    assert.equal(server.requests.filter((r) => r.path === '/api/chat').at(-1)!.body.logprobs, undefined);
  });

  it('streams logprobs per token on servers >= 0.12.11', async () => {
    server.setVersion('0.12.11');
    server.enqueue({ text: ['The', ' answer'], logprobs: [-0.1, -2.5] });
    const out = await drain(provider.stream(request({ model: 'llama3.2', logprobs: true })));
    const texts = out.events.filter((e) => e.type === 'text');
    assert.deepEqual(
      texts.map((e) => (e.type === 'text' ? e.logprobs : undefined)),
      [[{ token: 'The', logprob: -0.1 }], [{ token: ' answer', logprob: -2.5 }]],
    );
    assert.equal(server.requests.find((r) => r.path === '/api/chat')!.body.logprobs, true);
  });

  it('splits inline <think> tags (old servers, no think field) into thinking deltas, tags cut across chunks', async () => {
    server.setVersion('0.8.0');
    server.enqueue({ text: '<think>weigh it</think>\n\nIt is 4.', chunking: { chunkBytes: 3 } });
    const out = await drain(provider.stream(request({ model: 'llama3.2' })));
    assert.equal(out.thinking, 'weigh it');
    assert.equal(out.text, 'It is 4.');
  });

  it('fills in the middle through /api/generate with suffix', async () => {
    server.enqueue({ text: 'return a + b' });
    const out = await drain(provider.stream(request({ model: 'qwen2.5-coder:7b', fim: { prefix: 'def add(a, b):\n    ', suffix: '\n\nprint(add(1, 2))' } })));
    assert.equal(out.text, 'return a + b');
    const gen = server.requests.find((r) => r.path === '/api/generate')!;
    assert.equal(gen.body.prompt, 'def add(a, b):\n    ');
    assert.equal(gen.body.suffix, '\n\nprint(add(1, 2))');
  });

  it('refuses FIM on a model without the insert capability before sending it', async () => {
    const out = await drain(provider.stream(request({ model: 'llama3.2', fim: { prefix: 'a', suffix: 'b' } })));
    assert.equal(out.error?.kind, 'bad_request');
    assert.match(out.error!.message, /insert/);
    assert.equal(server.requests.filter((r) => r.path === '/api/generate').length, 0);
  });

  it('reports a missing model as model_not_found with the pull command', async () => {
    const out = await drain(provider.stream(request({ model: 'mistral:7b' })));
    assert.equal(out.error?.kind, 'model_not_found');
    assert.equal(out.error?.status, 404);
    assert.match(out.error!.message, /ollama pull mistral:7b/);
    assert.equal(out.error?.retryable, false);
  });

  it('reports a full queue (503 server busy) as overloaded and retryable', async () => {
    server.setBusy(true);
    const out = await drain(provider.stream(request({ model: 'llama3.2' })));
    assert.equal(out.error?.kind, 'overloaded');
    assert.equal(out.error?.status, 503);
    assert.equal(out.error?.retryable, true);
  });

  it('keeps the partial text when an error line arrives mid-stream with HTTP 200', async () => {
    server.enqueue({ text: 'partial answer', midStreamError: 'llama runner process has terminated: signal: killed' });
    const out = await drain(provider.stream(request({ model: 'llama3.2' })));
    assert.equal(out.text, 'partial answer');
    assert.equal(out.error?.kind, 'server');
    assert.match(out.error!.message, /llama runner process has terminated/);
    assert.equal(out.events.some((e) => e.type === 'finish'), false);
  });

  it('reports a connection broken mid-stream as a network error after the partial text', async () => {
    server.enqueue({ text: 'one two three four', chunking: { delayMs: 20, breakAfterChunks: 2 } });
    const out = await drain(provider.stream(request({ model: 'llama3.2' })));
    assert.equal(out.text, 'one two');
    assert.equal(out.error?.kind, 'network');
    assert.equal(out.raw, undefined);
  });

  it('ends the answer at the done line: a connection that breaks after it does not fail a complete answer', async () => {
    server.enqueue({ text: 'one two three', chunking: { breakAtEnd: true } });
    const out = await drain(provider.stream(request({ model: 'llama3.2' })));
    assert.equal(server.requests.at(-1)!.broken, true);
    assert.equal(out.error, undefined);
    assert.equal(out.text, 'one two three');
  });

  it('reports a stream closed without the done line as bad_response', async () => {
    server.enqueue({ text: 'one two three', chunking: { endAfterChunks: 2 } });
    const out = await drain(provider.stream(request({ model: 'llama3.2' })));
    assert.equal(out.text, 'one two');
    assert.equal(out.error?.kind, 'bad_response');
  });

  it('reports a server that is not running as network, with the way to start it', async () => {
    const url = server.url;
    await server.close();
    const down = makeProvider('ollama', { kind: 'ollama', baseUrl: url });
    const out = await drain(down.stream(request({ model: 'llama3.2' })));
    assert.equal(out.error?.kind, 'network');
    assert.match(out.error!.message, /connection refused/);
    assert.match(out.error!.message, /ollama serve/);
    server = await startOllamaServer(); // for afterEach
  });

  it('times out a stalled stream after the idle limit, keeping the text so far', async () => {
    const slow = makeProvider('ollama', { kind: 'ollama', baseUrl: server.url, timeoutMs: 300 });
    server.enqueue({ text: 'a b c d', chunking: { stallAfterChunks: 2 } });
    const out = await drain(slow.stream(request({ model: 'llama3.2' })));
    assert.equal(out.text, 'a b');
    assert.equal(out.error?.kind, 'timeout');
    const rec = await server.settled(server.requests.findIndex((r) => r.path === '/api/chat'));
    assert.equal(rec.aborted, true, 'the socket was closed');
  });

  it('does not count time the consumer holds an event against the idle limit (a user deciding whether to escalate)', async () => {
    const slow = makeProvider('ollama', { kind: 'ollama', baseUrl: server.url, timeoutMs: 300 });
    server.enqueue({ text: 'a b c d' });
    const events: ProviderEvent[] = [];
    for await (const ev of slow.stream(request({ model: 'llama3.2' }))) {
      events.push(ev);
      // Pause after the first text delta for twice the idle limit, as the router does while it asks.
      if (ev.type === 'text' && events.filter((e) => e.type === 'text').length === 1) await new Promise((r) => setTimeout(r, 700));
    }
    const text = events.map((e) => (e.type === 'text' ? e.text : '')).join('');
    assert.equal(text, 'a b c d');
    assert.deepEqual(events.at(-1), events.find((e) => e.type === 'finish'));
    assert.equal((events.at(-1) as { reason?: string }).reason, 'stop');
  });

  it('lists installed models with details, capabilities and context length', async () => {
    const models = await provider.listModels();
    const qwen = models.find((m) => m.ref.model === 'qwen3:8b')!;
    assert.deepEqual(qwen.ref, { provider: 'ollama', model: 'qwen3:8b' });
    assert.equal(qwen.locality, 'local');
    assert.deepEqual(qwen.capabilities, ['completion', 'thinking', 'tools']);
    assert.equal(qwen.contextWindow, 40_960);
    assert.equal(qwen.family, 'qwen3');
    assert.equal(qwen.parameterSize, '8.2B');
    assert.deepEqual(models.map((m) => m.ref.model).sort(), ['llama3.2:latest', 'qwen2.5-coder:7b', 'qwen3:8b']);
  });
});

/** The OpenAI-compatible provider against the SSE double, one vendor's quirks at a time. */
import assert from 'node:assert/strict';
import type { ProviderConfig } from '../../../src/core/config';
import { type OpenAICompatibleServer, type SuffixSupport, type VendorName, startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import { startOllamaServer } from '../../servers/ollama';
import { drain, lastOf, makeProvider, recordingKeys, request } from './helpers';

const KEY = 'sk-test-0123456789abcdef';

async function setup(vendor: VendorName, opts: { models?: string[]; locality?: 'local' | 'cloud'; timeoutMs?: number } = {}) {
  const server = await startOpenAICompatibleServer({ vendor, apiKey: KEY, models: opts.models });
  const keys = recordingKeys({ [`${vendor} ${server.url}`]: KEY });
  const provider = makeProvider(vendor, { kind: 'openai-compatible', vendor, baseUrl: server.baseUrl, locality: opts.locality ?? 'cloud', timeoutMs: opts.timeoutMs }, keys);
  return { server, provider, keys, model: server.models[0]! };
}

const chatRequests = (s: OpenAICompatibleServer) => s.requests.filter((r) => r.path.endsWith('/chat/completions'));

describe('providers/openaiCompatible', () => {
  const servers: OpenAICompatibleServer[] = [];
  const track = async (vendor: VendorName, opts?: Parameters<typeof setup>[1]) => {
    const s = await setup(vendor, opts);
    servers.push(s.server);
    return s;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  describe('framing', () => {
    for (const chunkBytes of [1, 3, 4, 11]) {
      it(`reassembles SSE split every ${chunkBytes} byte(s), inside "data:" lines and inside Chinese characters`, async () => {
        const { server, provider, model } = await track('dashscope');
        server.enqueue({ text: '第一行：你好。\n第二行：再见！', thinking: '思考中……', chunking: { chunkBytes } });
        const out = await drain(provider.stream(request({ model, thinking: true })));
        assert.equal(out.error, undefined);
        assert.equal(out.text, '第一行：你好。\n第二行：再见！');
        assert.equal(out.thinking, '思考中……');
      });
    }

    it('keeps the partial text and reports network when the connection breaks mid-stream', async () => {
      const { server, provider, model } = await track('groq');
      server.enqueue({ text: 'alpha beta gamma delta', chunking: { delayMs: 20, breakAfterChunks: 3 } });
      const out = await drain(provider.stream(request({ model })));
      assert.equal(out.text, 'alpha beta');
      assert.equal(out.error?.kind, 'network');
      assert.equal(out.error?.retryable, true);
    });

    it('ends the answer at [DONE]: a connection that breaks after it does not fail a complete answer', async () => {
    const { server, provider, model } = await track('groq');
    // The whole answer, then the socket is dropped instead of the response ending cleanly.
    server.enqueue({ text: 'alpha beta gamma', chunking: { breakAtEnd: true } });
    const out = await drain(provider.stream(request({ model })));
    assert.equal(chatRequests(server).at(-1)!.broken, true);
    assert.equal(out.error, undefined);
    assert.equal(out.text, 'alpha beta gamma');
    assert.equal(lastOf(out.events, 'finish')?.reason, 'stop');
  });

  it('reports a stream that closes without a finish_reason as bad_response, keeping the text', async () => {
      const { server, provider, model } = await track('openai');
      server.enqueue({ text: 'one two three', chunking: { endAfterChunks: 3 } });
      const out = await drain(provider.stream(request({ model })));
      assert.equal(out.text, 'one two');
      assert.equal(out.error?.kind, 'bad_response');
    });

    it('reports malformed JSON in a data line as bad_response', async () => {
      const { server, provider, model } = await track('openai');
      server.enqueue({ text: 'ok', midStreamError: '{"choices":[{"delta":{"content":"x"' });
      const out = await drain(provider.stream(request({ model })));
      assert.equal(out.text, 'ok');
      assert.equal(out.error?.kind, 'bad_response');
    });

    it('classifies an error event inside the stream and keeps what came before', async () => {
      const { server, provider, model } = await track('openai');
      server.enqueue({ text: 'half an', midStreamError: { error: { message: 'The server had an error processing your request.', type: 'server_error', code: null } } });
      const out = await drain(provider.stream(request({ model })));
      assert.equal(out.text, 'half an');
      assert.equal(out.error?.kind, 'server');
      assert.match(out.error!.message, /server had an error/);
    });

    it('times out a stalled stream (no chunk within timeoutMs) and closes the socket', async () => {
      const { server, provider, model } = await track('zhipu', { timeoutMs: 300 });
      server.enqueue({ text: 'a b c d', chunking: { stallAfterChunks: 2 } });
      const out = await drain(provider.stream(request({ model })));
      assert.equal(out.text, 'a');
      assert.equal(out.error?.kind, 'timeout');
      assert.equal((await server.settled(0)).aborted, true);
    });
  });

  describe('OpenAI', () => {
    it('asks for usage with stream_options, uses max_completion_tokens, and reads cached and reasoning tokens', async () => {
      const { server, provider, model } = await track('openai');
      server.enqueue({ text: 'Hi there', thinking: 'hidden reasoning five tokens', promptTokens: 120, cachedTokens: 64 });
      const out = await drain(provider.stream(request({ model, maxTokens: 50 })));
      const body = chatRequests(server)[0]!.body;
      assert.deepEqual(body.stream_options, { include_usage: true });
      assert.equal(body.max_completion_tokens, 50);
      assert.equal(body.max_tokens, undefined);
      assert.equal(out.thinking, '', 'OpenAI never streams reasoning text');
      assert.deepEqual(lastOf(out.events, 'usage')?.usage, { inputTokens: 120, outputTokens: 2 + 4, cachedInputTokens: 64, reasoningTokens: 4, estimated: false });
      assert.deepEqual(out.events.map((e) => e.type), ['text', 'text', 'usage', 'finish']);
    });

    it('sends the key only as Bearer to its own origin and never forwards OPENAI_ORG_ID', async () => {
      process.env.OPENAI_ORG_ID = 'org-from-env';
      try {
        const { server, provider, keys, model } = await track('openai');
        await drain(provider.stream(request({ model })));
        const rec = chatRequests(server)[0]!;
        assert.equal(rec.headers.authorization, `Bearer ${KEY}`);
        assert.equal(rec.headers['openai-organization'], undefined);
        assert.deepEqual(keys.lookups, [`openai ${server.url}`]);
      } finally {
        delete process.env.OPENAI_ORG_ID;
      }
    });

    it('streams logprobs with the text', async () => {
      const { server, provider, model } = await track('openai');
      server.enqueue({ text: ['Yes', '.'], logprobs: [-0.01, -1.5] });
      const out = await drain(provider.stream(request({ model, logprobs: true })));
      assert.equal(chatRequests(server)[0]!.body.logprobs, true);
      assert.deepEqual(
        out.events.flatMap((e) => (e.type === 'text' ? (e.logprobs ?? []) : [])),
        [{ token: 'Yes', logprob: -0.01 }, { token: '.', logprob: -1.5 }],
      );
    });

    it('estimates usage (marked estimated) when the stream carries none', async () => {
      const { server, provider, model } = await track('openai');
      server.enqueue({ text: 'Four words right here', omitUsage: true });
      const out = await drain(provider.stream(request({ model, messages: [{ role: 'user', content: 'Count to four in words' }] })));
      const usage = lastOf(out.events, 'usage')!.usage;
      assert.equal(usage.estimated, true);
      assert.ok(usage.outputTokens >= 4 && usage.outputTokens <= 6, `output estimate ${usage.outputTokens}`);
      assert.ok(usage.inputTokens > 5, `input estimate ${usage.inputTokens} includes message overhead`);
    });
  });

  describe('Groq', () => {
    it('reads usage from x_groq.usage on the finish chunk without stream_options', async () => {
      const { server, provider, model } = await track('groq');
      server.enqueue({ text: 'fast answer', promptTokens: 40 });
      const out = await drain(provider.stream(request({ model, maxTokens: 10 })));
      const body = chatRequests(server)[0]!.body;
      assert.equal(body.stream_options, undefined);
      assert.equal(body.max_tokens, 10);
      assert.deepEqual(lastOf(out.events, 'usage')?.usage, { inputTokens: 40, outputTokens: 2, estimated: false });
    });

    it('asks for parsed reasoning and reads delta.reasoning', async () => {
      const { server, provider, model } = await track('groq');
      server.enqueue({ text: 'Answer.', thinking: 'Let me think.' });
      const out = await drain(provider.stream(request({ model, thinking: true })));
      assert.equal(chatRequests(server)[0]!.body.reasoning_format, 'parsed');
      assert.equal(out.thinking, 'Let me think.');
      assert.equal(out.text, 'Answer.');
    });

    it('splits raw <think> reasoning out of the content when no format was asked for', async () => {
      const { server, provider, model } = await track('groq');
      server.enqueue({ text: 'Answer.', thinking: 'Raw thoughts.' });
      const out = await drain(provider.stream(request({ model })));
      assert.equal(out.thinking, 'Raw thoughts.');
      assert.equal(out.text, 'Answer.');
    });

    it('never sends logprobs (Groq answers 400 to them)', async () => {
      const { server, provider, model } = await track('groq');
      assert.equal(provider.capabilities.logprobs, false);
      const out = await drain(provider.stream(request({ model, logprobs: true })));
      assert.equal(out.error, undefined);
      assert.equal(chatRequests(server)[0]!.body.logprobs, undefined);
    });
  });

  describe('DashScope (Qwen)', () => {
    it('sends enable_thinking, streams reasoning_content first, reads the opt-in usage chunk', async () => {
      const { server, provider, model } = await track('dashscope');
      server.enqueue({ text: '答案是 42。', thinking: '先算一下。', promptTokens: 30, cachedTokens: 10 });
      const out = await drain(provider.stream(request({ model, thinking: true })));
      const body = chatRequests(server)[0]!.body;
      assert.equal(body.enable_thinking, true);
      assert.deepEqual(body.stream_options, { include_usage: true });
      assert.equal(out.events[0]?.type, 'thinking');
      assert.equal(out.thinking, '先算一下。');
      const usage = lastOf(out.events, 'usage')!.usage;
      assert.equal(usage.inputTokens, 30);
      assert.equal(usage.cachedInputTokens, 10);
      assert.equal(usage.reasoningTokens, 5);
      assert.equal(usage.outputTokens, 5 + 5);
    });

    it('sends enable_thinking:false when thinking is turned off', async () => {
      const { server, provider, model } = await track('dashscope');
      await drain(provider.stream(request({ model, thinking: false })));
      assert.equal(chatRequests(server)[0]!.body.enable_thinking, false);
    });
  });

  describe('Zhipu GLM', () => {
    it('sends thinking:{type}, max_tokens and no stream_options; reads usage from the finish chunk', async () => {
      const { server, provider, model } = await track('zhipu');
      server.enqueue({ text: '你好！', thinking: '用户在打招呼。', promptTokens: 12, cachedTokens: 4 });
      const out = await drain(provider.stream(request({ model, thinking: true, maxTokens: 99 })));
      const body = chatRequests(server)[0]!.body;
      assert.deepEqual(body.thinking, { type: 'enabled' });
      assert.equal(body.max_tokens, 99);
      assert.equal(body.stream_options, undefined);
      assert.equal(out.thinking, '用户在打招呼。');
      assert.deepEqual(lastOf(out.events, 'usage')?.usage, { inputTokens: 12, outputTokens: 3 + 7, cachedInputTokens: 4, estimated: false });
    });

    it('sends thinking disabled and maps the "sensitive" finish to content_filter', async () => {
      const { server, provider, model } = await track('zhipu');
      server.enqueue({ text: '抱歉', finishReason: 'sensitive' });
      const out = await drain(provider.stream(request({ model, thinking: false })));
      assert.deepEqual(chatRequests(server)[0]!.body.thinking, { type: 'disabled' });
      assert.equal(lastOf(out.events, 'finish')?.reason, 'content_filter');
    });
  });

  describe('Gemini', () => {
    it('takes the last of the repeated usage objects, never their sum', async () => {
      const { server, provider, model } = await track('gemini');
      server.enqueue({ text: 'one two three four', promptTokens: 9 });
      const out = await drain(provider.stream(request({ model })));
      assert.deepEqual(lastOf(out.events, 'usage')?.usage, { inputTokens: 9, outputTokens: 4, estimated: false });
      assert.equal(chatRequests(server)[0]!.body.stream_options, undefined, 'unknown fields give Gemini a 400');
    });
  });

  describe('local OpenAI-compatible servers', () => {
    it('lists models from /models (local) and fills in the middle through /completions with suffix (fim: "suffix")', async () => {
      const server = await startOpenAICompatibleServer({ vendor: 'custom', apiKey: null, models: ['qwen2.5-coder-7b-instruct', 'llama-3.2-3b'] });
      servers.push(server);
      const provider = makeProvider('lmstudio', { kind: 'openai-compatible', vendor: 'custom', baseUrl: server.baseUrl, fim: 'suffix' });
      assert.equal(provider.locality, 'local');
      const models = await provider.listModels();
      assert.deepEqual(models.map((m) => m.ref.model), ['qwen2.5-coder-7b-instruct', 'llama-3.2-3b']);
      server.enqueue({ text: 'return a + b' });
      const out = await drain(provider.stream(request({ model: 'qwen2.5-coder-7b-instruct', fim: { prefix: 'def add(a, b):\n    ', suffix: '\n' } })));
      assert.equal(out.text, 'return a + b');
      const rec = server.requests.find((r) => r.path === '/v1/completions')!;
      assert.equal(rec.body.prompt, 'def add(a, b):\n    ');
      assert.equal(rec.body.suffix, '\n');
      assert.equal(rec.headers.authorization, 'Bearer no-key', 'a placeholder, never a stored cloud key');
    });

    it("reads Ollama /v1's `reasoning` field", async () => {
      const ollama = await startOllamaServer({ models: [{ name: 'qwen3:8b', capabilities: ['completion', 'thinking'] }] });
      try {
        const provider = makeProvider('ollama-v1', { kind: 'openai-compatible', vendor: 'ollama-openai', baseUrl: `${ollama.url}/v1` });
        ollama.enqueue({ text: 'Done.', thinking: 'Hmm.' });
        const out = await drain(provider.stream(request({ model: 'qwen3:8b', thinking: true })));
        assert.equal(out.thinking, 'Hmm.');
        assert.equal(out.text, 'Done.');
        assert.equal(ollama.requests.at(-1)!.body.reasoning_effort, 'medium');
        assert.equal(lastOf(out.events, 'usage')?.usage.estimated, false);
      } finally {
        await ollama.close();
      }
    });

    it('refuses FIM on a cloud vendor without a completions endpoint, before any request', async () => {
      const { server, provider, model } = await track('groq');
      const out = await drain(provider.stream(request({ model, fim: { prefix: 'a', suffix: 'b' } })));
      assert.equal(out.error?.kind, 'bad_request');
      assert.equal(server.requests.length, 0);
    });
  });

  describe('fill-in-the-middle over /completions (the `fim` setting)', () => {
    const parts = { prefix: 'def add(a, b):\n    ', suffix: '\n\nprint(add(1, 2))' };
    const completions = (s: OpenAICompatibleServer) => s.requests.filter((r) => r.path.endsWith('/completions') && !r.path.endsWith('/chat/completions'));

    /** A local server (LM Studio, vLLM, llama.cpp) with one model, and a provider for it. */
    async function localServer(model: string, opts: { suffix?: SuffixSupport; fim?: ProviderConfig['fim']; vendor?: VendorName } = {}) {
      const server = await startOpenAICompatibleServer({ vendor: opts.vendor ?? 'custom', apiKey: null, models: [model], suffix: opts.suffix });
      servers.push(server);
      const provider = makeProvider('lmstudio', { kind: 'openai-compatible', vendor: opts.vendor ?? 'custom', baseUrl: server.baseUrl, ...(opts.fim ? { fim: opts.fim } : {}) });
      return { server, provider };
    }

    it('auto: sends the raw Qwen2.5-Coder template with its stop tokens and no `suffix` to a server that rejects `suffix` (vLLM)', async () => {
      const { server, provider } = await localServer('Qwen/Qwen2.5-Coder-1.5B', { suffix: 'rejected' });
      server.enqueue({ text: 'return a + b' });
      const out = await drain(provider.stream(request({ model: 'Qwen/Qwen2.5-Coder-1.5B', fim: parts })));
      assert.equal(out.error, undefined);
      assert.equal(out.text, 'return a + b');
      const [rec] = completions(server);
      assert.equal(rec!.path, '/v1/completions');
      assert.equal(rec!.body.prompt, '<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))<|fim_middle|>');
      assert.equal('suffix' in rec!.body, false);
      assert.deepEqual(rec!.body.stop, ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|fim_pad|>', '<|endoftext|>', '<|repo_name|>', '<|file_sep|>', '<|im_start|>', '<|im_end|>']);
      assert.equal(rec!.body.stream, true);
    });

    it('auto: sends the raw DeepSeek-Coder template (full-width bars, U+2581) with its stop tokens to a server that ignores `suffix` (llama.cpp, LM Studio)', async () => {
      const { server, provider } = await localServer('deepseek-coder-6.7b-base', { suffix: 'ignored' });
      server.enqueue({ text: 'return a + b' });
      const out = await drain(provider.stream(request({ model: 'deepseek-coder-6.7b-base', fim: parts, maxTokens: 64 })));
      assert.equal(out.text, 'return a + b');
      const [rec] = completions(server);
      assert.equal(rec!.body.prompt, '<\uFF5Cfim\u2581begin\uFF5C>def add(a, b):\n    <\uFF5Cfim\u2581hole\uFF5C>\n\nprint(add(1, 2))<\uFF5Cfim\u2581end\uFF5C>');
      assert.equal('suffix' in rec!.body, false);
      assert.deepEqual(rec!.body.stop, ['<\uFF5Cfim\u2581begin\uFF5C>', '<\uFF5Cfim\u2581hole\uFF5C>', '<\uFF5Cfim\u2581end\uFF5C>', '<|EOT|>', '<\uFF5Cend\u2581of\u2581sentence\uFF5C>']);
      assert.equal(rec!.body.max_tokens, 64);
    });

    it('auto on Ollama /v1: prefix as `prompt` and `suffix` (Ollama applies the model template), no raw tokens', async () => {
      const { server, provider } = await localServer('qwen2.5-coder:1.5b', { vendor: 'ollama-openai' });
      server.enqueue({ text: 'return a + b' });
      const out = await drain(provider.stream(request({ model: 'qwen2.5-coder:1.5b', fim: parts })));
      assert.equal(out.text, 'return a + b');
      const [rec] = completions(server);
      assert.equal(rec!.body.prompt, parts.prefix);
      assert.equal(rec!.body.suffix, parts.suffix);
      assert.equal(rec!.body.stop, undefined);
    });

    for (const chunkBytes of [1, 7]) {
      it(`removes FIM tokens a server echoes or does not stop at, split every ${chunkBytes} byte(s) and across deltas`, async () => {
        const { server, provider } = await localServer('qwen2.5-coder-7b');
        server.enqueue({ text: ['<|fim_', 'middle|>', 'return', ' a', ' +', ' b', '<|endof', 'text|>', '<|file_sep|>', 'garbage.py'], chunking: { chunkBytes } });
        const out = await drain(provider.stream(request({ model: 'qwen2.5-coder-7b', fim: parts })));
        assert.equal(out.error, undefined);
        assert.equal(out.text, 'return a + b');
        assert.equal(lastOf(out.events, 'finish')?.reason, 'stop');
      });
    }

    it('ends a completion at [DONE], like a chat answer: a connection dropped after it does not fail it', async () => {
      const { server, provider } = await localServer('qwen2.5-coder-7b');
      server.enqueue({ text: 'return a + b', chunking: { breakAtEnd: true } });
      const out = await drain(provider.stream(request({ model: 'qwen2.5-coder-7b', fim: parts })));
      assert.equal(completions(server)[0]!.broken, true);
      assert.equal(out.error, undefined);
      assert.equal(out.text, 'return a + b');
    });

    it("cuts at CodeLlama's <EOT> but keeps another family's token that is real code for this model", async () => {
      const { server, provider } = await localServer('codellama-7b-code');
      server.enqueue({ text: ['html = "<s>old</s>"', '<EO', 'T>', 'more'] });
      const out = await drain(provider.stream(request({ model: 'codellama-7b-code', fim: parts })));
      assert.equal(out.text, 'html = "<s>old</s>"');
      assert.equal(completions(server)[0]!.body.prompt, '<PRE> def add(a, b):\n     <SUF>\n\nprint(add(1, 2)) <MID>');
    });

    it('an end token before any text is an empty hole, not the start of one', async () => {
      const { server, provider } = await localServer('qwen2.5-coder-7b');
      server.enqueue({ text: ['<|endoftext|>', 'print("unrelated")'] });
      const out = await drain(provider.stream(request({ model: 'qwen2.5-coder-7b', fim: parts })));
      assert.equal(out.error, undefined);
      assert.equal(out.text, '');
    });

    it('auto: refuses a model of unknown family on a server not known to apply `suffix`, with what to change, before any request', async () => {
      const { server, provider } = await localServer('llama-3.2-3b-instruct');
      const out = await drain(provider.stream(request({ model: 'llama-3.2-3b-instruct', fim: parts })));
      assert.equal(out.error?.kind, 'bad_request');
      assert.match(out.error!.message, /"llama-3\.2-3b-instruct" has no known fill-in-the-middle template/);
      assert.match(out.error!.message, /Qwen2\.5-Coder, DeepSeek-Coder, StarCoder2, CodeLlama, Codestral/);
      assert.match(out.error!.message, /set switchyard\.providers\.lmstudio\.fim to "suffix"/);
      assert.equal(server.requests.length, 0);
    });

    it('template: refuses a model of unknown family even on Ollama /v1, naming the setting', async () => {
      const { server, provider } = await localServer('llama3.2:3b', { vendor: 'ollama-openai', fim: 'template' });
      const out = await drain(provider.stream(request({ model: 'llama3.2:3b', fim: parts })));
      assert.match(out.error?.message ?? '', /switchyard\.providers\.lmstudio\.fim is "template"/);
      assert.equal(server.requests.length, 0);
    });

    it('suffix: sends `suffix` as told, and a server that rejects it (vLLM) answers with its 400', async () => {
      const { server, provider } = await localServer('qwen2.5-coder-7b', { suffix: 'rejected', fim: 'suffix' });
      const out = await drain(provider.stream(request({ model: 'qwen2.5-coder-7b', fim: parts })));
      assert.equal(out.error?.kind, 'bad_request');
      assert.match(out.error!.message, /suffix is not currently supported/);
      assert.equal(completions(server)[0]!.body.suffix, parts.suffix);
    });
  });

  it('a cloud provider without a key for its origin fails with auth before sending anything', async () => {
    const server = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: KEY });
    servers.push(server);
    // The key is stored for the real Groq origin, not for this one.
    const keys = recordingKeys({ 'groq https://api.groq.com': KEY });
    const provider = makeProvider('groq', { kind: 'openai-compatible', vendor: 'groq', baseUrl: server.baseUrl, locality: 'cloud' }, keys);
    const out = await drain(provider.stream(request({ model: server.models[0]! })));
    assert.equal(out.error?.kind, 'auth');
    assert.match(out.error!.message, /No API key for Groq/);
    assert.deepEqual(out.error?.fix, { action: 'set_key', provider: 'groq', origin: server.url });
    assert.doesNotMatch(out.error!.message, /Switchyard: Set API Key/);
    assert.equal(server.requests.length, 0);
    assert.deepEqual(keys.lookups, [`groq ${server.url}`]);
  });

  it('cloud listModels returns the configured models (or the vendor defaults) without a network call', async () => {
    const { server, provider } = await track('gemini');
    const models = await provider.listModels();
    assert.deepEqual(models.map((m) => m.ref.model), ['gemini-2.5-flash', 'gemini-2.0-flash']);
    assert.equal(models[0]!.locality, 'cloud');
    assert.equal(server.requests.length, 0);
  });
});


/**
 * The gateway's OpenAI-compatible API with the official `openai` SDK as the client, against a
 * running server whose providers are the protocol-faithful doubles: chat (streaming and not,
 * include_usage), auto/auto:task/pins/aliases, the answering model in `model`, x-switchyard-*
 * headers and the `switchyard` field, /v1/models, FIM /v1/completions, and every error class.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import OpenAI from 'openai';
import { runCli } from '../../../src/cli/run';
import { CLOUD, GROQ_KEY, type Harness, LOCAL, startHarness } from './harness';

describe('gateway: OpenAI-compatible /v1 with the openai SDK', function () {
  this.timeout(30_000);
  let h: Harness;
  let client: OpenAI;

  beforeEach(async () => {
    h = await startHarness();
    // No retries: every error must come back as it was sent.
    client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.token, maxRetries: 0 });
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers a chat with model "auto": the response names the model that answered, with usage, headers and the switchyard field', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Say hello' }] }).withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(data.model, LOCAL);
    assert.equal(data.choices[0]!.message.content, 'Hello from the local model.');
    assert.equal(data.choices[0]!.finish_reason, 'stop');
    assert.ok(data.usage!.prompt_tokens > 0 && data.usage!.completion_tokens > 0);
    assert.equal(data.usage!.total_tokens, data.usage!.prompt_tokens + data.usage!.completion_tokens);
    assert.equal(response.headers.get('x-switchyard-model'), LOCAL);
    assert.equal(response.headers.get('x-switchyard-locality'), 'local');
    assert.equal(response.headers.get('x-switchyard-cost-usd'), '0.000000');
    assert.equal(response.headers.get('x-switchyard-tokens-output'), String(data.usage!.completion_tokens));
    const decision = JSON.parse(response.headers.get('x-switchyard-decision')!);
    assert.equal(decision.task, 'chat');
    assert.deepEqual(decision.candidates.slice(0, 1), [LOCAL]);
    const sy = (data as unknown as { switchyard: { model: string; cost: { total_usd: number }; decision: { task: string } } }).switchyard;
    assert.equal(sy.model, LOCAL);
    assert.equal(sy.cost.total_usd, 0);
    assert.equal(sy.decision.task, 'chat');
  });

  it('"provider/model" pins a cloud model: its cost is in the header and the field', async () => {
    const { data, response } = await client.chat.completions.create({ model: CLOUD, messages: [{ role: 'user', content: 'Say hello' }] }).withResponse();
    assert.equal(data.model, CLOUD);
    assert.equal(data.choices[0]!.message.content, 'Hello from the cloud model.');
    assert.ok(Number(response.headers.get('x-switchyard-cost-usd')) > 0, response.headers.get('x-switchyard-cost-usd') ?? '');
    assert.equal(h.groq.requests.filter((r) => r.path.endsWith('/chat/completions')).length, 1);
  });

  it('an alias from settings routes ("gpt-4o" → the cloud pin, "gpt-4" → auto); auto:code classifies as code', async () => {
    const viaAlias = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(viaAlias.model, CLOUD);
    const auto = await client.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(auto.model, LOCAL);
    const { response } = await client.chat.completions.create({ model: 'auto:code', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    assert.equal(JSON.parse(response.headers.get('x-switchyard-decision')!).task, 'code');
  });

  it('streams with the SDK: a role chunk, the deltas, a finish chunk, and a usage chunk with include_usage', async () => {
    const stream = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Say hello' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    assert.equal(text, 'Hello from the local model.');
    assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
    assert.ok(chunks.every((c) => c.model === LOCAL && c.object === 'chat.completion.chunk'));
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish!.choices[0]!.finish_reason, 'stop');
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage!.completion_tokens > 0);
  });

  it('without include_usage no usage chunk is sent', async () => {
    const stream = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.ok(chunks.every((c) => !c.usage));
  });

  it('lists the virtual auto models, the aliases and every provider/model', async () => {
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    for (const id of ['auto', 'auto:code', 'auto:math', 'local', 'cloud', 'gpt-4', LOCAL, CLOUD]) assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
  });

  it('fill-in-the-middle: /v1/completions sends prompt and suffix to the local model (the inline-completion path)', async () => {
    h.ollama.setReply({ text: 'return a + b' });
    const res = await client.completions.create({ model: 'auto', prompt: 'def add(a, b):\n    ', suffix: '\n\nprint(add(1, 2))\n', max_tokens: 32 });
    assert.equal(res.object, 'text_completion');
    assert.equal(res.model, LOCAL);
    assert.equal(res.choices[0]!.text, 'return a + b');
    const sent = h.ollama.requests.find((r) => r.path === '/api/generate')!;
    assert.equal(sent.body.prompt, 'def add(a, b):\n    ');
    assert.equal(sent.body.suffix, '\n\nprint(add(1, 2))\n');
  });

  it('streamed fill-in-the-middle: an echoed FIM control token ends the completion and never reaches the client', async () => {
    h.ollama.setReply({ text: ['return', ' a + b', '<|endo', 'ftext|>', 'print(junk)'] });
    const stream = await client.completions.create({ model: 'auto', prompt: 'def add(a, b):\n    ', suffix: '\n', max_tokens: 32, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    assert.equal(text, 'return a + b');
  });

  describe('errors in OpenAI shape, as the SDK classes', () => {
    it('unknown model: NotFoundError 404 model_not_found listing the valid names, nothing sent to a model', async () => {
      const err = await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.NotFoundError, String(err));
      assert.equal(err.status, 404);
      assert.equal(err.code, 'model_not_found');
      assert.equal(err.param, 'model');
      assert.match(err.message, /"no-such-model" does not exist\. Valid names: auto, auto:chat/);
      assert.match(err.message, new RegExp(LOCAL.replace(/[.]/g, '\\.')));
      assert.equal(h.modelCalls(), 0);
    });

    it('invalid token: AuthenticationError 401', async () => {
      const bad = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'sy-wrong', maxRetries: 0 });
      const err = await bad.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.AuthenticationError, String(err));
      assert.equal(err.code, 'invalid_api_key');
      assert.ok(!err.message.includes(h.token));
      assert.equal(h.modelCalls(), 0);
    });

    it('missing messages and wrong types: BadRequestError 400 naming the field', async () => {
      const missing = await client.chat.completions.create({ model: 'auto' } as never).catch((e: unknown) => e);
      assert.ok(missing instanceof OpenAI.BadRequestError, String(missing));
      assert.match(missing.message, /messages/);
      const wrong = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], temperature: 'hot' } as never).catch((e: unknown) => e);
      assert.ok(wrong instanceof OpenAI.BadRequestError, String(wrong));
      assert.match(wrong.message, /temperature/);
      assert.equal(h.modelCalls(), 0);
    });

    it('a provider without a key: InternalServerError 503 model_unavailable (streaming too, before any chunk)', async () => {
      await h.close();
      h = await startHarness({ env: { SWITCHYARD_KEY_GROQ: '' } });
      client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.token, maxRetries: 0 });
      const err = await client.chat.completions.create({ model: CLOUD, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.InternalServerError, String(err));
      assert.equal(err.status, 503);
      assert.equal(err.code, 'model_unavailable');
      const streamed = await client.chat.completions.create({ model: CLOUD, messages: [{ role: 'user', content: 'hi' }], stream: true }).catch((e: unknown) => e);
      assert.ok(streamed instanceof OpenAI.InternalServerError, String(streamed));
    });

    it('the budget refuses a cloud call: RateLimitError 429 with Retry-After, and the local model still answers', async () => {
      await h.close();
      h = await startHarness({ settings: { budget: { dailyLimit: 0 } } });
      client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.token, maxRetries: 0 });
      const err = await client.chat.completions.create({ model: CLOUD, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.RateLimitError, String(err));
      assert.equal(err.code, 'rate_limit_exceeded');
      const retryAfter = Number(err.headers?.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 86_400, String(retryAfter));
      assert.equal(h.groq.requests.filter((r) => r.path.endsWith('/chat/completions')).length, 0);
      const local = await client.chat.completions.create({ model: 'local', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(local.model, LOCAL);
    });
  });
});

describe('gateway: one cap across clients and servers', function () {
  this.timeout(30_000);

  it('two gateways on one ledger (and the CLI on it too) spend from one daily cap: once it is spent, every client gets 429', async () => {
    // Each cloud answer reports a million prompt tokens: $0.59, over the $0.50 caps (the gateway's workspace and the machine's) after one call.
    const settings = { budget: { dailyLimit: 0.5, globalDailyLimit: 0.5 } };
    const groqReply = { text: 'Expensive.', promptTokens: 1_000_000 };
    const a = await startHarness({ settings, groqReply });
    const b = await startHarness({ settings, groqReply, stateDir: a.dir });
    try {
      const clientA = new OpenAI({ baseURL: `${a.url}/v1`, apiKey: a.token, maxRetries: 0 });
      const clientB = new OpenAI({ baseURL: `${b.url}/v1`, apiKey: b.token, maxRetries: 0 });
      assert.equal(a.token, b.token, 'one token file for the machine');
      const first = await clientA.chat.completions.create({ model: CLOUD, messages: [{ role: 'user', content: 'hi' }] });
      assert.ok((first as unknown as { switchyard: { cost: { total_usd: number } } }).switchyard.cost.total_usd > 0.5);
      await a.gw.idle();
      await a.core.ledger!.flush();
      for (const client of [clientB, clientA]) {
        const err = await client.chat.completions.create({ model: CLOUD, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
        assert.ok(err instanceof OpenAI.RateLimitError, String(err));
      }
      assert.equal(b.groq.requests.filter((r) => r.path.endsWith('/chat/completions')).length, 0, 'the second gateway never called the cloud');

      let stderr = '';
      const code = await runCli(['ask', '--config', a.settingsPath, '--model', CLOUD, 'hi'], {
        stdout: { write: () => true },
        stderr: { write: (s: string) => (stderr += s), isTTY: false },
        env: { SWITCHYARD_STATE_DIR: a.dir, XDG_CONFIG_HOME: a.dir, SWITCHYARD_KEY_GROQ: GROQ_KEY },
        readFile: (f) => fs.readFile(f, 'utf8'),
      });
      assert.equal(code, 1, stderr);
      assert.match(stderr, /budget|limit/i);
    } finally {
      await b.close();
      await a.close();
    }
  });
});

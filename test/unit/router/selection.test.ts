import assert from 'node:assert/strict';
import { createSwitchyard } from '../../../src/core/switchyard';
import { formatModelRef, type RoutingDecision } from '../../../src/core/types';
import { type OllamaServer, startOllamaServer } from '../../servers/ollama';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import { closedPort, collect, config, memoryKeyStore } from './helpers';

const refs = (d: RoutingDecision) => d.candidates.map((c) => formatModelRef(c.ref));
const why = (d: RoutingDecision, ref: string) => d.excluded.filter((e) => e.ref === ref).map((e) => e.why);

describe('selection: candidates, modes and reasons', () => {
  let ollama: OllamaServer;
  let groq: OpenAICompatibleServer;
  let zhipu: OpenAICompatibleServer;

  beforeEach(async () => {
    ollama = await startOllamaServer({ models: ['qwen2.5-coder:7b', 'llama3.2:3b', { name: 'nomic-embed-text', capabilities: ['embedding'] }] });
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: 'gsk-test', models: ['llama-3.3-70b-versatile'] });
    zhipu = await startOpenAICompatibleServer({ vendor: 'zhipu', apiKey: 'zp-test', models: ['glm-4-flash'] });
  });
  afterEach(async () => {
    await Promise.all([ollama.close(), groq.close(), zhipu.close()]);
  });

  /** Test doubles listen on loopback, so the cloud ones are declared cloud explicitly. */
  function build(extra: Record<string, unknown> = {}, keys = memoryKeyStore({ [`groq@${groq.url}`]: 'gsk-test' })) {
    const cfg = config({
      providers: {
        ollama: { kind: 'ollama', baseUrl: ollama.url },
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
        zhipu: { kind: 'openai-compatible', vendor: 'zhipu', baseUrl: zhipu.baseUrl, locality: 'cloud', models: ['glm-4-flash'] },
      },
      tasks: { code: ['ollama/qwen2.5-coder', 'ollama/deepseek-coder-v2', 'zhipu/glm-4-flash', 'groq/llama-3.3-70b-versatile'] },
      ...extra,
    });
    return { sy: createSwitchyard({ config: cfg, keys, env: {} }), keys };
  }
  const ask = (content: string) => [{ role: 'user' as const, content }];

  it('auto: local first, then keyed cloud; every exclusion has a reason', async () => {
    const { sy } = build();
    const d = await sy.plan({ messages: ask('Write a Python function that parses ISO dates'), workspaceId: 'w' });
    assert.equal(d.task, 'code');
    assert.match(d.taskReason, /^code: /);
    assert.equal(d.mode, 'auto');
    assert.deepEqual(refs(d), ['ollama/qwen2.5-coder:7b', 'groq/llama-3.3-70b-versatile']);
    assert.deepEqual(d.candidates[0]!.why, ['#1 for code in settings', 'installed as qwen2.5-coder:7b']);
    assert.deepEqual(why(d, 'ollama/deepseek-coder-v2'), ['not installed on ollama (ollama pull deepseek-coder-v2)']);
    assert.deepEqual(why(d, 'zhipu/glm-4-flash'), [`zhipu: no API key for ${zhipu.url}`]);
  });

  it('local only: no cloud candidate, no key lookup, no byte to a cloud server — even when the local model fails', async () => {
    const { sy, keys } = build({ mode: 'local' });
    const d = await sy.plan({ messages: ask('Write a Python function'), workspaceId: 'w' });
    assert.deepEqual(refs(d), ['ollama/qwen2.5-coder:7b']);
    assert.deepEqual(why(d, 'groq/llama-3.3-70b-versatile'), ['groq: cloud provider, and the mode is Local only']);

    ollama.setBusy(true); // the local model fails: a cloud fallback would be tempting
    const events = await collect(sy.stream({ messages: ask('Write a Python function'), workspaceId: 'w', signal: new AbortController().signal }));
    const error = events.find((e) => e.type === 'error');
    assert.ok(error && error.type === 'error' && error.error.kind === 'overloaded', JSON.stringify(error));
    await sy.listModels();
    // A pinned cloud model is refused too.
    const pinned = await collect(sy.stream({ messages: ask('hi'), pinned: 'groq/llama-3.3-70b-versatile', workspaceId: 'w', signal: new AbortController().signal }));
    const refused = pinned.find((e) => e.type === 'error');
    assert.ok(refused && refused.type === 'error' && refused.error.kind === 'local_only', JSON.stringify(refused));

    assert.deepEqual(groq.requests, []);
    assert.deepEqual(zhipu.requests, []);
    assert.ok(keys.asked.every((k) => k.startsWith('ollama@')), `KeyStore was asked about ${keys.asked.join(', ')}`);
  });

  it('cloud only: local providers are not even asked for their models', async () => {
    const { sy } = build({ mode: 'cloud' });
    const d = await sy.plan({ messages: ask('Write a Python function'), workspaceId: 'w' });
    assert.deepEqual(refs(d), ['groq/llama-3.3-70b-versatile']);
    assert.deepEqual(why(d, 'ollama/qwen2.5-coder'), ['ollama: local provider, and the mode is Cloud only']);
    assert.deepEqual(ollama.requests, []);
  });

  it('pinned: a provider means its models, a provider/model means exactly that one', async () => {
    const { sy } = build();
    const byProvider = await sy.plan({ messages: ask('Write a Python function'), pinned: 'ollama', workspaceId: 'w' });
    assert.equal(byProvider.mode, 'pinned');
    assert.deepEqual(refs(byProvider), ['ollama/qwen2.5-coder:7b', 'ollama/llama3.2:3b'], 'listed model first, then the rest; never the embedding model');
    const exact = await sy.plan({ messages: ask('hi'), mode: 'pinned', pinned: 'ollama/llama3.2:3b', workspaceId: 'w' });
    assert.deepEqual(refs(exact), ['ollama/llama3.2:3b']);
    assert.deepEqual(exact.candidates[0]!.why, ['pinned to ollama/llama3.2:3b']);
    const fromSettings = build({ mode: 'pinned', pinned: 'groq/llama-3.3-70b-versatile' }).sy;
    assert.deepEqual(refs(await fromSettings.plan({ messages: ask('hi'), workspaceId: 'w' })), ['groq/llama-3.3-70b-versatile']);
    const missing = await sy.plan({ messages: ask('hi'), pinned: 'ollama/llama3.1:70b', workspaceId: 'w' });
    assert.deepEqual(refs(missing), []);
    assert.deepEqual(why(missing, 'ollama/llama3.1:70b'), ['not installed on ollama (ollama pull llama3.1:70b)']);
  });

  it('escalateFrom skips local candidates', async () => {
    const { sy } = build();
    const d = await sy.plan({ messages: ask('Write a Python function'), escalateFrom: { answer: '…', reason: 'user' }, workspaceId: 'w' });
    assert.deepEqual(refs(d), ['groq/llama-3.3-70b-versatile']);
    assert.match(why(d, 'ollama/qwen2.5-coder')[0]!, /local provider skipped/);
  });

  it('a key stored for another origin does not count', async () => {
    const { sy } = build({}, memoryKeyStore({ 'groq@https://api.groq.com': 'gsk-real' }));
    const d = await sy.plan({ messages: ask('Write a Python function'), mode: 'cloud', workspaceId: 'w' });
    assert.deepEqual(refs(d), []);
    assert.deepEqual(why(d, 'groq/llama-3.3-70b-versatile'), [`groq: no API key for ${groq.url}`]);
  });

  it('disabled and unreachable providers are left out with their reason', async () => {
    const port = await closedPort();
    const cfg = config({
      providers: {
        ollama: { kind: 'ollama', baseUrl: `http://127.0.0.1:${port}` },
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', enabled: false },
        npu: { kind: 'npu-simple' },
      },
      tasks: { chat: ['ollama/llama3.2', 'groq/llama-3.3-70b-versatile', 'npu/*'] },
    });
    const sy = createSwitchyard({ config: cfg, keys: memoryKeyStore({}), env: {} });
    const d = await sy.plan({ messages: ask('hello'), workspaceId: 'w' });
    assert.deepEqual(refs(d), []);
    assert.match(why(d, 'ollama/llama3.2')[0]!, /^ollama: not reachable \(network: /);
    assert.deepEqual(why(d, 'groq/llama-3.3-70b-versatile'), ['groq: disabled in settings']);
    assert.match(why(d, 'npu/*')[0]!, /^npu: .*needs a baseUrl/);
  });

  it('settings lists win over the shipped ones, but auto still puts local first', async () => {
    const { sy } = build({ tasks: { chat: ['groq/llama-3.3-70b-versatile', 'ollama/llama3.2:3b'] } });
    const d = await sy.plan({ messages: ask('hello'), workspaceId: 'w' });
    assert.deepEqual(refs(d).slice(0, 2), ['ollama/llama3.2:3b', 'groq/llama-3.3-70b-versatile']);
    const cloudMode = await sy.plan({ messages: ask('hello'), mode: 'cloud', workspaceId: 'w' });
    assert.deepEqual(refs(cloudMode), ['groq/llama-3.3-70b-versatile']);
  });

  it('with the shipped lists, an installed model that no list names still answers locally', async () => {
    ollama.models.splice(0, ollama.models.length, { name: 'mistral:7b', capabilities: ['completion'] });
    const { sy } = build({ tasks: {} });
    const d = await sy.plan({ messages: ask('Solve 2x + 3 = 7'), workspaceId: 'w' });
    assert.equal(d.task, 'math');
    assert.equal(formatModelRef(d.candidates[0]!.ref), 'ollama/mistral:7b');
    assert.deepEqual(d.candidates[0]!.why, ["installed on ollama; none of the math list's models is"]);
    assert.ok(refs(d).includes('groq/llama-3.3-70b-versatile'));
  });

  it('asks a local provider for its models once per cache period', async () => {
    const { sy } = build();
    await sy.plan({ messages: ask('Write a Python function'), workspaceId: 'w' });
    await sy.plan({ messages: ask('Solve 2x + 3 = 7'), workspaceId: 'w' });
    assert.equal(ollama.requests.filter((r) => r.path === '/api/tags').length, 1);
  });

  it('asks the local sidecar first: a down local provider is left out without a single request to it', async () => {
    const asked: string[] = [];
    const cfg = config({
      providers: {
        ollama: { kind: 'ollama', baseUrl: ollama.url },
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
      },
    });
    const keys = memoryKeyStore({ [`groq@${groq.url}`]: 'gsk-test' });
    const local = {
      ensureAvailable: async (id: string) => (asked.push(id), { available: false, reason: 'Ollama is not installed' }),
    };
    const sy = createSwitchyard({ config: cfg, keys, env: {}, local });
    const d = await sy.plan({ messages: ask('hello'), workspaceId: 'w' });
    assert.deepEqual(refs(d), ['groq/llama-3.3-70b-versatile']);
    assert.ok(why(d, 'ollama/qwen2.5:7b').includes('ollama: not available (Ollama is not installed)'));
    assert.deepEqual(asked, ['ollama'], 'asked once per plan, only about the local provider');
    assert.deepEqual(ollama.requests, []);
  });

  it("passes the sidecar's keep_alive for the chosen local model", async () => {
    const cfg = config({ providers: { ollama: { kind: 'ollama', baseUrl: ollama.url } } });
    const local = { ensureAvailable: async () => ({ available: true }), keepAliveFor: (model: string) => (model === 'llama3.2:3b' ? '2m' : 0) };
    const sy = createSwitchyard({ config: cfg, keys: memoryKeyStore({}), env: {}, local });
    await collect(sy.stream({ messages: ask('hello'), workspaceId: 'w', signal: new AbortController().signal }));
    const chat = ollama.requests.find((r) => r.path === '/api/chat')!;
    assert.equal(chat.body.model, 'llama3.2:3b');
    assert.equal(chat.body.keep_alive, '2m');
  });

  it('a task given by the caller is used as is', async () => {
    const { sy } = build();
    const d = await sy.plan({ messages: ask('hello'), task: 'code', workspaceId: 'w' });
    assert.equal(d.task, 'code');
    assert.equal(d.taskReason, 'code: given by the request');
  });
});

import * as assert from 'node:assert/strict';
import { parseConfig } from '../../../src/core/config';
import { LocalSidecar, ollamaHostFor } from '../../../src/core/local/localSidecar';
import type { PullSnapshot } from '../../../src/core/local/pullProgress';
import type { SidecarSnapshot } from '../../../src/core/local/sidecarState';
import { SwitchyardError, type KeyStore } from '../../../src/core/types';
import { sendJson, startHttpServer } from '../../servers/http';
import { startNpuServer, type NpuServer } from '../../servers/npu';
import { startOllamaServer, type OllamaServer } from '../../servers/ollama';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../../servers/openaiCompatible';
import { freePort, recordingLogger } from './helpers';

const GIB = 1024 ** 3;
const MODELS = [
  { name: 'qwen2.5-coder:1.5b', capabilities: ['completion', 'insert'], family: 'qwen2', parameterSize: '1.5B', quantization: 'Q4_K_M', sizeBytes: 986_000_000, contextLength: 32_768 },
  { name: 'qwen2.5:7b', capabilities: ['completion', 'tools'], family: 'qwen2', parameterSize: '7.6B', quantization: 'Q4_K_M', sizeBytes: 4_700_000_000, contextLength: 32_768 },
  { name: 'llama3.2:3b', capabilities: ['completion', 'tools'], family: 'llama', parameterSize: '3.2B', quantization: 'Q8_0', sizeBytes: 3_400_000_000, contextLength: 131_072 },
];

describe('LocalSidecar against the Ollama double', function () {
  this.timeout(10_000);
  let server: OllamaServer;
  const sidecars: LocalSidecar[] = [];

  afterEach(async () => {
    await Promise.all(sidecars.splice(0).map((s) => s.dispose()));
    await server?.close();
  });

  function sidecar(raw: Record<string, unknown> = {}, opts: { memory?: number; env?: NodeJS.ProcessEnv; keys?: KeyStore } = {}) {
    const { config, problems } = parseConfig({ local: { ollamaHost: server.url }, ...raw });
    assert.deepEqual(problems, []);
    const logger = recordingLogger();
    const s = new LocalSidecar({
      config,
      logger,
      env: opts.env ?? {},
      locateBinary: () => undefined,
      hardware: async () => ({ totalMemoryBytes: opts.memory ?? 32 * GIB }),
      ...(opts.keys ? { keys: opts.keys } : {}),
    });
    sidecars.push(s);
    const snapshots: SidecarSnapshot[] = [];
    s.onDidChangeState((snap) => snapshots.push(snap));
    return { s, logger, snapshots };
  }

  it('discovers the server, its version features and the installed models with their details', async () => {
    server = await startOllamaServer({ models: MODELS, version: '0.9.0' });
    const { s } = sidecar();
    assert.equal(s.isAvailable('ollama'), undefined, 'unknown before the first need');
    assert.deepEqual(await s.ensureAvailable('ollama'), { available: true });
    assert.equal(s.isAvailable('ollama'), true);
    const state = s.snapshot().ollama;
    assert.equal(state.version, '0.9.0');
    assert.equal(state.features?.thinking, true);
    assert.equal(state.features?.logprobs, false);
    const installed = await s.installed();
    const coder = installed.find((m) => m.name === 'qwen2.5-coder:1.5b')!;
    assert.deepEqual(coder, { name: 'qwen2.5-coder:1.5b', sizeBytes: 986_000_000, family: 'qwen2', parameterSize: '1.5B', quantization: 'Q4_K_M', contextLength: 32_768, capabilities: ['completion', 'insert'] });
    assert.equal(installed.find((m) => m.name === 'llama3.2:3b')!.contextLength, 131_072);
    assert.equal(s.featuresFor(coder).fim, true);
    assert.equal(s.featuresFor(installed.find((m) => m.name === 'qwen2.5:7b')).fim, false, 'no insert capability');
  });

  it('pulls with progress (percent, speed, ETA) and sees the new model installed', async () => {
    server = await startOllamaServer({
      models: MODELS,
      pull: { layers: [{ digest: 'sha256:aaaaaaaaaaaa1111', total: 1_000_000_000 }, { digest: 'sha256:bbbbbbbbbbbb2222', total: 1_000 }], progressSteps: 4 },
    });
    const { s } = sidecar();
    let changed = 0;
    s.onDidChangeModels(() => changed++);
    let clock = 0;
    const seen: PullSnapshot[] = [];
    await s.pull('qwen3:4b', { signal: new AbortController().signal, onProgress: (p) => seen.push(p), now: () => (clock += 1000) });
    assert.equal(server.requests.find((r) => r.path === '/api/pull')!.body.model, 'qwen3:4b');
    const percents = seen.map((p) => p.percent).filter((p): p is number => p !== undefined);
    assert.ok(percents.every((p, i) => i === 0 || p >= percents[i - 1]!), 'never goes backwards');
    assert.equal(seen.at(-1)!.percent, 100);
    assert.equal(seen.at(-1)!.status, 'success');
    const mid = seen.find((p) => p.status.startsWith('pulling aaaa') && p.completedBytes === 500_000_000)!;
    assert.ok(mid.bytesPerSecond! > 0 && mid.etaSeconds! > 0, 'speed and ETA come from the stream');
    assert.ok((await s.installed()).some((m) => m.name === 'qwen3:4b'));
    assert.equal(changed, 1);
  });

  it('cancels a pull: the connection closes, nothing is installed, the error says cancelled', async () => {
    server = await startOllamaServer({ models: MODELS, pull: { progressSteps: 50, chunking: { delayMs: 30 } } });
    const { s, logger } = sidecar();
    const ctl = new AbortController();
    const seen: PullSnapshot[] = [];
    const pulling = s.pull('qwen2.5-coder:7b', { signal: ctl.signal, onProgress: (p) => (seen.push(p), p.completedBytes > 0 && ctl.abort()) });
    await assert.rejects(pulling, (e: unknown) => e instanceof SwitchyardError && e.info.kind === 'cancelled');
    const rec = await server.settled(server.requests.findIndex((r) => r.path === '/api/pull'));
    assert.equal(rec.aborted, true, 'the server saw the client go away');
    assert.ok(seen.length < 10, `stopped early (${seen.length} progress lines)`);
    assert.ok(!(await s.installed()).some((m) => m.name === 'qwen2.5-coder:7b'));
    assert.ok(logger.lines.some((l) => l.event === 'local.pull.cancelled'));
  });

  it('reports a failed pull with Ollama’s own message', async () => {
    server = await startOllamaServer({ models: MODELS, pull: { registry: ['qwen3:4b'] } });
    const { s } = sidecar();
    await assert.rejects(
      s.pull('no-such-model:1b', { signal: new AbortController().signal }),
      (e: unknown) => e instanceof SwitchyardError && /pull model manifest: file does not exist/.test(e.message),
    );
  });

  it('deletes a model, and says clearly when it is not there', async () => {
    server = await startOllamaServer({ models: MODELS });
    const { s } = sidecar();
    await s.deleteModel('llama3.2:3b');
    assert.ok(!(await s.installed()).some((m) => m.name === 'llama3.2:3b'));
    await assert.rejects(s.deleteModel('llama3.2:3b'), (e: unknown) => e instanceof SwitchyardError && e.info.kind === 'model_not_found');
  });

  it('warms a model up with an empty-messages request and the configured keep_alive, showing "loading"', async () => {
    server = await startOllamaServer({ models: MODELS });
    const { s, snapshots } = sidecar({ local: { ollamaHost: server.url, keepAlive: '45m' } });
    await s.warmUp('qwen2.5:7b');
    const load = server.requests.find((r) => r.path === '/api/chat')!;
    assert.deepEqual(load.body.messages, []);
    assert.equal(load.body.keep_alive, '45m');
    assert.deepEqual(server.loaded(), ['qwen2.5:7b']);
    assert.deepEqual((await s.loaded()).map((m) => m.name), ['qwen2.5:7b']);
    const statuses = snapshots.map((x) => x.ollama.status);
    assert.deepEqual(statuses.slice(-2), ['loading', 'ready']);
    assert.equal(snapshots.find((x) => x.ollama.status === 'loading')!.ollama.loadingModel, 'qwen2.5:7b');
  });

  it('plans residency from the real server and warms the model the next completion needs', async () => {
    server = await startOllamaServer({ models: MODELS });
    // 8 GB: the completion and chat models do not fit together, so the FIM coder serves both.
    const small = sidecar({}, { memory: 8 * GIB });
    const plan = await small.s.residencyPlan();
    assert.equal(plan.strategy, 'shared');
    assert.deepEqual(plan.assignments, { completion: 'qwen2.5-coder:1.5b', chat: 'qwen2.5-coder:1.5b' });
    assert.equal(small.s.keepAliveFor('qwen2.5-coder:1.5b'), '30m');
    assert.equal(await small.s.prepareFor('chat'), 'qwen2.5-coder:1.5b');
    assert.deepEqual(server.loaded(), ['qwen2.5-coder:1.5b']);
    // Roles no single model can serve: chat needs tools, completion needs insert. Completion stays;
    // the chat model is sent with keep_alive 0 so it leaves right after answering.
    const priority = await small.s.residencyPlan([
      { role: 'completion', model: 'qwen2.5-coder:1.5b', needs: ['insert'] },
      { role: 'chat', model: 'qwen2.5:7b', needs: ['tools'] },
    ]);
    assert.equal(priority.strategy, 'priority');
    assert.equal(small.s.keepAliveFor('qwen2.5:7b'), 0);
    assert.equal(small.s.keepAliveFor('qwen2.5-coder:1.5b'), '30m');
    // 32 GB: both stay; the chat model comes from the configured task list.
    const big = sidecar({ tasks: { chat: ['groq/llama-3.3-70b-versatile', 'ollama/qwen2.5:7b'] } }, { memory: 32 * GIB });
    const plan2 = await big.s.residencyPlan();
    assert.equal(plan2.strategy, 'separate');
    assert.deepEqual(plan2.assignments, { completion: 'qwen2.5-coder:1.5b', chat: 'qwen2.5:7b' });
    // OLLAMA_MAX_LOADED_MODELS=1 on the server side forces sharing even with room.
    const one = sidecar({}, { memory: 32 * GIB, env: { OLLAMA_MAX_LOADED_MODELS: '1' } });
    assert.equal((await one.s.residencyPlan()).strategy, 'shared');
  });

  it('is unavailable with a reason when nothing answers and Ollama is not installed', async () => {
    server = await startOllamaServer();
    const port = await freePort();
    const { s } = sidecar({ local: { ollamaHost: `127.0.0.1:${port}` } });
    const r = await s.ensureAvailable('ollama');
    assert.equal(r.available, false);
    assert.match(r.reason!, /ollama\.com\/download/);
    assert.equal(s.snapshot().ollama.status, 'missing');
    assert.equal(s.isAvailable('ollama'), false);
    await assert.rejects(s.installed(), /not installed/);
    assert.deepEqual(await s.ensureAvailable('groq'), { available: true }, 'cloud providers are not ours to judge');
  });
});

describe('LocalSidecar: NPU and OpenAI-compatible local endpoints', function () {
  this.timeout(10_000);
  let npu: NpuServer;
  let lmstudio: OpenAICompatibleServer;
  let ollama: OllamaServer;
  const keys: KeyStore = { getKey: async (id, origin) => (id === 'npu' && origin === npu.url ? 'npu-token' : undefined) };

  beforeEach(async () => {
    [npu, lmstudio, ollama] = await Promise.all([startNpuServer(), startOpenAICompatibleServer({ vendor: 'custom', apiKey: null, models: ['qwen2.5-7b-instruct'] }), startOllamaServer()]);
  });
  afterEach(async () => {
    await Promise.all([npu.close(), lmstudio.close(), ollama.close()]);
  });

  async function build(providers: Record<string, unknown>) {
    const { config } = parseConfig({ local: { ollamaHost: ollama.url }, providers });
    const s = new LocalSidecar({ config, logger: recordingLogger(), keys, env: {}, locateBinary: () => undefined });
    return s;
  }

  it('probes configured local endpoints and marks them available or not', async () => {
    const dead = await freePort();
    const s = await build({
      npu: { kind: 'npu-simple', baseUrl: npu.url },
      lmstudio: { kind: 'openai-compatible', baseUrl: lmstudio.baseUrl },
      vllm: { kind: 'openai-compatible', baseUrl: `http://127.0.0.1:${dead}/v1` },
      lan: { kind: 'openai-compatible', baseUrl: 'http://192.168.1.20:8000/v1' },
      groq: { kind: 'openai-compatible', vendor: 'groq' },
    });
    const events: SidecarSnapshot[] = [];
    s.onDidChangeState((x) => events.push(x));
    assert.deepEqual(s.snapshot().endpoints.map((e) => e.providerId), ['npu', 'lmstudio', 'vllm'], 'a LAN box is not local');
    const snap = await s.start();
    const by = Object.fromEntries(snap.endpoints.map((e) => [e.providerId, e]));
    assert.equal(by.npu!.status, 'ready');
    assert.equal(npu.requests[0]!.headers.authorization, 'Bearer npu-token', 'the token stored for this origin');
    assert.equal(by.lmstudio!.status, 'ready');
    assert.deepEqual(by.lmstudio!.models, ['qwen2.5-7b-instruct']);
    assert.equal(by.vllm!.status, 'down');
    assert.match(by.vllm!.reason!, /not reachable.*ECONNREFUSED/);
    assert.equal(s.isAvailable('npu'), true);
    assert.equal(s.isAvailable('vllm'), false);
    assert.equal(s.isLocalProvider('lan'), false);
    assert.ok(events.length >= 3, 'state changes are announced');
    assert.deepEqual(await s.ensureAvailable('vllm'), { available: false, reason: by.vllm!.reason, state: 'down' });
    await s.dispose();
  });

  it('finds an NPU service without a health route through a 1-token infer request', async () => {
    await npu.close();
    const bare = await startHttpServer((req, res, rec) => {
      if (rec.path === '/api/npu/infer') return void sendJson(res, 200, { success: true, result: 'p', model: 'Qwen2-7B' });
      sendJson(res, 404, { success: false, error: 'no route' });
    });
    npu = Object.assign(bare, { enqueue() {}, setReply() {} });
    const s = await build({ npu: { kind: 'npu-simple', baseUrl: `${bare.url}/api/npu/infer` } });
    assert.deepEqual(await s.ensureAvailable('npu'), { available: true });
    const infer = bare.requests.find((r) => r.path === '/api/npu/infer')!;
    assert.deepEqual(infer.body, { prompt: 'ping', max_tokens: 1, temperature: 0 });
    await s.dispose();
  });

  it('says when a local endpoint refuses our token', async () => {
    const s = await build({ npu2: { kind: 'npu-simple', baseUrl: npu.url } });
    const r = await s.ensureAvailable('npu2');
    assert.equal(r.available, false);
    assert.match(r.reason!, /refuses our token \(HTTP 401\)/);
    // Where to set the key is the surface's to say: the state carries the fix as data, the reason names no VS Code command.
    assert.doesNotMatch(r.reason!, /Switchyard: Set API Key/);
    assert.deepEqual(s.snapshot().endpoints.find((e) => e.providerId === 'npu2')?.fix, { action: 'set_key', provider: 'npu2', origin: new URL(npu.url).origin });
    await s.dispose();
  });
});

describe('ollamaHostFor', () => {
  it('takes local.ollamaHost, then the ollama provider’s baseUrl, then OLLAMA_HOST', () => {
    const cfg = (raw: object) => parseConfig(raw).config;
    assert.equal(ollamaHostFor(cfg({ local: { ollamaHost: '127.0.0.1:1' } }), { OLLAMA_HOST: '127.0.0.1:3' }).port, 1);
    assert.equal(ollamaHostFor(cfg({ providers: { ollama: { kind: 'ollama', baseUrl: 'http://127.0.0.1:2' } } }), { OLLAMA_HOST: '127.0.0.1:3' }).port, 2);
    assert.equal(ollamaHostFor(cfg({}), { OLLAMA_HOST: '127.0.0.1:3' }).port, 3);
  });
});

/**
 * The design note's API (requirements.md §5) with a raw fetch client, shapes checked field by
 * field, under both /api/llm and /api/v1/llm: generate, generate/stream (SSE ending [DONE]),
 * models, models/{id}/status, health, stats/usage from the ledger, stats/performance, and the
 * config routes (validated, persisted to the settings file, applied at once, endpoints and keys
 * never changeable), and the error envelope.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { CLOUD, type Harness, LOCAL, startHarness, sseEvents } from './harness';

describe('gateway: the /api/llm design-note API', function () {
  this.timeout(30_000);
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string; headers: Headers }> {
    const res = await fetch(`${h.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${h.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  }

  const messages = [{ role: 'user', content: 'Say hello' }];

  for (const base of ['/api/llm', '/api/v1/llm']) {
    it(`${base}/generate: {id, model, choices[{index, message{role, content}, finish_reason}], usage, cost}`, async () => {
      const { status, json } = await call('POST', `${base}/generate`, { model: CLOUD, messages, parameters: { temperature: 0.2, max_tokens: 64, top_p: 1 } });
      assert.equal(status, 200);
      assert.equal(typeof json.id, 'string');
      assert.equal(json.model, CLOUD);
      assert.equal(json.choices.length, 1);
      assert.deepEqual(Object.keys(json.choices[0]).sort(), ['finish_reason', 'index', 'message']);
      assert.equal(json.choices[0].index, 0);
      assert.deepEqual(json.choices[0].message, { role: 'assistant', content: 'Hello from the cloud model.' });
      assert.equal(json.choices[0].finish_reason, 'stop');
      for (const k of ['prompt_tokens', 'completion_tokens', 'total_tokens']) assert.equal(typeof json.usage[k], 'number', k);
      assert.equal(json.usage.total_tokens, json.usage.prompt_tokens + json.usage.completion_tokens);
      for (const k of ['input_cost', 'output_cost', 'total_cost']) assert.equal(typeof json.cost[k], 'number', k);
      assert.ok(json.cost.total_cost > 0);
      assert.ok(Math.abs(json.cost.total_cost - json.cost.input_cost - json.cost.output_cost) < 1e-12);
      const sent = h.groq.requests.find((r) => r.path.endsWith('/chat/completions'))!;
      assert.equal(sent.body.temperature, 0.2);
    });

    it(`${base}/generate/stream: data: {"id","choices":[{"delta":{"content"}}]} events ending with [DONE]`, async () => {
      const res = await fetch(`${h.url}${base}/generate/stream`, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'auto', messages }) });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
      assert.equal(res.headers.get('x-switchyard-model'), LOCAL);
      const events = sseEvents(await res.text());
      assert.equal(events.at(-1), '[DONE]');
      const data = events.slice(0, -1) as { id: string; choices: { delta: { content?: string }; finish_reason?: string }[]; usage?: unknown; cost?: unknown }[];
      const id = data[0]!.id;
      assert.ok(data.every((e) => e.id === id && Array.isArray(e.choices)));
      assert.equal(data.map((e) => e.choices[0]!.delta.content ?? '').join(''), 'Hello from the local model.');
      const last = data.at(-1)!;
      assert.equal(last.choices[0]!.finish_reason, 'stop');
      assert.ok(last.usage && last.cost);
    });
  }

  it('GET /models: {models:[{id, name, provider, type, status, capabilities, limits{max_tokens, context_window}, pricing{input_per_1k_tokens, output_per_1k_tokens}}]}', async () => {
    const { status, json } = await call('GET', '/api/llm/models');
    assert.equal(status, 200);
    const local = json.models.find((m: { id: string }) => m.id === LOCAL);
    assert.deepEqual(Object.keys(local).sort(), ['capabilities', 'id', 'limits', 'name', 'pricing', 'provider', 'status', 'type']);
    assert.equal(local.name, 'qwen2.5-coder:7b');
    assert.equal(local.provider, 'ollama');
    assert.equal(local.type, 'local');
    assert.equal(local.status, 'available');
    assert.deepEqual(Object.keys(local.limits).sort(), ['context_window', 'max_tokens']);
    assert.deepEqual(local.pricing, { input_per_1k_tokens: 0, output_per_1k_tokens: 0 });
    const cloud = json.models.find((m: { id: string }) => m.id === CLOUD);
    assert.equal(cloud.type, 'cloud');
    assert.ok(cloud.pricing.input_per_1k_tokens > 0 && cloud.pricing.output_per_1k_tokens > 0);
  });

  it('GET /models/{id}/status: {model_id, status, health, response_time_ms, last_check, error_rate}; an unknown id is MODEL_NOT_FOUND', async () => {
    await call('POST', '/api/llm/generate', { model: LOCAL, messages });
    const { status, json } = await call('GET', `/api/llm/models/${LOCAL}/status`);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(json).sort(), ['error_rate', 'health', 'last_check', 'model_id', 'response_time_ms', 'status']);
    assert.equal(json.model_id, LOCAL);
    assert.equal(json.status, 'available');
    assert.equal(json.health, 'healthy');
    assert.equal(typeof json.response_time_ms, 'number');
    assert.ok(!Number.isNaN(Date.parse(json.last_check)));
    assert.equal(json.error_rate, 0);
    const missing = await call('GET', '/api/llm/models/ollama/none/status');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.code, 'MODEL_NOT_FOUND');
  });

  it('GET /health: {status, timestamp, services{…}, models{available, healthy, degraded, unavailable}} with each provider reachable', async () => {
    const res = await fetch(`${h.url}/api/llm/health`);
    const json = (await res.json()) as any;
    assert.equal(res.status, 200);
    assert.equal(json.status, 'healthy');
    assert.ok(!Number.isNaN(Date.parse(json.timestamp)));
    assert.equal(json.services['provider:ollama'], 'reachable');
    assert.equal(json.services['provider:groq'], 'reachable');
    assert.deepEqual(Object.keys(json.models).sort(), ['available', 'degraded', 'healthy', 'unavailable']);
    await h.ollama.close();
    const down = (await (await fetch(`${h.url}/api/llm/health`)).json()) as any;
    assert.equal(down.services['provider:ollama'], 'unreachable');
    assert.equal(down.status, 'degraded');
  });

  it('GET /stats/usage reads the ledger: totals and by_model{requests, tokens, cost}, filtered by model and dates', async () => {
    await call('POST', '/api/llm/generate', { model: CLOUD, messages });
    await call('POST', '/api/llm/generate', { model: LOCAL, messages });
    await h.gw.idle();
    await h.core.ledger!.flush();
    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    const all = await call('GET', `/api/llm/stats/usage?start_date=${day}&end_date=${day}`);
    assert.equal(all.status, 200);
    assert.equal(all.json.totals.requests, 2);
    assert.ok(all.json.by_model[CLOUD].cost > 0);
    assert.equal(all.json.by_model[LOCAL].cost, 0);
    for (const k of ['requests', 'tokens', 'cost']) assert.equal(typeof all.json.by_model[CLOUD][k], 'number', k);
    const one = await call('GET', `/api/llm/stats/usage?model=${encodeURIComponent(CLOUD)}`);
    assert.deepEqual(Object.keys(one.json.by_model), [CLOUD]);
    const bad = await call('GET', '/api/llm/stats/usage?start_date=yesterday');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'INVALID_REQUEST');
  });

  it('GET /stats/performance: response_times{average_ms, p50_ms, p95_ms, p99_ms}, success and error rate, throughput per minute', async () => {
    await call('POST', '/api/llm/generate', { model: LOCAL, messages });
    const { json } = await call('GET', '/api/llm/stats/performance');
    assert.deepEqual(Object.keys(json.response_times).sort(), ['average_ms', 'p50_ms', 'p95_ms', 'p99_ms']);
    assert.equal(json.success_rate, 1);
    assert.equal(json.error_rate, 0);
    assert.equal(json.throughput.requests_per_minute, 1);
  });

  it('PUT /config/models/{id}: validated, persisted to the settings file, applied at once (disabled → 503, rate limit → 429 with retry_after, defaults used)', async () => {
    const put = await call('PUT', `/api/llm/config/models/${CLOUD}`, { enabled: true, priority: 1, rate_limit: { requests_per_minute: 1 }, fallback_models: [LOCAL], parameters: { default_temperature: 0.3, max_tokens: 50 } });
    assert.equal(put.status, 200, put.text);
    const file = JSON.parse(await fs.readFile(h.settingsPath, 'utf8'));
    assert.equal(file.gateway.models[CLOUD].rate_limit.requests_per_minute, 1);
    assert.equal(file.providers.groq.baseUrl, h.groq.baseUrl, 'the rest of the file is kept');
    const first = await call('POST', '/api/llm/generate', { model: CLOUD, messages });
    assert.equal(first.status, 200);
    const sent = h.groq.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1)!;
    assert.equal(sent.body.temperature, 0.3);
    const limited = await call('POST', '/api/llm/generate', { model: CLOUD, messages });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error.code, 'RATE_LIMIT_EXCEEDED');
    assert.ok(limited.json.error.details.retry_after >= 1);
    assert.equal(limited.headers.get('retry-after'), String(limited.json.error.details.retry_after));
    const off = await call('PUT', `/api/llm/config/models/${LOCAL}`, { enabled: false });
    assert.equal(off.status, 200);
    const disabled = await call('POST', '/api/llm/generate', { model: LOCAL, messages });
    assert.equal(disabled.status, 503);
    assert.equal(disabled.json.error.code, 'MODEL_UNAVAILABLE');
    assert.equal(disabled.json.error.details.model, LOCAL);
    assert.equal((await call('GET', '/api/llm/models')).json.models.find((m: { id: string }) => m.id === LOCAL).status, 'disabled');
    assert.equal((await call('PUT', `/api/llm/config/models/${LOCAL}`, { enabled: true })).status, 200);
    assert.equal((await call('POST', '/api/llm/generate', { model: LOCAL, messages })).status, 200);
  });

  it('PUT /config/*: endpoints and keys can never be changed, wrong types are refused, an unknown model is MODEL_NOT_FOUND; the file is untouched', async () => {
    const before = await fs.readFile(h.settingsPath, 'utf8');
    for (const body of [{ baseUrl: 'http://evil.example' }, { apiKey: 'x' }, { enabled: 'yes' }, { parameters: { endpoint: 'http://evil.example' } }, { priority: -1 }]) {
      const res = await call('PUT', `/api/llm/config/models/${CLOUD}`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.error.code, 'INVALID_REQUEST');
    }
    assert.equal((await call('PUT', '/api/llm/config/models/nope/model', { enabled: false })).status, 404);
    assert.equal((await call('PUT', '/api/llm/config/load-balancing', { strategy: 'random', baseUrl: 'x' })).status, 400);
    assert.equal(await fs.readFile(h.settingsPath, 'utf8'), before);
  });

  it('PUT /config/load-balancing: {strategy, health_check_interval, failure_threshold, recovery_threshold, weights} persisted', async () => {
    const body = { strategy: 'weighted', health_check_interval: 30, failure_threshold: 3, recovery_threshold: 2, weights: { [LOCAL]: 0.8, [CLOUD]: 0.2 } };
    const res = await call('PUT', '/api/v1/llm/config/load-balancing', body);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(JSON.parse(await fs.readFile(h.settingsPath, 'utf8')).gateway.loadBalancing, body);
    const bad = await call('PUT', '/api/v1/llm/config/load-balancing', { strategy: 'dice' });
    assert.equal(bad.status, 400);
  });

  it('the error envelope: {error:{code, message, details{model, reason, retry_after}, request_id}}', async () => {
    const res = await call('POST', '/api/llm/generate', { model: 'gpt-17', messages });
    assert.equal(res.status, 404);
    assert.deepEqual(Object.keys(res.json.error).sort(), ['code', 'details', 'message', 'request_id']);
    assert.equal(res.json.error.code, 'MODEL_NOT_FOUND');
    assert.equal(res.json.error.details.model, 'gpt-17');
    assert.ok(res.json.error.details.valid_models.includes(LOCAL));
    assert.equal(res.json.error.request_id, res.headers.get('x-request-id'));
  });
});

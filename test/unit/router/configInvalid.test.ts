/**
 * Settings that fail closed, end to end through the assembled core against the doubles: while
 * a cap, endpoint or mode cannot be read, no cloud request is ever sent (the cloud double counts
 * 0), local candidates still answer, and every refusal carries the typed reason and its fix.
 */
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/core/config';
import { createSwitchyard } from '../../../src/core/switchyard';
import type { EscalationHook, NormalizedError, RouteRequest, StreamEvent } from '../../../src/core/types';
import { type OllamaServer, startOllamaServer } from '../../servers/ollama';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import { closedPort, collect, memoryKeyStore, textOf } from './helpers';

const GROQ_KEY = 'gsk-test';

describe('router: settings that fail closed refuse every cloud call', function () {
  this.timeout(15_000);
  let ollama: OllamaServer;
  let groq: OpenAICompatibleServer;

  beforeEach(async () => {
    ollama = await startOllamaServer({ models: ['qwen2.5-coder:7b'], reply: { text: 'Local answer.' } });
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: GROQ_KEY, models: ['llama-3.3-70b-versatile'], reply: { text: 'Groq answer.' } });
  });
  afterEach(async () => {
    await Promise.all([ollama.close(), groq.close()]);
  });

  function build(settings: Record<string, unknown>, opts: { ollamaUrl?: string; escalation?: EscalationHook } = {}) {
    const { config, problems } = parseConfig({
      providers: {
        ollama: { kind: 'ollama', baseUrl: opts.ollamaUrl ?? ollama.url },
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
      },
      tasks: { chat: ['ollama/qwen2.5-coder:7b', 'groq/llama-3.3-70b-versatile'] },
      ...settings,
    });
    const keys = memoryKeyStore({ [`groq@${groq.url}`]: GROQ_KEY });
    return { sy: createSwitchyard({ config, keys, env: {}, escalation: opts.escalation }), problems, keys };
  }
  const request = (extra: Partial<RouteRequest> = {}): RouteRequest => ({
    messages: [{ role: 'user', content: 'hello' }],
    task: 'chat',
    workspaceId: 'ws',
    signal: new AbortController().signal,
    ...extra,
  });
  const errorOf = (events: StreamEvent[]): NormalizedError | undefined => events.flatMap((e) => (e.type === 'error' ? [e.error] : []))[0];

  it('a cloud call is refused with config_invalid naming budget.dailyLimit; the cloud double gets 0 requests', async () => {
    const { sy, problems, keys } = build({ budget: { dailyLimit: -5 } });
    assert.deepEqual(problems.map((p) => `${p.path}: ${p.effect}`), ['budget.dailyLimit: fail_closed']);
    for (const extra of [{ mode: 'cloud' as const }, { pinned: 'groq/llama-3.3-70b-versatile' }, { escalateFrom: { answer: 'x', reason: 'the user asked' } }]) {
      const events = await collect(sy.stream(request(extra)));
      const error = errorOf(events);
      assert.equal(error?.kind, 'config_invalid', JSON.stringify(extra));
      assert.deepEqual(error?.fix, { action: 'fix_setting', setting: 'budget.dailyLimit' });
      assert.match(error!.message, /Cloud models are refused: the setting budget\.dailyLimit cannot be read \(Number must be greater than or equal to 0\)/);
      assert.ok(!events.some((e) => e.type === 'start'), 'no attempt started');
    }
    const plan = await sy.plan(request());
    assert.ok(plan.excluded.some((e) => e.ref.startsWith('groq/') && /cloud calls are refused until the setting budget\.dailyLimit is fixed/.test(e.why)));
    assert.equal(groq.requests.length, 0, 'the cloud double received no request');
    assert.deepEqual(keys.asked.filter((k) => k.startsWith('groq')), [], 'not even a key lookup for the cloud provider');
  });

  it('a local call still answers', async () => {
    const { sy } = build({ budget: { globalDailyLimit: -1 } });
    const events = await collect(sy.stream(request()));
    assert.equal(textOf(events), 'Local answer.');
    assert.equal(errorOf(events), undefined);
    assert.deepEqual(events.at(-1), { type: 'done', attempts: 1, finalRef: { provider: 'ollama', model: 'qwen2.5-coder:7b' } });
    assert.equal(groq.requests.length, 0);
  });

  it('a local failure does not fail over to the cloud: the error is the setting to fix, with what failed locally', async () => {
    ollama.enqueue({ error: { status: 500, error: 'llama runner process has terminated' } });
    const { sy } = build({ escalation: { maxCostPerRequestUsd: -1 } });
    const events = await collect(sy.stream(request()));
    const error = errorOf(events);
    assert.equal(error?.kind, 'config_invalid');
    assert.deepEqual(error?.fix, { action: 'fix_setting', setting: 'escalation.maxCostPerRequestUsd' });
    assert.match(error!.message, /The local attempt failed: .*llama runner process has terminated/);
    assert.ok(!events.some((e) => e.type === 'failover'));
    assert.equal(groq.requests.length, 0);
  });

  it('with no local model up, the refusal is the error (not "no model is available")', async () => {
    const { sy } = build({ budget: { currency: 'JPY' } }, { ollamaUrl: `http://127.0.0.1:${await closedPort()}` });
    const error = errorOf(await collect(sy.stream(request())));
    assert.equal(error?.kind, 'config_invalid');
    assert.match(error!.message, /budget\.currency .* No local model could take this chat request\. Left out: /);
    assert.equal(groq.requests.length, 0);
  });

  it('an uncertain local answer is not escalated, and the notice says why', async () => {
    ollama.setReply({ text: 'UNCERTAIN' });
    let confirms = 0;
    const escalation: EscalationHook = {
      systemPromptFor: () => undefined,
      watch: () => ({
        onText: () => undefined,
        onFinish: (text) => [{ signal: 'marker', fired: text.includes('UNCERTAIN'), explanation: 'the model answered UNCERTAIN' }],
      }),
      confirm: async () => (confirms++, true),
    };
    const { sy } = build({ budget: { monthlyLimit: -3 } }, { escalation });
    const events = await collect(sy.stream(request()));
    assert.equal(textOf(events), 'UNCERTAIN');
    const notice = events.find((e) => e.type === 'notice');
    assert.ok(notice?.type === 'notice' && /It cannot be escalated: Cloud models are refused: the setting budget\.monthlyLimit/.test(notice.message), JSON.stringify(notice));
    assert.equal(confirms, 0, 'nobody is asked to approve a call that would be refused');
    assert.equal(groq.requests.length, 0);
  });

  it('an unreadable mode is Local only: local answers, cloud is refused and not even listed', async () => {
    const { sy } = build({ mode: 'locall' });
    const plan = await sy.plan(request());
    assert.equal(plan.mode, 'local');
    assert.equal(textOf(await collect(sy.stream(request()))), 'Local answer.');
    const models = await sy.listModels();
    assert.ok(models.every((m) => m.locality === 'local'), JSON.stringify(models));
    const error = errorOf(await collect(sy.stream(request({ mode: 'cloud' }))));
    assert.equal(error?.kind, 'config_invalid');
    assert.deepEqual(error?.fix, { action: 'fix_setting', setting: 'mode' });
    assert.equal(groq.requests.length, 0);
  });

  it('with every setting readable, the same requests reach the cloud (the refusal is the settings, nothing else)', async () => {
    const { sy } = build({ budget: { dailyLimit: 5 } });
    const events = await collect(sy.stream(request({ mode: 'cloud' })));
    assert.equal(textOf(events), 'Groq answer.');
    assert.equal(groq.requests.length, 1);
  });
});

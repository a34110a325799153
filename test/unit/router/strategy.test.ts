/**
 * Routing strategies (issue 18 point 8) through the real plan over three keyed cloud doubles:
 * round_robin rotates across requests, weighted follows the weights over many plans (seeded),
 * a model's fallback_models come right after it, a manual primary persists in the state
 * directory across two instances, and bad settings are named with the defaults in force.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assembleCore } from '../../../src/core/assemble';
import { createReliabilityGuard } from '../../../src/core/reliability/guard';
import { primaryStore } from '../../../src/core/router/primary';
import { parseRoutingSettings } from '../../../src/core/router/routingSettings';
import { createSwitchyard } from '../../../src/core/switchyard';
import { formatModelRef, type RoutingDecision } from '../../../src/core/types';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import { config, memoryKeyStore, recordingLogger } from './helpers';

const refs = (d: RoutingDecision) => d.candidates.map((c) => formatModelRef(c.ref));
const lead = (d: RoutingDecision) => d.candidates[0]!.ref.provider;
const ask = [{ role: 'user' as const, content: 'Hello there, how are you today?' }];

/** mulberry32: a seeded [0, 1) so the weighted counts are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('routing strategies: round_robin, weighted, fallback_models, manual primary', function () {
  this.timeout(20_000);
  let groq: OpenAICompatibleServer;
  let zhipu: OpenAICompatibleServer;
  let gemini: OpenAICompatibleServer;
  let dir: string;

  before(async () => {
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: 'gsk', models: ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant'] });
    zhipu = await startOpenAICompatibleServer({ vendor: 'zhipu', apiKey: 'zp', models: ['glm-4-flash'] });
    gemini = await startOpenAICompatibleServer({ vendor: 'gemini', apiKey: 'gm', models: ['gemini-2.0-flash'] });
  });
  after(async () => Promise.all([groq.close(), zhipu.close(), gemini.close()]));
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-primary-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function build(routing: unknown, opts: { random?: () => number; primaryDir?: string } = {}) {
    const cfg = config({
      providers: {
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
        zhipu: { kind: 'openai-compatible', vendor: 'zhipu', baseUrl: zhipu.baseUrl, locality: 'cloud', models: ['glm-4-flash'] },
        gemini: { kind: 'openai-compatible', vendor: 'gemini', baseUrl: gemini.baseUrl, locality: 'cloud', models: ['gemini-2.0-flash'] },
      },
      tasks: { chat: ['groq/llama-3.3-70b-versatile', 'zhipu/glm-4-flash', 'gemini/gemini-2.0-flash'] },
    });
    const keys = memoryKeyStore({ [`groq@${groq.url}`]: 'gsk', [`zhipu@${zhipu.url}`]: 'zp', [`gemini@${gemini.url}`]: 'gm' });
    const parsed = parseRoutingSettings(routing);
    assert.deepEqual(parsed.problems, []);
    return createSwitchyard({ config: cfg, keys, env: {}, routing: { settings: parsed.settings, primary: primaryStore(opts.primaryDir ?? dir), ...(opts.random ? { random: opts.random } : {}) } });
  }

  it('priority (the default) keeps the list order on every request', async () => {
    const sy = build({});
    for (let i = 0; i < 3; i++) assert.deepEqual(refs(await sy.plan({ messages: ask, workspaceId: 'w' })), ['groq/llama-3.3-70b-versatile', 'zhipu/glm-4-flash', 'gemini/gemini-2.0-flash']);
  });

  it('round_robin: providers of equal standing take turns leading, one step per request, the rest behind in order', async () => {
    const sy = build({ strategy: 'round_robin' });
    const plans = [];
    for (let i = 0; i < 4; i++) plans.push(refs(await sy.plan({ messages: ask, workspaceId: 'w' })));
    assert.deepEqual(plans.map((p) => p[0]!.split('/')[0]), ['groq', 'zhipu', 'gemini', 'groq']);
    assert.deepEqual(plans[1], ['zhipu/glm-4-flash', 'gemini/gemini-2.0-flash', 'groq/llama-3.3-70b-versatile']);
  });

  it('weighted: over 2,000 plans each provider leads in proportion to its weight (seeded); weight 0 never leads', async () => {
    const sy = build({ strategy: 'weighted', weights: { groq: 3, zhipu: 1, gemini: 0 } }, { random: seeded(42) });
    const leads: Record<string, number> = { groq: 0, zhipu: 0, gemini: 0 };
    for (let i = 0; i < 2_000; i++) leads[lead(await sy.plan({ messages: ask, workspaceId: 'w' }))]!++;
    assert.equal(leads.gemini, 0);
    const share = leads.groq! / 2_000;
    assert.ok(share > 0.7 && share < 0.8, `groq led ${share} of plans (weight 3 of 4: 0.75)`);
  });

  it("fallback_models: a model's own ordered fallbacks come right after it, before the next entry of the task list", async () => {
    const sy = build({ fallbackModels: { 'groq/llama-3.3-70b-versatile': ['groq/llama-3.1-8b-instant', 'gemini/gemini-2.0-flash'] } });
    assert.deepEqual(refs(await sy.plan({ messages: ask, workspaceId: 'w' })), ['groq/llama-3.3-70b-versatile', 'groq/llama-3.1-8b-instant', 'gemini/gemini-2.0-flash', 'zhipu/glm-4-flash']);
  });

  it('make primary: set by one instance in the state directory, a second instance (another window, the CLI) leads with it; cleared, the order returns', async () => {
    const first = build({}, { primaryDir: dir });
    primaryStore(dir).set('gemini');
    const second = build({ strategy: 'round_robin' }, { primaryDir: dir });
    assert.deepEqual(refs(await first.plan({ messages: ask, workspaceId: 'w' })), ['gemini/gemini-2.0-flash', 'groq/llama-3.3-70b-versatile', 'zhipu/glm-4-flash']);
    for (let i = 0; i < 3; i++) assert.equal(lead(await second.plan({ messages: ask, workspaceId: 'w' })), 'gemini', 'the primary leads whatever the strategy');
    const guard = createReliabilityGuard({ dir: path.join(dir, 'reliability'), primary: () => primaryStore(dir).get() });
    assert.equal(guard.statusSnapshot().primary, 'gemini', 'the status shows the current primary');
    primaryStore(dir).set(undefined);
    assert.equal(guard.statusSnapshot().primary, undefined);
    guard.close();
    assert.equal(lead(await first.plan({ messages: ask, workspaceId: 'w' })), 'groq');
    assert.equal(primaryStore(dir).get(), undefined);
  });

  it('a pinned request is not reordered by a strategy or a primary', async () => {
    primaryStore(dir).set('gemini');
    const sy = build({ strategy: 'round_robin' });
    const d = await sy.plan({ messages: ask, workspaceId: 'w', pinned: 'zhipu/glm-4-flash' });
    assert.deepEqual(refs(d), ['zhipu/glm-4-flash']);
  });

  it('assembleCore reads switchyard.routing from the settings: round_robin applies, a bad weight is logged by name and dropped', async () => {
    const logger = recordingLogger();
    const cfg = config({
      providers: {
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
        zhipu: { kind: 'openai-compatible', vendor: 'zhipu', baseUrl: zhipu.baseUrl, locality: 'cloud', models: ['glm-4-flash'] },
      },
      tasks: { chat: ['groq/llama-3.3-70b-versatile', 'zhipu/glm-4-flash'] },
      routing: { strategy: 'round_robin', weights: { groq: 'lots' } },
    });
    const keys = memoryKeyStore({ [`groq@${groq.url}`]: 'gsk', [`zhipu@${zhipu.url}`]: 'zp' });
    const core = assembleCore({ config: cfg }, { keys, logger, env: { SWITCHYARD_STATE_DIR: dir }, spendGuard: null, local: null, escalate: false });
    try {
      const leads = [];
      for (let i = 0; i < 2; i++) leads.push(lead(await core.switchyard.plan({ messages: ask, workspaceId: 'w' })));
      assert.deepEqual(leads, ['groq', 'zhipu']);
      assert.deepEqual(logger.lines.filter((l) => l.event === 'settings.problem').map((l) => l.fields?.setting), ['switchyard.routing.weights.groq']);
    } finally {
      core.dispose();
    }
  });

  it('invalid strategy settings are named, and the defaults stay in force', () => {
    const r = parseRoutingSettings({ strategy: 'fastest', weights: { groq: -1, zhipu: 2 }, fallbackModels: { groq: ['x'] } });
    assert.deepEqual(r.problems.map((p) => p.setting).sort(), ['switchyard.routing.fallbackModels.groq', 'switchyard.routing.strategy', 'switchyard.routing.weights.groq']);
    assert.equal(r.settings.strategy, 'priority');
    assert.deepEqual(r.settings.weights, { zhipu: 2 });
    assert.deepEqual(r.settings.fallbackModels, {});
    assert.deepEqual(parseRoutingSettings('round_robin').problems.map((p) => p.setting), ['switchyard.routing']);
  });
});

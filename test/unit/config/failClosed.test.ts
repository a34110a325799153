/**
 * Settings that cannot be read: a value whose default is safe falls back alone; a value whose
 * default could allow more (a cap, an endpoint, the mode…) fails closed — the config carries a
 * typed `refuseCloud` reason, and an unreadable mode is read as Local only.
 */
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/core/config';
import { effectiveProviderConfigs } from '../../../src/core/switchyard';

const effects = (raw: unknown) => parseConfig(raw).problems.map((p) => `${p.path}: ${p.effect}`);

describe('config: which unreadable settings fail closed', () => {
  it('an invalid budget cap fails closed with a typed reason, instead of raising the cap to the default', () => {
    for (const [budget, setting] of [
      [{ dailyLimit: -5 }, 'budget.dailyLimit'],
      [{ monthlyLimit: 'lots' }, 'budget.monthlyLimit'],
      [{ globalDailyLimit: -1 }, 'budget.globalDailyLimit'],
      [{ globalMonthlyLimit: null }, 'budget.globalMonthlyLimit'],
      [{ currency: 'JPY' }, 'budget.currency'],
      [{ usdRate: 0 }, 'budget.usdRate'],
    ] as const) {
      const { config, problems } = parseConfig({ budget });
      assert.equal(problems.length, 1, setting);
      assert.equal(problems[0]!.effect, 'fail_closed', setting);
      assert.deepEqual(config.refuseCloud, [{ code: 'config_invalid', setting, problem: problems[0]!.message }]);
    }
  });

  it('per-request ceiling, policy, pinned, a task list, providers and the proxy fail closed too', () => {
    assert.deepEqual(effects({ escalation: { maxCostPerRequestUsd: -1 } }), ['escalation.maxCostPerRequestUsd: fail_closed']);
    assert.deepEqual(effects({ escalation: { policy: 'sometimes' } }), ['escalation.policy: fail_closed']);
    assert.deepEqual(effects({ pinned: 'no such/ thing' }), ['pinned: fail_closed']);
    assert.deepEqual(effects({ tasks: { code: 'ollama/qwen2.5-coder:7b' } }), ['tasks.code: fail_closed'], 'a whole list would become the shipped one, with cloud models');
    assert.deepEqual(effects({ providers: { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: 'not a url' } } }), ['providers.groq.baseUrl: fail_closed']);
    assert.deepEqual(effects({ providers: [] }), ['providers: fail_closed']);
    assert.deepEqual(effects({ network: { proxy: 3128 } }), ['network.proxy: fail_closed']);
    assert.deepEqual(effects({ budget: 5 }), ['budget: fail_closed'], 'a whole section holding caps');
    assert.deepEqual(effects({ budget: { priceOverrides: { 'groq/x': { input: -1, output: 1 } } } }), ['budget.priceOverrides.groq/x.input: fail_closed']);
    assert.deepEqual(effects('mode=local'), [': fail_closed'], 'settings that are not an object at all');
  });

  it('values whose default allows no more are dropped alone, and nothing is refused', () => {
    const raw = {
      completion: { allowCloud: 'yes', maxTokens: 0 },
      budget: { allowUnpriced: 'groq/x', alertThresholds: [2] },
      tasks: { code: ['ollama/qwen2.5-coder:7b', 'not a ref'], poetry: ['ollama/x'] },
      escalation: { signals: { logprobs: { lowTokenProb: 3 } } },
      local: { keepAlive: null },
      network: { noProxy: 'corp' },
      logPrompts: 'please',
    };
    const { config, problems } = parseConfig(raw);
    assert.ok(problems.length >= 9, JSON.stringify(problems));
    assert.deepEqual(problems.filter((p) => p.effect !== 'default'), []);
    assert.equal(config.refuseCloud, undefined);
    assert.equal(config.completion.allowCloud, false, 'completion stays local');
    assert.deepEqual(config.budget.allowUnpriced, []);
    assert.deepEqual(config.tasks.code, ['ollama/qwen2.5-coder:7b'], 'the bad entry alone is dropped');
    assert.equal(config.logPrompts, false);
  });

  it('an unreadable mode is read as Local only, not as auto', () => {
    const { config, problems } = parseConfig({ mode: 'locl', budget: { dailyLimit: 0.5 } });
    assert.equal(config.mode, 'local');
    assert.deepEqual(problems.map((p) => p.effect), ['fail_closed']);
    assert.equal(config.refuseCloud?.[0]?.setting, 'mode');
    assert.equal(config.budget.dailyLimit, 0.5, 'the readable settings stay');
    assert.equal(parseConfig({ mode: 'cloud', budget: { dailyLimit: -1 } }).config.mode, 'cloud', 'another setting does not change the mode');
  });

  it('a provider that cannot be read never brings the shipped endpoints back', () => {
    const { config } = parseConfig({ providers: { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: 'htp:/api.groq' } } });
    assert.deepEqual(config.providers, {});
    assert.deepEqual(effectiveProviderConfigs(config, {}), {}, 'not the shipped Groq endpoint, nor any other');
    const mixed = parseConfig({ providers: { ollama: { kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' }, groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: 'nope' } } }).config;
    assert.deepEqual(Object.keys(effectiveProviderConfigs(mixed, {})), ['ollama']);
    assert.ok(Object.keys(effectiveProviderConfigs(parseConfig({}).config, {})).includes('groq'), 'no providers setting at all: the shipped set');
  });

  it('a value missing where one is required takes its entry with it, not the whole settings object', () => {
    const { config, problems } = parseConfig({ budget: { dailyLimit: 0.2, priceOverrides: { 'groq/x': { output: 1 } } } });
    assert.deepEqual(problems.map((p) => p.path), ['budget.priceOverrides.groq/x.input']);
    assert.deepEqual(config.budget.priceOverrides, {});
    assert.equal(config.budget.dailyLimit, 0.2);
  });
});

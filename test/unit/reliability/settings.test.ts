import { strict as assert } from 'node:assert';
import { DEFAULT_BREAKER, DEFAULT_WAIT_FOR_SLOT_MS } from '../../../src/core/reliability/defaults';
import { resolveLimits } from '../../../src/core/reliability/limits';
import { parseReliabilitySettings } from '../../../src/core/reliability/settings';

describe('switchyard.reliability settings', () => {
  it('defaults with nothing set', () => {
    const { settings, problems } = parseReliabilitySettings(undefined);
    assert.deepEqual(problems, []);
    assert.equal(settings.waitForSlotMs, DEFAULT_WAIT_FOR_SLOT_MS);
    assert.deepEqual(settings.breaker, DEFAULT_BREAKER);
    assert.equal(settings.retry.maxAttempts, 3);
  });

  it('names an invalid quota value by its full setting and keeps the rest', () => {
    const { settings, problems } = parseReliabilitySettings({ quotas: { groq: { requestsPerMinute: -3, tokensPerMinute: 50_000 }, gemini: { requestsPerDay: 100 } } });
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.setting, 'switchyard.reliability.quotas.groq.requestsPerMinute');
    assert.match(problems[0]!.message, /greater than 0/);
    assert.deepEqual(settings.quotas.groq, { tokensPerMinute: 50_000 });
    assert.deepEqual(settings.quotas.gemini, { requestsPerDay: 100 });
  });

  it('names an unknown quota field and an invalid breaker value; defaults stay in force', () => {
    const { settings, problems } = parseReliabilitySettings({ quotas: { groq: { rpm: 5 } }, breaker: { errorRate: 2, cooldownMs: 'soon' }, waitForSlotMs: 5_000 });
    assert.deepEqual(problems.map((p) => p.setting).sort(), ['switchyard.reliability.breaker.cooldownMs', 'switchyard.reliability.breaker.errorRate', 'switchyard.reliability.quotas.groq.rpm']);
    assert.equal(settings.breaker.errorRate, DEFAULT_BREAKER.errorRate);
    assert.equal(settings.breaker.cooldownMs, DEFAULT_BREAKER.cooldownMs);
    assert.equal(settings.waitForSlotMs, 5_000);
    // The Groq default still applies under a quota entry that lost its only field.
    assert.deepEqual(resolveLimits('groq', 'llama-3.3-70b-versatile', true, 'groq', settings.quotas).m, { requestsPerMinute: 30, tokensPerMinute: 30_000 });
  });

  it('rejects a whole section of the wrong type with its name', () => {
    const { settings, problems } = parseReliabilitySettings({ retry: 'often' });
    assert.equal(problems[0]!.setting, 'switchyard.reliability.retry');
    assert.equal(settings.retry.maxAttempts, 3);
  });

  it('refuses a base delay above the cap (the backoff would never grow)', () => {
    const { settings, problems } = parseReliabilitySettings({ retry: { baseDelayMs: 30_000, maxDelayMs: 10_000 } });
    assert.equal(problems[0]!.setting, 'switchyard.reliability.retry.baseDelayMs');
    assert.equal(settings.retry.baseDelayMs, 1_000);
  });
});

describe('quota limits per provider and model', () => {
  it('ships the free tiers: Groq 30/min + 30,000 tokens/min per model, Gemini 15/min + 1,500/day, glm-4.7-flash one at a time', () => {
    assert.deepEqual(resolveLimits('groq', 'llama-3.1-8b-instant', true, 'groq', {}), { p: { concurrent: 10 }, m: { requestsPerMinute: 30, tokensPerMinute: 30_000 } });
    assert.deepEqual(resolveLimits('gemini', 'gemini-2.0-flash', true, 'gemini', {}).m, { requestsPerMinute: 15, requestsPerDay: 1_500 });
    assert.deepEqual(resolveLimits('zhipu', 'glm-4.7-flash', true, 'zhipu', {}).m, { concurrent: 1 });
    assert.equal(resolveLimits('zhipu', 'glm-4-flash', true, 'zhipu', {}).m, undefined);
  });

  it('finds the defaults by vendor for a provider with another id', () => {
    assert.equal(resolveLimits('my-groq', 'x', true, 'groq', {}).m?.requestsPerMinute, 30);
  });

  it('lets settings override a field, lift a default with null, and add a provider-wide limit', () => {
    const { settings } = parseReliabilitySettings({ quotas: { 'groq/*': { requestsPerMinute: 60, tokensPerMinute: null }, 'groq/llama-3.1-8b-instant': { requestsPerDay: 14_400 }, groq: { concurrent: 2 } } });
    assert.deepEqual(resolveLimits('groq', 'llama-3.1-8b-instant', true, 'groq', settings.quotas), { p: { concurrent: 2 }, m: { requestsPerMinute: 60, requestsPerDay: 14_400 } });
  });

  it('sets no default limit on local providers', () => {
    assert.deepEqual(resolveLimits('ollama', 'llama3.2', false, undefined, {}), {});
  });
});

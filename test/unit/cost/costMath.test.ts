import { strict as assert } from 'node:assert';
import { costOf, maxTokensWithin, worstCaseUsd } from '../../../src/core/cost/costMath';
import { resolvePrice, type PriceContext } from '../../../src/core/cost/prices';
import type { Usage } from '../../../src/core/types';

const ctx = (over: Partial<PriceContext> = {}): PriceContext => ({
  overrides: {},
  allowUnpriced: [],
  vendorOf: () => undefined,
  ...over,
});
const usage = (u: Partial<Usage>): Usage => ({ inputTokens: 0, outputTokens: 0, estimated: false, ...u });
const priced = (provider: string, model: string, c = ctx()) => resolvePrice({ provider, model }, 'cloud', c);
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('cost arithmetic against the price table', () => {
  it('bills gpt-4o at $2.50 in / $10 out per 1M tokens', () => {
    const c = costOf(usage({ inputTokens: 1_000, outputTokens: 500 }), priced('openai', 'gpt-4o'), false);
    close(c.inputUsd, 0.0025);
    close(c.outputUsd, 0.005);
    close(c.totalUsd, 0.0075);
    assert.equal(c.estimated, false);
    assert.match(c.priceSource, /^table \d{4}-\d{2}$/);
  });

  it('bills cached input at the cached rate (gpt-4o-mini: 0.15 → 0.075)', () => {
    const c = costOf(usage({ inputTokens: 10_000, cachedInputTokens: 8_000, outputTokens: 0 }), priced('openai', 'gpt-4o-mini'), false);
    close(c.inputUsd, (2_000 * 0.15 + 8_000 * 0.075) / 1e6);
  });

  it('bills cached input at the full input rate where the vendor has no cached price', () => {
    const c = costOf(usage({ inputTokens: 10_000, cachedInputTokens: 8_000 }), priced('groq', 'llama-3.3-70b-versatile'), false);
    close(c.inputUsd, (10_000 * 0.59) / 1e6);
  });

  it('bills Qwen thinking-mode output at the thinking rate (qwen-plus 1.20 → 4.00)', () => {
    const plain = costOf(usage({ inputTokens: 100, outputTokens: 1_000 }), priced('dashscope', 'qwen-plus'), false);
    const thinking = costOf(usage({ inputTokens: 100, outputTokens: 1_000, reasoningTokens: 600 }), priced('dashscope', 'qwen-plus'), false);
    const requested = costOf(usage({ inputTokens: 100, outputTokens: 1_000 }), priced('dashscope', 'qwen-plus'), true);
    close(plain.outputUsd, 1_000 * 1.2 / 1e6);
    close(thinking.outputUsd, 1_000 * 4 / 1e6);
    close(requested.outputUsd, 1_000 * 4 / 1e6);
  });

  it('applies the qwen-plus long-context tier above 256K input tokens', () => {
    const c = costOf(usage({ inputTokens: 300_000, outputTokens: 1_000 }), priced('dashscope', 'qwen-plus'), false);
    close(c.inputUsd, 300_000 * 1.2 / 1e6);
    close(c.outputUsd, 1_000 * 3.6 / 1e6);
  });

  it('counts reasoning tokens once when included in output, and adds them when a provider left them out', () => {
    const included = costOf(usage({ inputTokens: 0, outputTokens: 1_000, reasoningTokens: 700 }), priced('gemini', 'gemini-2.5-flash'), false);
    close(included.outputUsd, 1_000 * 2.5 / 1e6);
    const separate = costOf(usage({ inputTokens: 0, outputTokens: 100, reasoningTokens: 700 }), priced('gemini', 'gemini-2.5-flash'), false);
    close(separate.outputUsd, 800 * 2.5 / 1e6);
  });

  it('prefers the cost the provider reported, keeping the split proportional', () => {
    const c = costOf(usage({ inputTokens: 1_000, outputTokens: 500, reportedCostUsd: 0.015 }), priced('openai', 'gpt-4o'), false);
    close(c.totalUsd, 0.015);
    close(c.inputUsd + c.outputUsd, 0.015);
    close(c.inputUsd / c.outputUsd, 0.0025 / 0.005);
    assert.equal(c.priceSource, 'provider-reported');
  });

  it('converts a CNY-billed price with the dated rate (glm-4-plus ¥5 per 1M at 7.1 per USD)', () => {
    const c = costOf(usage({ inputTokens: 1_000_000, outputTokens: 0 }), priced('zhipu', 'glm-4-plus'), false);
    close(c.totalUsd, 5 / 7.1);
  });

  it('charges nothing for free models and local models, and marks estimates', () => {
    const free = costOf(usage({ inputTokens: 5_000, outputTokens: 5_000 }), priced('zhipu', 'glm-4-flash'), false);
    assert.equal(free.totalUsd, 0);
    const local = costOf(usage({ inputTokens: 5_000, outputTokens: 5_000, estimated: true }), resolvePrice({ provider: 'ollama', model: 'qwen2.5:7b' }, 'local', ctx()), false);
    assert.equal(local.totalUsd, 0);
    assert.equal(local.priceSource, 'local');
    assert.equal(local.estimated, true);
    const est = costOf(usage({ inputTokens: 1, outputTokens: 1, estimated: true }), priced('openai', 'gpt-4o'), false);
    assert.equal(est.estimated, true);
  });

  it('finds prices through the provider vendor, dated snapshots and Gemini model prefixes', () => {
    const c = ctx({ vendorOf: (id) => (id === 'my-groq' ? 'groq' : undefined) });
    assert.equal(priced('my-groq', 'llama-3.1-8b-instant', c).kind, 'priced');
    assert.equal(priced('openai', 'gpt-4o-2024-08-06').kind, 'priced');
    assert.equal(priced('gemini', 'models/gemini-2.0-flash').kind, 'priced');
  });

  it('lets a settings override win over the table, names it, and calls only estimated tokens an estimate', () => {
    const r = priced('openai', 'gpt-4o', ctx({ overrides: { 'openai/gpt-4o': { input: 1, output: 2 } } }));
    assert.equal(r.kind, 'priced');
    const c = costOf(usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 }), r, false);
    close(c.totalUsd, 3);
    assert.equal(c.priceSource, 'settings override');
    assert.equal(c.estimated, false, 'the provider reported the usage and the user set the price: nothing is estimated');
    assert.equal(costOf(usage({ inputTokens: 10, outputTokens: 10, estimated: true }), r, false).estimated, true, 'counted tokens stay an estimate');
  });

  it('never prices an unknown cloud model silently', () => {
    const r = priced('groq', 'foo');
    assert.equal(r.kind, 'unpriced');
    assert.match(r.kind === 'unpriced' ? r.message : '', /No price is known for groq\/foo.*priceOverrides.*allowUnpriced/);
    assert.equal(priced('groq', 'foo', ctx({ allowUnpriced: ['groq/foo'] })).kind, 'unpriced-allowed');
  });

  it('computes the worst case and the largest max_tokens that fits', () => {
    const r = priced('openai', 'gpt-4o');
    close(worstCaseUsd(r, 1_000, 4_096, false), (1_000 * 2.5 + 4_096 * 10) / 1e6);
    // $0.01 leaves room for (0.01e6 − 2500) / 10 = 750 output tokens after 1000 input tokens.
    assert.equal(maxTokensWithin(r, 1_000, 0.01, false), 750);
    assert.equal(maxTokensWithin(r, 10_000, 0.01, false), 0);
    assert.equal(maxTokensWithin(priced('zhipu', 'glm-4-flash'), 1_000, 0, false), Number.POSITIVE_INFINITY);
  });
});

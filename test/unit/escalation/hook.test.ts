/**
 * The escalation hook: policy off / ask / auto, the per-request cost ceiling (through the
 * estimator seam the cost module fills), Local-only mode, and "cloud answers are accepted".
 */
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/core/config';
import { worstCaseFromPrices } from '../../../src/core/escalation/costCeiling';
import { createEscalationHook } from '../../../src/core/escalation/hook';
import type { Candidate, Logger, SignalResult } from '../../../src/core/types';

const cloud: Candidate = { ref: { provider: 'groq', model: 'llama-3.3-70b-versatile' }, locality: 'cloud', why: ['next in line'] };
const biggerLocal: Candidate = { ref: { provider: 'ollama', model: 'qwen2.5-coder:14b' }, locality: 'local', why: ['next in line'] };
const reasons: SignalResult[] = [{ signal: 'marker', fired: true, explanation: 'the local model said it is not sure (answered UNCERTAIN)' }];

/** A logger that keeps what it was told, so tests can check the hook explains its decisions. */
function recordingLogger(): Logger & { lines: { event: string; fields?: Record<string, unknown> }[] } {
  const lines: { event: string; fields?: Record<string, unknown> }[] = [];
  // The wiring warning about a missing price estimator has its own test; the others look at decisions.
  const push = (event: string, fields?: Record<string, unknown>) => void (event === 'escalation.ceiling_unpriced' || lines.push({ event, fields }));
  return { lines, info: push, warn: push, error: push };
}

describe('escalation hook', () => {
  it('auto escalates; off never does and says why', async () => {
    const logger = recordingLogger();
    assert.equal(await createEscalationHook({ config: { policy: 'auto' }, logger }).confirm(reasons, cloud), true);
    assert.equal(await createEscalationHook({ config: { policy: 'off' }, logger }).confirm(reasons, cloud), false);
    assert.deepEqual(logger.lines.map((l) => [l.event, l.fields?.because]), [
      ['escalation.accepted', undefined],
      ['escalation.declined', 'policy off'],
    ]);
  });

  it('ask waits for the supplied confirm and follows the answer', async () => {
    let release!: (yes: boolean) => void;
    const asked: [SignalResult[], Candidate][] = [];
    const hook = createEscalationHook({
      config: { policy: 'ask' },
      logger: recordingLogger(),
      confirm: (r, next) => {
        asked.push([r, next]);
        return new Promise<boolean>((resolve) => (release = resolve));
      },
    });
    let settled: boolean | undefined;
    const pending = hook.confirm(reasons, cloud).then((v) => (settled = v));
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, undefined, 'the hook must wait for the user');
    assert.deepEqual(asked, [[reasons, cloud]]);
    release(false);
    await pending;
    assert.equal(settled, false);
  });

  it('ask without a way to ask declines rather than spend', async () => {
    const logger = recordingLogger();
    assert.equal(await createEscalationHook({ config: { policy: 'ask' }, logger }).confirm(reasons, cloud), false);
    assert.equal(logger.lines[0]?.fields?.because, 'policy ask but no way to ask the user');
  });

  it('declines a candidate whose worst case exceeds the per-request ceiling, before asking anyone', async () => {
    const seen: unknown[] = [];
    let askedUser = false;
    const hook = createEscalationHook({
      config: { policy: 'ask', maxCostPerRequestUsd: 0.01 },
      logger: recordingLogger(),
      confirm: async () => ((askedUser = true), true),
      estimateWorstCaseUsd: (next, context) => {
        seen.push(context);
        // $0.59 / $0.79 per 1M tokens, as a price table would say.
        return context ? (context.inputTokensEstimate * 0.59 + context.maxTokens * 0.79) / 1e6 : undefined;
      },
    });
    const big = { workspaceId: 'w', inputTokensEstimate: 20_000, maxTokens: 4_000 }; // ≈ $0.0150
    const small = { workspaceId: 'w', inputTokensEstimate: 2_000, maxTokens: 1_000 }; // ≈ $0.0020
    assert.equal(await hook.confirm(reasons, cloud, big), false);
    assert.equal(askedUser, false);
    assert.equal(await hook.confirm(reasons, cloud, small), true);
    assert.equal(askedUser, true);
    assert.deepEqual(seen, [big, small]);
  });

  it('a ceiling of 0 or an unknown price does not block (the budget guard decides then)', async () => {
    const noCeiling = createEscalationHook({ config: { maxCostPerRequestUsd: 0 }, logger: recordingLogger(), estimateWorstCaseUsd: () => 5 });
    assert.equal(await noCeiling.confirm(reasons, cloud), true);
    const unpriced = createEscalationHook({ logger: recordingLogger(), estimateWorstCaseUsd: () => undefined });
    assert.equal(await unpriced.confirm(reasons, cloud), true);
  });

  it('Local only mode never escalates to the cloud, but may move to a bigger local model', async () => {
    const logger = recordingLogger();
    const hook = createEscalationHook({ logger });
    assert.equal(await hook.confirm(reasons, cloud, { mode: 'local' }), false);
    assert.equal(await hook.confirm(reasons, biggerLocal, { mode: 'local' }), true);
    assert.equal(logger.lines[0]?.fields?.because, 'Local only mode: no cloud call');
  });

  it('instructs and judges local attempts only: cloud answers are accepted as they are', () => {
    const hook = createEscalationHook({ logger: recordingLogger() });
    assert.match(hook.systemPromptFor('code', 'local') ?? '', /UNCERTAIN/);
    assert.equal(hook.systemPromptFor('code', 'cloud'), undefined);
    assert.equal(hook.systemPromptFor('completion', 'local'), undefined);
    const cloudWatcher = hook.watch('chat', cloud.ref, 'cloud');
    assert.equal(cloudWatcher.onText('UNCERTAIN'), undefined);
    assert.deepEqual(cloudWatcher.onFinish('', 'length'), []);
    const localWatcher = hook.watch('chat', biggerLocal.ref, 'local');
    assert.deepEqual(localWatcher.onText('UNCERTAIN')?.map((r) => r.signal), ['marker']);
  });

  it('policy off leaves the prompt alone and never stops a local stream', () => {
    const hook = createEscalationHook({ config: { policy: 'off' }, logger: recordingLogger() });
    assert.equal(hook.systemPromptFor('chat', 'local'), undefined);
    assert.equal(hook.watch('chat', biggerLocal.ref, 'local').onText('UNCERTAIN'), undefined);
  });

  it('takes signal settings from config: a disabled signal neither fires nor instructs', () => {
    const hook = createEscalationHook({
      config: { signals: { marker: { enabled: false } } },
      logger: recordingLogger(),
    });
    assert.equal(hook.systemPromptFor('chat', 'local'), undefined);
    const results = hook.watch('chat', biggerLocal.ref, 'local').onFinish('UNCERTAIN', 'stop');
    assert.equal(results.some((r) => r.signal === 'marker'), false);
    assert.equal(hook.config.signals.logprobs.lowTokenProb, 0.25);
  });
});

describe('escalation cost ceiling from the price table', () => {
  it('prices the worst case with the user override, and leaves unknown prices and sizes to the budget', () => {
    const { config } = parseConfig({ budget: { priceOverrides: { 'groq/llama-3.3-70b-versatile': { input: 1, output: 3 } } } });
    const estimate = worstCaseFromPrices(config);
    const context = { workspaceId: 'w', inputTokensEstimate: 10_000, maxTokens: 2_000 };
    // 10k × $1/M + 2k × $3/M = $0.016
    assert.ok(Math.abs(estimate(cloud, context)! - 0.016) < 1e-12);
    assert.equal(estimate(cloud, undefined), undefined);
    assert.equal(estimate({ ...cloud, ref: { provider: 'custom', model: 'no-such-model' } }, context), undefined);
    assert.equal(estimate(biggerLocal, context), undefined);
  });

  it('with the default 0.05 USD ceiling, declines an escalation that could cost more', async () => {
    const { config } = parseConfig({ budget: { priceOverrides: { 'groq/llama-3.3-70b-versatile': { input: 1, output: 3 } } } });
    const hook = createEscalationHook({ config: config.escalation, logger: recordingLogger(), estimateWorstCaseUsd: worstCaseFromPrices(config) });
    assert.equal(await hook.confirm(reasons, cloud, { inputTokensEstimate: 10_000, maxTokens: 2_000 }), true);
    assert.equal(await hook.confirm(reasons, cloud, { inputTokensEstimate: 40_000, maxTokens: 8_000 }), false); // $0.064
  });
});

describe('escalation hook settings', () => {
  it('warns once when a cost ceiling is set but no price estimator was wired in', () => {
    const events: string[] = [];
    const logger: Logger = { info: () => undefined, warn: (e) => void events.push(e), error: () => undefined };
    createEscalationHook({ logger });
    createEscalationHook({ logger, estimateWorstCaseUsd: () => 0 });
    createEscalationHook({ logger, config: { maxCostPerRequestUsd: 0 } });
    assert.deepEqual(events, ['escalation.ceiling_unpriced']);
  });

  it('a bad value falls back to its default and is reported, the rest still applies', () => {
    const logger = recordingLogger();
    const hook = createEscalationHook({
      config: { policy: 'ask', signals: { logprobs: { lowTokenProb: 3 } } } as never,
      logger,
    });
    assert.equal(hook.config.policy, 'ask');
    assert.equal(hook.config.signals.logprobs.lowTokenProb, 0.25);
    assert.deepEqual(logger.lines, [
      { event: 'escalation.setting_ignored', fields: { setting: 'escalation.signals.logprobs.lowTokenProb', problem: 'Number must be less than 1' } },
    ]);
  });
});

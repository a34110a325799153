import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BudgetAlert, CostService } from '../../../src/core/cost';
import { ledgerFileName } from '../../../src/core/cost/ledger';
import { dayKey, monthKey } from '../../../src/core/cost/periods';
import { estimateTextTokens } from '../../../src/core/cost/tokens';
import { TOKENIZER_MARGIN } from '../../../src/core/cost/settlement';
import { SwitchyardError, type SpendRequest } from '../../../src/core/types';
import { configWith, usageLines, useSpendGuards } from './helpers';

const GPT4O = { provider: 'openai', model: 'gpt-4o' };
// gpt-4o: 1000 input tokens = $0.0025 (reserved with the 10 % margin: 1100 = $0.00275); each output token $0.00001.
const cloudReq = (over: Partial<SpendRequest> = {}): SpendRequest => ({
  workspaceId: 'ws-a',
  task: 'code',
  ref: GPT4O,
  locality: 'cloud',
  inputTokensEstimate: 1_000,
  maxTokens: 4_096,
  ...over,
});

async function refusal(p: Promise<unknown>): Promise<SwitchyardError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SwitchyardError, `expected SwitchyardError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('SpendGuard: budgets enforced before spending', function () {
  // The first estimate builds cl100k's rank table: ~1.5 s on a loaded 2-core machine.
  this.timeout(30_000);
  const ledger = useSpendGuards();
  const guard = (budget = {}, extra: Record<string, unknown> = {}, opts: { onAlert?: (a: BudgetAlert) => void; now?: () => number } = {}) =>
    ledger.create(configWith(budget, extra), opts);

  it('reserves within budget, settles with the reported usage and records one line', async () => {
    const g = guard({ dailyLimit: 1 });
    const r = await g.reserve(cloudReq({ requestId: 'req-1' }));
    assert.equal(r.maxTokens, 4_096);
    assert.equal(r.notice, undefined);
    const cost = await r.settle({ usage: { inputTokens: 1_000, outputTokens: 200, estimated: false }, finish: 'stop', latencyMs: 812 });
    assert.ok(Math.abs(cost.totalUsd - (0.0025 + 0.002)) < 1e-12);
    const lines = usageLines(ledger.dir);
    assert.equal(lines.length, 1);
    assert.deepEqual(
      { ...lines[0], time: undefined, day: undefined, id: undefined, pid: undefined, v: undefined },
      {
        t: 'usage', requestId: 'req-1', workspace: 'ws-a', task: 'code', purpose: 'chat', provider: 'openai', model: 'gpt-4o',
        locality: 'cloud', inputTokens: 1_000, outputTokens: 200, cachedInputTokens: 0, reasoningTokens: 0, costUsd: cost.totalUsd,
        estimated: false, priceSource: cost.priceSource, latencyMs: 812, outcome: 'stop',
        time: undefined, day: undefined, id: undefined, pid: undefined, v: undefined,
      },
    );
    const s = await g.summary('ws-a');
    assert.ok(Math.abs(s.today.spent - 0.0045) < 1e-12);
    assert.equal(s.today.reserved, 0);
    assert.equal(s.today.limit, 1);
  });

  it('lowers max_tokens to fit instead of refusing, and says so', async () => {
    const g = guard({ dailyLimit: 0.01 });
    const r = await g.reserve(cloudReq());
    // ($0.01 − $0.00275 input with margin) / $0.00001 per output token = 725.
    assert.equal(r.maxTokens, 725);
    assert.match(r.notice ?? '', /max_tokens lowered from 4096 to 725/);
    await r.settle({ usage: { inputTokens: 1_000, outputTokens: 725, estimated: false }, finish: 'length', latencyMs: 1 });
    const s = await g.summary('ws-a');
    assert.ok(s.today.spent <= 0.01 + 1e-12);
  });

  it('refuses before the call with what was spent and what the limit is', async () => {
    const g = guard({ dailyLimit: 0.02 });
    const r = await g.reserve(cloudReq({ maxTokens: 1_000 }));
    await r.settle({ usage: { inputTokens: 1_000, outputTokens: 1_000, estimated: false }, finish: 'stop', latencyMs: 1 });
    // $0.0125 spent: $0.0075 left, 475 tokens would fit, which is above the 256 minimum…
    const lowered = await g.reserve(cloudReq({ maxTokens: 1_000 }));
    assert.equal(lowered.maxTokens, 475);
    await lowered.settle({ usage: { inputTokens: 1_000, outputTokens: 0, estimated: false }, finish: 'stop', latencyMs: 1 });
    // …now $0.015 spent: $0.005 left fits only 225 output tokens after the input, below the 256 minimum.
    const err = await refusal(g.reserve(cloudReq()));
    assert.equal(err.info.kind, 'budget');
    assert.equal(err.info.retryable, false);
    assert.match(err.message, /\$0\.0150 of the \$0\.0200 workspace daily limit is spent today/);
    assert.match(err.message, /No call was made\. Raise switchyard\.budget\.dailyLimit/);
    assert.equal(usageLines(ledger.dir).length, 2, 'a refused request writes no usage');
  });

  it('holds open reservations against the budget until they settle (budget exceeded during a stream)', async () => {
    const g = guard({ dailyLimit: 0.045 });
    const streaming = await g.reserve(cloudReq()); // holds $0.04371 while "streaming"
    const err = await refusal(g.reserve(cloudReq()));
    assert.match(err.message, /\$0\.0437 is held by requests in flight/);
    // The stream ends far below its worst case ($0.0035): the room comes back, ($0.0415 − $0.00275) / $0.00001 = 3875.
    await streaming.settle({ usage: { inputTokens: 1_000, outputTokens: 100, estimated: false }, finish: 'stop', latencyMs: 1 });
    const next = await g.reserve(cloudReq());
    assert.equal(next.maxTokens, 3_875);
    await next.settle({ usage: { inputTokens: 1_000, outputTokens: 10, estimated: false }, finish: 'stop', latencyMs: 1 });
  });

  it('never lets a workspace raise the global cap', async () => {
    const g = guard({ dailyLimit: 100, globalDailyLimit: 0.01 });
    const r = await g.reserve(cloudReq());
    assert.equal(r.maxTokens, 725);
    await r.settle({ usage: { inputTokens: 1_000, outputTokens: 725, estimated: false }, finish: 'stop', latencyMs: 1 });
    const err = await refusal(g.reserve(cloudReq({ workspaceId: 'ws-b' })));
    assert.match(err.message, /global daily limit \(all workspaces\)/);
    assert.match(err.message, /switchyard\.budget\.globalDailyLimit/);
    const s = await g.summary('ws-a');
    assert.equal(s.today.limit, 0.01);
  });

  it('converts limits set in CNY with the dated rate', async () => {
    // ¥0.071 = $0.01 at 7.1 CNY per USD.
    const g = guard({ currency: 'CNY', dailyLimit: 0.071, globalDailyLimit: 7.1 });
    const r = await g.reserve(cloudReq());
    assert.equal(r.maxTokens, 725);
    await r.settle({ usage: { inputTokens: 1_000, outputTokens: 0, estimated: false }, finish: 'stop', latencyMs: 1 });
    const s = await g.summary('ws-a');
    assert.equal(s.currency, 'CNY');
    assert.ok(Math.abs(s.today.spent - 0.0025 * 7.1) < 1e-12);
  });

  it('refuses a cloud model with no known price unless allowed', async () => {
    const g = guard();
    const err = await refusal(g.reserve(cloudReq({ ref: { provider: 'groq', model: 'foo' } })));
    assert.equal(err.info.kind, 'budget');
    assert.match(err.message, /No price is known for groq\/foo.*switchyard\.budget\.priceOverrides.*switchyard\.budget\.allowUnpriced/);
    const allowed = guard({ allowUnpriced: ['groq/foo'] });
    const r = await allowed.reserve(cloudReq({ ref: { provider: 'groq', model: 'foo' } }));
    const cost = await r.settle({ usage: { inputTokens: 10, outputTokens: 10, estimated: false }, finish: 'stop', latencyMs: 1 });
    assert.equal(cost.totalUsd, 0);
    assert.equal(cost.estimated, true, 'an unpriced cost is never presented as exact');
  });

  it('records local requests at cost 0, even with a zero budget, for the savings report', async () => {
    const g = guard({ dailyLimit: 0 });
    const r = await g.reserve(cloudReq({ ref: { provider: 'ollama', model: 'qwen2.5-coder:7b' }, locality: 'local', task: 'completion', maxTokens: 128 }));
    assert.equal(r.maxTokens, 128);
    const cost = await r.settle({ usage: { inputTokens: 300, outputTokens: 40, estimated: false }, finish: 'stop', latencyMs: 90 });
    assert.equal(cost.totalUsd, 0);
    assert.equal(cost.priceSource, 'local');
    await g.flush(); // local lines are written in the background
    const [line] = usageLines(ledger.dir);
    assert.equal(line?.purpose, 'completion');
    assert.equal(line?.locality, 'local');
    await refusal(g.reserve(cloudReq()));
  });

  it('settles a cancelled stream from the partial output, marked estimated', async () => {
    const g = guard();
    const r = await g.reserve(cloudReq());
    const partial = '这是一个被取消的回答，只输出了一部分';
    const cost = await r.settle({ finish: 'cancelled', latencyMs: 300, outputText: partial });
    // Settled high: the input and the counted output each with the tokenizer margin.
    const out = Math.ceil(estimateTextTokens(partial) * TOKENIZER_MARGIN);
    assert.ok(Math.abs(cost.totalUsd - (0.00275 + out * 0.00001)) < 1e-12, String(cost.totalUsd));
    assert.equal(cost.estimated, true);
    const [line] = usageLines(ledger.dir);
    assert.equal(line?.outcome, 'cancelled');
    assert.equal(line?.outputTokens, out);
    assert.equal(line?.estimated, true);
    assert.equal((await g.summary('ws-a')).today.reserved, 0, 'the reservation is released');
  });

  it('bills nothing for a failure before any output, and settles exactly once', async () => {
    const g = guard();
    const r = await g.reserve(cloudReq());
    const first = r.settle({ finish: 'error', latencyMs: 20 });
    const second = r.settle({ usage: { inputTokens: 1_000, outputTokens: 1_000, estimated: false }, finish: 'stop', latencyMs: 20 });
    assert.equal((await first).totalUsd, 0);
    assert.equal(await second, await first);
    assert.equal(usageLines(ledger.dir).length, 1);
  });

  it('counts both attempts of an escalated request, linked by request id', async () => {
    const g = guard();
    const local = await g.reserve(cloudReq({ requestId: 'req-9', ref: { provider: 'ollama', model: 'qwen2.5:7b' }, locality: 'local' }));
    await local.settle({ usage: { inputTokens: 1_000, outputTokens: 300, estimated: false }, finish: 'stop', latencyMs: 900 });
    const cloud = await g.reserve(cloudReq({ requestId: 'req-9', escalatedFrom: { provider: 'ollama', model: 'qwen2.5:7b' } }));
    await cloud.settle({ usage: { inputTokens: 1_000, outputTokens: 300, estimated: false }, finish: 'stop', latencyMs: 1200 });
    const lines = usageLines(ledger.dir);
    assert.deepEqual(lines.map((l) => [l.requestId, l.provider, l.escalatedFrom]), [
      ['req-9', 'ollama', undefined],
      ['req-9', 'openai', 'ollama/qwen2.5:7b'],
    ]);
    const report = g.report('model');
    assert.equal(report.total.requests, 2);
  });

  it('fires each alert threshold once per period, across processes sharing the ledger', async () => {
    const alertsA: BudgetAlert[] = [];
    const alertsB: BudgetAlert[] = [];
    const a = guard({ dailyLimit: 0.1, globalDailyLimit: 1 }, {}, { onAlert: (x) => alertsA.push(x) });
    const b = guard({ dailyLimit: 0.1, globalDailyLimit: 1 }, {}, { onAlert: (x) => alertsB.push(x) });
    const spend = async (g: CostService, outputTokens: number) => {
      const r = await g.reserve(cloudReq({ inputTokensEstimate: 0, maxTokens: 256 }));
      await r.settle({ usage: { inputTokens: 0, outputTokens, estimated: false }, finish: 'stop', latencyMs: 1 });
    };
    await spend(a, 4_000); // $0.04: 40 %
    await spend(b, 1_500); // $0.055: crosses 50 % (in B)
    await spend(a, 500); // $0.06: nothing new
    await spend(a, 2_500); // $0.085: crosses 80 % (in A)
    await spend(b, 1_500); // $0.1: crosses 100 % (in B)
    await new Promise((r) => setImmediate(r));
    const fired = (xs: BudgetAlert[]) => xs.filter((x) => x.scope === 'workspace' && x.period === 'day').map((x) => x.threshold);
    assert.deepEqual(fired(alertsB), [0.5, 1]);
    assert.deepEqual(fired(alertsA), [0.8]);
    assert.match(alertsA[0]?.message ?? '', /80 % of the workspace daily limit used \(\$0\.0850 of \$0\.1000\)/);
  });

  it('expires a reservation whose process died, charging its worst case', async () => {
    const g = guard({ dailyLimit: 0.05 });
    // A reservation left by a process that no longer exists on this host.
    const day = dayKey(Date.now());
    const ghost = {
      t: 'reserve', v: 1, id: 'ghost-1', requestId: 'ghost-req', time: new Date().toISOString(), day, workspace: 'ws-a', task: 'chat',
      provider: 'openai', model: 'gpt-4o', worstUsd: 0.03, maxTokens: 2_750, inputTokensEstimate: 1_000,
      pid: 2 ** 22 + 12_345, host: require('node:os').hostname(), proc: 'gone',
    };
    fs.appendFileSync(path.join(ledger.dir, ledgerFileName(monthKey(Date.now()))), `${JSON.stringify(ghost)}\n`);
    const r = await g.reserve(cloudReq({ maxTokens: 1_000 }));
    // $0.05 − $0.03 charged to the ghost − $0.00275 input = $0.01725 → 1725 tokens fit, 1000 asked.
    assert.equal(r.maxTokens, 1_000);
    const abandoned = usageLines(ledger.dir).find((l) => l.id === 'ghost-1');
    assert.equal(abandoned?.outcome, 'abandoned');
    assert.equal(abandoned?.costUsd, 0.03);
    await r.settle({ finish: 'cancelled', latencyMs: 1 });
  });

  it('keeps days apart: yesterday’s spend does not count against today', async () => {
    let now = new Date(2026, 10, 24, 23, 59).getTime();
    const g = guard({ dailyLimit: 0.01 }, {}, { now: () => now });
    const r = await g.reserve(cloudReq({ maxTokens: 750 }));
    await r.settle({ usage: { inputTokens: 1_000, outputTokens: 750, estimated: false }, finish: 'stop', latencyMs: 1 });
    await refusal(g.reserve(cloudReq()));
    now = new Date(2026, 10, 25, 0, 1).getTime();
    const today = await g.reserve(cloudReq({ maxTokens: 700 }));
    assert.equal(today.maxTokens, 700);
    await today.settle({ finish: 'error', latencyMs: 1 });
    const s = await g.summary('ws-a');
    assert.ok(Math.abs(s.month.spent - 0.01) < 1e-12);
    assert.equal(s.today.spent, 0);
  });
});

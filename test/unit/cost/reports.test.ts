import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { createSpendGuard, type CostService } from '../../../src/core/cost';
import type { SpendRequest, Usage } from '../../../src/core/types';
import { configWith, tempLedgerDir } from './helpers';

describe('usage reports and exports', function () {
  this.timeout(30_000);
  let dir: string;
  let guard: CostService;
  const spend = async (req: Partial<SpendRequest>, usage: Partial<Usage>) => {
    const r = await guard.reserve({
      workspaceId: 'ws-a',
      task: 'chat',
      ref: { provider: 'openai', model: 'gpt-4o-mini' },
      locality: 'cloud',
      inputTokensEstimate: 1_000,
      maxTokens: 1_000,
      ...req,
    });
    await r.settle({ usage: { inputTokens: 0, outputTokens: 0, estimated: false, ...usage }, finish: 'stop', latencyMs: 10 });
  };

  beforeEach(async () => {
    dir = tempLedgerDir();
    guard = createSpendGuard({ dir, config: configWith({ dailyLimit: 1 }) });
    await spend({ ref: { provider: 'ollama', model: 'qwen2.5-coder:7b' }, locality: 'local', task: 'completion' }, { inputTokens: 1_000_000, outputTokens: 100_000 });
    await spend({ task: 'code' }, { inputTokens: 1_000_000, outputTokens: 100_000 });
    await spend({ workspaceId: 'ws-b', ref: { provider: 'openai', model: 'gpt-4o' }, task: 'math' }, { inputTokens: 100_000, outputTokens: 10_000, estimated: true });
    await guard.flush();
  });
  afterEach(async () => {
    await guard.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('groups by model with savings against the reference model (gpt-4o)', () => {
    const report = guard.report('model');
    assert.equal(report.reference, 'openai/gpt-4o');
    const row = (key: string) => report.rows.find((r) => r.key === key)!;
    // Local: free; on gpt-4o the same tokens cost 1M × 2.50 + 100K × 10 = $3.50.
    assert.equal(row('ollama/qwen2.5-coder:7b').costUsd, 0);
    assert.ok(Math.abs(row('ollama/qwen2.5-coder:7b').savingsUsd - 3.5) < 1e-9);
    // gpt-4o-mini: 1M × 0.15 + 100K × 0.60 = $0.21, saving $3.29.
    assert.ok(Math.abs(row('openai/gpt-4o-mini').costUsd - 0.21) < 1e-9);
    assert.ok(Math.abs(row('openai/gpt-4o-mini').savingsUsd - 3.29) < 1e-9);
    // The reference model itself saves nothing.
    assert.ok(Math.abs(row('openai/gpt-4o').savingsUsd) < 1e-12);
    assert.equal(report.total.requests, 3);
    assert.equal(report.total.estimated, 1);
    assert.ok(Math.abs(report.total.savingsUsd - 6.79) < 1e-9);
  });

  it('groups by workspace, task, purpose, provider and day, and filters', () => {
    assert.deepEqual(guard.report('workspace').rows.map((r) => [r.key, r.requests]), [['ws-a', 2], ['ws-b', 1]]);
    assert.deepEqual(guard.report('purpose').rows.map((r) => [r.key, r.requests]), [['chat', 2], ['completion', 1]]);
    assert.deepEqual(guard.report('task').rows.map((r) => r.key), ['code', 'completion', 'math']);
    assert.deepEqual(guard.report('provider').rows.map((r) => [r.key, r.requests]), [['ollama', 1], ['openai', 2]]);
    assert.equal(guard.report('day').rows.length, 1);
    assert.equal(guard.report('model', { workspaceId: 'ws-b' }).total.requests, 1);
    assert.equal(guard.report('model', { purpose: 'completion' }).total.requests, 1);
    assert.equal(guard.report('model', { from: '2000-01-01', to: '2000-12-31' }).total.requests, 0);
  });

  it('exports one CSV row per attempt with a header, and JSON with the report and records', () => {
    const csv = guard.exportCsv();
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0]!, /^time,day,workspace,task,purpose,provider,model,locality,inputTokens,outputTokens/);
    assert.ok(lines.some((l) => l.includes(',ollama,qwen2.5-coder:7b,local,1000000,100000,')));
    const json = JSON.parse(guard.exportJson({}, 'provider')) as { report: { rows: unknown[] }; records: Array<Record<string, unknown>> };
    assert.equal(json.records.length, 3);
    assert.equal(json.report.rows.length, 2);
    assert.equal(json.records[0]!.pid, undefined, 'internal fields are not exported');
  });

  it('quotes CSV cells and defuses spreadsheet formulas in names', async () => {
    await spend({ workspaceId: '=HYPERLINK("x"),evil', ref: { provider: 'ollama', model: 'm' }, locality: 'local' }, { inputTokens: 1, outputTokens: 1 });
    await guard.flush();
    const csv = guard.exportCsv({ provider: 'ollama' });
    assert.ok(csv.includes(`"'=HYPERLINK(""x""),evil"`), csv);
  });
});

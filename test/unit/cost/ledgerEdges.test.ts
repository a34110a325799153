import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ledgerFileName } from '../../../src/core/cost/ledger';
import { HEARTBEAT_STALE_MS } from '../../../src/core/cost/liveness';
import { dayKey, monthKey } from '../../../src/core/cost/periods';
import type { SpendRequest } from '../../../src/core/types';
import { configWith, usageLines, useSpendGuards } from './helpers';

const req = (over: Partial<SpendRequest> = {}): SpendRequest => ({
  workspaceId: 'ws',
  task: 'chat',
  ref: { provider: 'openai', model: 'gpt-4o' },
  locality: 'cloud',
  inputTokensEstimate: 1_000,
  maxTokens: 1_000,
  ...over,
});
const usage = (outputTokens: number) => ({ inputTokens: 1_000, outputTokens, estimated: false });

describe('ledger edge cases', function () {
  this.timeout(30_000);
  const ledger = useSpendGuards();
  const guard = (now?: () => number, budget: Record<string, unknown> = { dailyLimit: 1 }) => ledger.create(configWith(budget), { now });

  it('settles a request across the month boundary into the month it started in', async () => {
    let now = new Date(2026, 10, 30, 23, 59, 30).getTime();
    const g = guard(() => now);
    const r = await g.reserve(req());
    now = new Date(2026, 11, 1, 0, 0, 30).getTime();
    await r.settle({ usage: usage(500), finish: 'stop', latencyMs: 60_000 });
    assert.ok(fs.existsSync(path.join(ledger.dir, ledgerFileName('2026-11'))), 'reservation written in November');
    assert.ok(fs.existsSync(path.join(ledger.dir, ledgerFileName('2026-12'))), 'usage written in December');
    const [line] = usageLines(ledger.dir);
    assert.equal(line?.day, '2026-11-30');
    // A window opened in December sees nothing open and November's spend in November.
    const later = guard(() => now);
    const s = await later.summary('ws');
    assert.equal(s.today.reserved, 0);
    assert.equal(s.month.spent, 0, 'December starts empty');
    assert.equal(later.report('month').rows[0]?.key, '2026-11');
  });

  it('replaces the worst-case charge of an abandoned reservation when its owner settles after all', async () => {
    const a = guard();
    const b = guard();
    const held = await a.reserve(req());
    // A looks dead to B (its heartbeat file is gone, as after a crash on another machine).
    const live = path.join(ledger.dir, 'live');
    for (const f of fs.readdirSync(live)) fs.rmSync(path.join(live, f));
    const other = await b.reserve(req({ maxTokens: 300 }));
    const abandoned = usageLines(ledger.dir).find((l) => l.outcome === 'abandoned');
    assert.ok(abandoned, 'B closed A’s reservation');
    const worst = (Math.ceil(1_000 * 1.1) * 2.5 + 1_000 * 10) / 1e6;
    assert.ok(Math.abs((abandoned.costUsd as number) - worst) < 1e-12);
    // A was only frozen: its real settle replaces the guess.
    await held.settle({ usage: usage(100), finish: 'stop', latencyMs: 1 });
    await other.settle({ usage: usage(0), finish: 'stop', latencyMs: 1 });
    const real = (1_000 * 2.5 + 100 * 10) / 1e6 + (1_000 * 2.5) / 1e6;
    for (const g of [a, b]) {
      const s = await g.summary('ws');
      assert.ok(Math.abs(s.today.spent - real) < 1e-12, `spent ${s.today.spent} vs ${real}`);
    }
    assert.equal(a.report('day').total.requests, 2, 'the report counts the attempt once');
  });

  it('keeps a reservation of a live process on another host, and closes it as abandoned once its heartbeat is stale', async () => {
    const g = guard(undefined, { dailyLimit: 0.02 });
    const liveDir = path.join(ledger.dir, 'live');
    fs.mkdirSync(liveDir, { recursive: true });
    const beat = path.join(liveDir, 'remote-proc');
    fs.writeFileSync(beat, '4242');
    const remote = {
      t: 'reserve', v: 1, id: 'remote-1', requestId: 'remote', time: new Date().toISOString(), day: dayKey(Date.now()), workspace: 'ws', task: 'chat',
      provider: 'openai', model: 'gpt-4o', worstUsd: 0.015, maxTokens: 1_000, inputTokensEstimate: 1_000, pid: 4242, host: 'another-host', proc: 'remote-proc',
    };
    fs.appendFileSync(path.join(ledger.dir, ledgerFileName(monthKey(Date.now()))), `${JSON.stringify(remote)}\n`);
    // $0.02 − $0.015 held leaves $0.005: 1000 tokens do not fit, and 225 is below the minimum.
    await assert.rejects(g.reserve(req()), /held by requests in flight/);
    assert.equal(usageLines(ledger.dir).length, 0, 'a live remote reservation is left open');
    const old = new Date(Date.now() - HEARTBEAT_STALE_MS - 1_000);
    fs.utimesSync(beat, old, old);
    // Stale: closed as abandoned and charged at its worst case (spent, no longer "in flight").
    const err = await g.reserve(req()).then(
      () => assert.fail('still no room'),
      (e: Error) => e,
    );
    assert.match(err.message, /\$0\.0150 of the \$0\.0200 workspace daily limit is spent today\. No call/);
    const [abandoned] = usageLines(ledger.dir);
    assert.deepEqual([abandoned?.id, abandoned?.outcome, abandoned?.costUsd, abandoned?.estimated], ['remote-1', 'abandoned', 0.015, true]);
  });
});

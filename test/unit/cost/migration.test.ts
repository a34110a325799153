/**
 * The old ledgers (the extension's globalStorage folder, the CLI's ~/.config/switchyard) merge
 * into the shared one once, under its lock, without losing or doubling a record — also when the
 * merge was interrupted and runs again.
 */
import { strict as assert } from 'node:assert';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { createSpendGuard, type CostService } from '../../../src/core/cost';
import { ledgerFileName } from '../../../src/core/cost/ledger';
import { parseRecord } from '../../../src/core/cost/ledgerRecords';
import { MIGRATION_MARKER, OLD_LEDGER_NOTE, migrateLedgers, pendingSources, recordKey } from '../../../src/core/cost/migration';
import { monthKey } from '../../../src/core/cost/periods';
import type { SpendRequest } from '../../../src/core/types';
import { configWith, tempLedgerDir } from './helpers';

const req = (over: Partial<SpendRequest> = {}): SpendRequest => ({
  workspaceId: 'ws',
  task: 'chat',
  ref: { provider: 'openai', model: 'gpt-4o' },
  locality: 'cloud',
  inputTokensEstimate: 1_000,
  maxTokens: 1_000,
  ...over,
});
/** gpt-4o: $2.50 / $10 per 1M tokens, so 1,000 in + 1,000 out = $0.0125. */
const SPEND_USD = (1_000 * 2.5 + 1_000 * 10) / 1e6;
const budget = { dailyLimit: 1, globalDailyLimit: 1, globalMonthlyLimit: 10 };

/** Every line of every month file, parsed (undefined for a torn one). */
function records(dir: string) {
  return fs
    .readdirSync(dir)
    .filter((f) => /^usage-.*\.jsonl$/.test(f))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).map((l) => parseRecord(l)));
}
function keyCounts(dir: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records(dir)) if (r) counts.set(recordKey(r), (counts.get(recordKey(r)) ?? 0) + 1);
  return counts;
}
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('ledger migration into the shared state directory', function () {
  this.timeout(30_000);
  let root: string;
  let oldExtension: string;
  let oldCli: string;
  let shared: string;
  const guards: CostService[] = [];
  const open = (dir: string, migrateFrom?: string[], b: Record<string, unknown> = budget) => {
    const g = createSpendGuard({ dir, migrateFrom, config: configWith(b) });
    guards.push(g);
    return g;
  };
  /** Spends `n` requests of SPEND_USD in an old ledger, as an older version did. */
  const spendIn = async (dir: string, n: number, workspaceId = 'ws') => {
    const g = open(dir);
    for (let i = 0; i < n; i++) {
      const r = await g.reserve(req({ workspaceId }));
      await r.settle({ usage: { inputTokens: 1_000, outputTokens: 1_000, estimated: false }, finish: 'stop', latencyMs: 5 });
    }
    await g.dispose();
  };

  beforeEach(() => {
    root = tempLedgerDir();
    oldExtension = path.join(root, 'Code/User/globalStorage/switchyard-dev.switchyard');
    oldCli = path.join(root, 'config/switchyard');
    shared = path.join(root, 'state/switchyard/ledger');
    fs.mkdirSync(oldExtension, { recursive: true });
    fs.mkdirSync(oldCli, { recursive: true });
    // The CLI's old directory is also its settings directory: the migration must leave that alone.
    fs.writeFileSync(path.join(oldCli, 'config.json'), '{}');
  });
  afterEach(async () => {
    await Promise.all(guards.splice(0).map((g) => g.dispose()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('counts the spend of both old ledgers against the cap, once, and leaves the old files unchanged with a note', async () => {
    await spendIn(oldExtension, 2);
    await spendIn(oldCli, 3, 'ws-cli');
    const before = { ext: snapshot(oldExtension), cli: snapshot(oldCli) };

    const g = open(shared, [oldExtension, oldCli]);
    const s = await g.summary('ws');
    assert.ok(Math.abs(s.today.spent - 2 * SPEND_USD) < 1e-9, `workspace spend ${s.today.spent}`);
    assert.ok(Math.abs(s.globalToday.spent - 5 * SPEND_USD) < 1e-9, `global spend ${s.globalToday.spent}`);
    for (const [key, n] of keyCounts(shared)) assert.equal(n, 1, key);
    assert.equal(keyCounts(shared).size, 10, '5 reservations and 5 usage records');

    assert.deepEqual(snapshot(oldExtension), before.ext, 'old extension ledger unchanged');
    assert.deepEqual(snapshot(oldCli), before.cli, 'old CLI ledger unchanged');
    assert.equal(fs.readFileSync(path.join(oldCli, 'config.json'), 'utf8'), '{}');
    assert.match(fs.readFileSync(path.join(oldCli, OLD_LEDGER_NOTE), 'utf8'), new RegExp(`copied the usage-\\*\\.jsonl files here into ${shared.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const marker = JSON.parse(fs.readFileSync(path.join(shared, MIGRATION_MARKER), 'utf8'));
    assert.deepEqual(Object.keys(marker.sources).sort(), [fs.realpathSync(oldCli), fs.realpathSync(oldExtension)].sort());
    assert.deepEqual(pendingSources(shared, [oldExtension, oldCli]), []);
  });

  it('refuses a cloud request that the old ledgers’ spend leaves no room for, before it is sent', async () => {
    await spendIn(oldExtension, 1);
    await spendIn(oldCli, 1);
    // $0.001 left after the old spend: less than the request's input alone ($0.00275), so no max_tokens fits.
    const tight = { globalDailyLimit: 2 * SPEND_USD + 0.001, dailyLimit: 1, globalMonthlyLimit: 10 };
    const g = open(shared, [oldExtension, oldCli], tight);
    await assert.rejects(g.reserve(req()), (err: any) => err.info?.kind === 'budget' && /limit/i.test(err.info.message));
    // The same request against the same cap without the old spend goes ahead.
    const fresh = open(path.join(root, 'fresh'), undefined, tight);
    assert.ok((await fresh.reserve(req())).id);
  });

  it('runs once: a second start, and two starting together, copy nothing again', async () => {
    await spendIn(oldExtension, 2);
    await spendIn(oldCli, 2);
    // Two windows at once, both migrating the same old ledgers under the one lock.
    const [a, b] = [open(shared, [oldExtension, oldCli]), open(shared, [oldCli, oldExtension])];
    await Promise.all([a.ready(), b.ready()]);
    const after = snapshot(shared);
    for (const [key, n] of keyCounts(shared)) assert.equal(n, 1, key);
    assert.equal(keyCounts(shared).size, 8);
    await open(shared, [oldExtension, oldCli]).ready();
    assert.deepEqual(snapshot(shared), after, 'a later start changes nothing');
  });

  it('a record in both old ledgers (a copied folder) is counted once', async () => {
    await spendIn(oldExtension, 2);
    for (const f of fs.readdirSync(oldExtension).filter((n) => n.endsWith('.jsonl'))) fs.copyFileSync(path.join(oldExtension, f), path.join(oldCli, f));
    const g = open(shared, [oldExtension, oldCli]);
    assert.ok(Math.abs((await g.summary('ws')).today.spent - 2 * SPEND_USD) < 1e-9);
    assert.equal(keyCounts(shared).size, 4);
  });

  it('interrupted after copying (before the source is marked done), the re-run copies the rest and doubles nothing', async () => {
    await spendIn(oldExtension, 2);
    await spendIn(oldCli, 3);
    fs.mkdirSync(shared, { recursive: true });
    // The new ledger already has a record of its own, written before the crash.
    await spendIn(shared, 1);
    assert.throws(
      () =>
        migrateLedgers(shared, [oldExtension, oldCli], {
          afterCopy: (dir) => {
            if (dir === fs.realpathSync(oldExtension)) throw new Error('crash after copying');
          },
        }),
      /crash after copying/,
    );
    assert.equal(keyCounts(shared).size, 2 + 4, 'the first source was copied');
    assert.deepEqual(pendingSources(shared, [oldExtension, oldCli]).length, 2, 'but nothing is marked done');

    const g = open(shared, [oldExtension, oldCli]);
    const s = await g.summary('ws');
    assert.ok(Math.abs(s.today.spent - 6 * SPEND_USD) < 1e-9, `spent ${s.today.spent}`);
    for (const [key, n] of keyCounts(shared)) assert.equal(n, 1, key);
    assert.equal(keyCounts(shared).size, 12);
  });

  it('a process SIGKILLed after copying (lock still held) loses and doubles nothing: the next start waits out the stale lock and finishes', async () => {
    await spendIn(oldExtension, 2);
    await spendIn(oldCli, 1);
    const bundle = path.join(root, 'migrateChild.js');
    await esbuild.build({ entryPoints: [path.join(__dirname, 'fixtures', 'migrateChild.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: bundle, logLevel: 'error' });
    const child = fork(bundle, [shared, oldExtension, oldCli], { stdio: 'inherit' });
    const [, signal] = (await once(child, 'exit')) as [number | null, string | null];
    assert.equal(signal, 'SIGKILL');
    assert.equal(keyCounts(shared).size, 4, 'the first source was copied before the kill');
    assert.ok(fs.existsSync(path.join(shared, 'ledger.lock')), 'the dead process still holds the lock');
    assert.equal(pendingSources(shared, [oldExtension, oldCli]).length, 2, 'nothing marked done');

    const g = open(shared, [oldExtension, oldCli]);
    assert.ok(Math.abs((await g.summary('ws')).today.spent - 3 * SPEND_USD) < 1e-9);
    for (const [key, n] of keyCounts(shared)) assert.equal(n, 1, key);
    assert.equal(keyCounts(shared).size, 6);
    assert.deepEqual(pendingSources(shared, [oldExtension, oldCli]), []);
  });

  it('a copy torn by a power loss (a fragment at the end of the file) is copied again whole, after a newline', async () => {
    await spendIn(oldExtension, 2);
    migrateLedgers(shared, [oldExtension]);
    // Undo the marker and cut the last copied line in half, as a power loss during the append would.
    fs.rmSync(path.join(shared, MIGRATION_MARKER));
    const file = path.join(shared, ledgerFileName(monthKey(Date.now())));
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, text.length - 40));

    const g = open(shared, [oldExtension]);
    assert.ok(Math.abs((await g.summary('ws')).today.spent - 2 * SPEND_USD) < 1e-9);
    const parsed = records(shared);
    assert.equal(parsed.filter((r) => r === undefined).length, 1, 'the fragment stays one unparsable line');
    for (const [key, n] of keyCounts(shared)) assert.equal(n, 1, key);
    assert.equal(keyCounts(shared).size, 4);
  });

  it('when the merge fails, cloud requests are refused (and say why) while local ones still run; a later try succeeds', async () => {
    await spendIn(oldCli, 1);
    // A month "file" that cannot be read.
    const broken = path.join(oldExtension, ledgerFileName('2026-01'));
    fs.mkdirSync(broken);
    const g = open(shared, [oldExtension, oldCli]);
    await assert.rejects(g.reserve(req()), (err: any) => {
      assert.equal(err.info.kind, 'budget');
      assert.match(err.info.message, /Could not merge the old usage ledgers .* No cloud call was made/);
      return true;
    });
    const local = await g.reserve(req({ ref: { provider: 'ollama', model: 'llama3.2:3b' }, locality: 'local' }));
    assert.ok(local.id);
    fs.rmdirSync(broken);
    const r = await g.reserve(req());
    assert.ok(r.id, 'the next cloud request retried the merge and went ahead');
    assert.ok(Math.abs((await g.summary('ws')).today.spent - SPEND_USD) < 1e-9);
  });
});

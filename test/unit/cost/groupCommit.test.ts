/**
 * Group commit (src/core/cost/groupCommit.ts): calls made at once share one lock section, are
 * decided in order against the aggregate, and a settle resolves only after its fdatasync. The
 * write(2) and fdatasync are injected (LedgerSyscalls) so the order is observed, not timed.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ledgerFileName, nodeSyscalls, type LedgerSyscalls } from '../../../src/core/cost/ledger';
import { monthKey } from '../../../src/core/cost/periods';
import { LedgerSpendGuard } from '../../../src/core/cost/spendGuard';
import type { SpendRequest } from '../../../src/core/types';
import { configWith, tempLedgerDir } from './helpers';

const req = (i: number): SpendRequest => ({
  workspaceId: 'ws',
  task: 'chat',
  ref: { provider: 'openai', model: 'gpt-4o-mini' },
  locality: 'cloud',
  inputTokensEstimate: 100,
  // The smallest useful answer: a reservation that does not fit is refused, never lowered.
  maxTokens: 256,
  requestId: `r${i}`,
});
const roomy = { dailyLimit: 100, globalDailyLimit: 100, globalMonthlyLimit: 1_000 };

function ledgerLines(dir: string): Array<{ t: string; requestId?: string; id?: string }> {
  const file = path.join(dir, ledgerFileName(monthKey(Date.now())));
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { t: string; requestId?: string });
}

describe('ledger group commit', function () {
  this.timeout(30_000);
  let dir: string;
  let guard: LedgerSpendGuard | undefined;
  const log: string[] = [];
  beforeEach(() => {
    dir = tempLedgerDir();
    log.length = 0;
  });
  afterEach(async () => {
    await guard?.dispose();
    guard = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const logging = (fdatasync: LedgerSyscalls['fdatasync'] = nodeSyscalls.fdatasync): LedgerSyscalls => ({
    write: (fd, bytes, offset) => {
      log.push(`write ${bytes.toString('utf8').split('\n').filter(Boolean).length}`);
      return nodeSyscalls.write(fd, bytes, offset);
    },
    fdatasync: (fd) => {
      log.push('sync');
      return fdatasync(fd);
    },
  });

  it('decides a batch that would overspend in call order: admits exactly what fits, in one write', async () => {
    guard = new LedgerSpendGuard({ dir, config: configWith(roomy), syscalls: logging() });
    const worst = guard.preflight(req(0)).worstUsd;
    // Room for three and a half worst cases: the fourth does not fit, even lowered to a useful length.
    guard.updateConfig(configWith({ ...roomy, dailyLimit: 3.5 * worst }));
    const outcomes = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => guard!.reserve(req(i))));
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected'],
    );
    assert.deepEqual(log, ['write 3'], 'one write(2) for the batch, and no fsync for reservations');
    assert.deepEqual(
      ledgerLines(dir).map((l) => `${l.t} ${l.requestId}`),
      ['reserve r0', 'reserve r1', 'reserve r2'],
    );
  });

  it('resolves a settle only after the fdatasync of its usage line, a reservation before any', async () => {
    let releaseSync!: () => void;
    let syncStarted!: () => void;
    const started = new Promise<void>((resolve) => (syncStarted = resolve));
    guard = new LedgerSpendGuard({
      dir,
      config: configWith(roomy),
      syscalls: logging(async (fd) => {
        syncStarted();
        await new Promise<void>((resolve) => (releaseSync = resolve));
        await nodeSyscalls.fdatasync(fd);
      }),
    });
    const r = await guard.reserve(req(0));
    log.push('reserved');
    const settled = r.settle({ usage: { inputTokens: 100, outputTokens: 50, estimated: false }, finish: 'stop', latencyMs: 1 }).then(() => log.push('settled'));
    await started;
    // The usage line is written (other processes see it) but not durable: the settle still waits.
    assert.ok(ledgerLines(dir).some((l) => l.t === 'usage' && l.id === r.id));
    assert.deepEqual(log, ['write 1', 'reserved', 'write 1', 'sync']);
    releaseSync();
    await settled;
    assert.deepEqual(log, ['write 1', 'reserved', 'write 1', 'sync', 'settled']);
  });

  it('puts reserves and settles made meanwhile into the next batch, synced once', async () => {
    let releaseSync!: () => void;
    let syncStarted!: () => void;
    const started = new Promise<void>((resolve) => (syncStarted = resolve));
    let syncs = 0;
    guard = new LedgerSpendGuard({
      dir,
      config: configWith(roomy),
      syscalls: logging(async (fd) => {
        if (++syncs === 1) {
          syncStarted();
          await new Promise<void>((resolve) => (releaseSync = resolve));
        }
        await nodeSyscalls.fdatasync(fd);
      }),
    });
    const held = await Promise.all([0, 1, 2, 3].map((i) => guard!.reserve(req(i))));
    const usage = { usage: { inputTokens: 100, outputTokens: 50, estimated: false }, finish: 'stop' as const, latencyMs: 1 };
    const first = held[0]!.settle(usage);
    await started;
    // While the first settle's batch syncs (holding the lock), three settles and a reservation queue up.
    const rest = [...held.slice(1).map((r) => r.settle(usage)), guard.reserve(req(4))];
    releaseSync();
    await Promise.all([first, ...rest]);
    assert.deepEqual(log, ['write 4', 'write 1', 'sync', 'write 4', 'sync']);
  });

  it('a batch whose write fails rejects its reservations, keeps the settle pending, and counts nothing that is not on disk', async () => {
    let failNext = false;
    guard = new LedgerSpendGuard({
      dir,
      config: configWith(roomy),
      syscalls: {
        write: (fd, bytes, offset) => {
          if (failNext) {
            failNext = false;
            throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
          }
          return nodeSyscalls.write(fd, bytes, offset);
        },
        fdatasync: nodeSyscalls.fdatasync,
      },
    });
    const worst = guard.preflight(req(0)).worstUsd;
    const r = await guard.reserve(req(0));
    failNext = true;
    // One batch: the settle and a second, larger reservation; its write fails.
    const [cost, ghost] = await Promise.allSettled([
      r.settle({ usage: { inputTokens: 100, outputTokens: 50, estimated: false }, finish: 'stop', latencyMs: 1 }),
      guard.reserve({ ...req(1), maxTokens: 512 }),
    ]);
    assert.equal(cost.status, 'fulfilled', 'the cost is still returned and shown');
    assert.equal(ghost.status, 'rejected', 'a reservation that was not written is not granted');
    let s = await guard.summary('ws');
    assert.equal(s.today.spent, 0, 'the usage line is not on disk yet');
    assert.ok(Math.abs(s.today.reserved - worst) < 1e-12, `only r is held (reserved ${s.today.reserved}, r ${worst})`);
    await guard.flush();
    s = await guard.summary('ws');
    assert.equal(s.today.reserved, 0);
    assert.ok(Math.abs(s.today.spent - (cost as PromiseFulfilledResult<{ totalUsd: number }>).value.totalUsd) < 1e-15);
    assert.deepEqual(
      ledgerLines(dir).map((l) => l.t),
      ['reserve', 'usage'],
    );
  });
});

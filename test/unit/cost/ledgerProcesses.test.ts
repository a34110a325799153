/**
 * The ledger shared by real processes: one SIGKILLed mid-flight, and eight spending from one
 * workspace budget at once against the protocol-faithful OpenAI-compatible test server.
 */
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSpendGuard } from '../../../src/core/cost';
import { ledgerFileName } from '../../../src/core/cost/ledger';
import { monthKey } from '../../../src/core/cost/periods';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../../servers/openaiCompatible';
import { configWith, tempLedgerDir, usageLines } from './helpers';

import { BundledChildren, nextMessage } from '../../harness/bundledChildren';

const CHILD_SOURCE = path.join(__dirname, 'fixtures', 'ledgerChild.ts');
const children = new BundledChildren(CHILD_SOURCE);
/** The prompt size every child estimates and the server reports (the tokenizer is tested elsewhere; children start faster without it). */
const PROMPT_TOKENS = 40;

function allLines(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n'))
    .filter((l) => l.length > 0);
}

describe('usage ledger across processes', function () {
  // Eight Node processes on a shared 2-core machine: generous, since timing is not what is tested.
  this.timeout(180_000);
  /**
   * The child is bundled to one plain JS file first: eight processes each transpiling dozens of
   * TypeScript files through tsx on a 2-core machine spend ~20 s just starting.
   */
  before(() => children.build());
  after(() => children.remove());
  let dir: string;
  beforeEach(() => {
    dir = tempLedgerDir();
  });
  afterEach(async () => {
    await children.killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('survives a process SIGKILLed mid-flight: acknowledged records kept, its reservation expired, the lock recovered', async () => {
    const child = children.spawn(['hammer', dir]);
    const settled: string[] = [];
    await new Promise<void>((resolve, reject) => {
      child.on('message', (m: { settled?: string; error?: string }) => {
        if (m.error) reject(new Error(m.error));
        if (m.settled) settled.push(m.settled);
        if (settled.length === 40) resolve();
      });
    });
    child.kill('SIGKILL');
    await once(child, 'exit');

    // A new process picks up the ledger (waiting out the lock if the child died holding it).
    const guard = createSpendGuard({ dir, config: configWith({ dailyLimit: 1_000, globalDailyLimit: 1_000, globalMonthlyLimit: 10_000 }) });
    try {
      const r = await guard.reserve({ workspaceId: 'crash', task: 'chat', ref: { provider: 'openai', model: 'gpt-4o-mini' }, locality: 'cloud', inputTokensEstimate: 10, maxTokens: 300 });
      await r.settle({ usage: { inputTokens: 10, outputTokens: 10, estimated: false }, finish: 'stop', latencyMs: 1 });
      const s = await guard.summary('crash');
      assert.equal(s.today.reserved, 0, 'no reservation of the dead process still holds budget');
    } finally {
      guard.dispose();
    }

    const lines = allLines(dir);
    const parsed = lines.map((l) => JSON.parse(l) as { t: string; id?: string; outcome?: string });
    const usage = parsed.filter((r) => r.t === 'usage');
    const ids = usage.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'every attempt recorded exactly once');
    for (const id of settled) assert.ok(ids.includes(id), `settled record ${id} survived`);
    const reserved = parsed.filter((r) => r.t === 'reserve').map((r) => r.id);
    for (const id of reserved) assert.ok(ids.includes(id), `reservation ${id} was settled or expired`);
    // Whatever the child had in flight was closed by the new process as abandoned (at most one).
    assert.ok(usage.filter((r) => r.outcome === 'abandoned').length <= 1);
  });

  it('ignores a torn last line (power loss mid-write) and loses nothing else', async () => {
    const a = createSpendGuard({ dir, config: configWith() });
    const req = { workspaceId: 'w', task: 'chat' as const, ref: { provider: 'openai', model: 'gpt-4o-mini' }, locality: 'cloud' as const, inputTokensEstimate: 10, maxTokens: 300 };
    const r1 = await a.reserve(req);
    await r1.settle({ usage: { inputTokens: 10, outputTokens: 10, estimated: false }, finish: 'stop', latencyMs: 1 });
    a.dispose();
    const file = path.join(dir, ledgerFileName(monthKey(Date.now())));
    fs.appendFileSync(file, '{"t":"usage","v":1,"id":"torn","costUsd":12');

    const b = createSpendGuard({ dir, config: configWith() });
    try {
      const r2 = await b.reserve(req);
      await r2.settle({ usage: { inputTokens: 10, outputTokens: 10, estimated: false }, finish: 'stop', latencyMs: 1 });
      const s = await b.summary('w');
      const each = (10 * 0.15 + 10 * 0.6) / 1e6;
      assert.ok(Math.abs(s.today.spent - 2 * each) < 1e-15, `spent ${s.today.spent}`);
    } finally {
      b.dispose();
    }
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.includes('"costUsd":12\n{'), 'the fragment stays on its own line');
    const ids = usageLines(dir).map((l) => l.id);
    assert.equal(ids.length, 2);
    assert.ok(!ids.includes('torn'));
    // A third reader (a report) sees the same two records.
    const c = createSpendGuard({ dir, config: configWith() });
    assert.equal(c.report('day').total.requests, 2);
    c.dispose();
  });

  it('a process killed between the write and the fdatasync of its settle leaves that record exactly once', async () => {
    const child = children.spawn(['stuck', dir]);
    const { reservation } = await nextMessage<{ reservation: string }>(child, 'reservation');
    await nextMessage(child, 'written');
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.ok(fs.existsSync(path.join(dir, 'ledger.lock')), 'killed inside its section, holding the lock');
    // The next process waits out the lock the child died holding, then reads the line it wrote.
    const guard = createSpendGuard({ dir, config: configWith({ dailyLimit: 10, globalDailyLimit: 10, globalMonthlyLimit: 100 }) });
    try {
      const s = await guard.summary('stuck');
      assert.equal(s.today.reserved, 0, 'the reservation is closed by its own usage line');
      const r = await guard.reserve({ workspaceId: 'stuck', task: 'chat', ref: { provider: 'openai', model: 'gpt-4o-mini' }, locality: 'cloud', inputTokensEstimate: 10, maxTokens: 300 });
      await r.settle({ usage: { inputTokens: 10, outputTokens: 10, estimated: false }, finish: 'stop', latencyMs: 1 });
    } finally {
      await guard.dispose();
    }
    const mine = usageLines(dir).filter((l) => l.id === reservation);
    assert.equal(mine.length, 1, 'neither lost nor doubled (no abandoned line beside it)');
    assert.equal(mine[0]!.outcome, 'stop');
  });

  it('two processes each making 20 reservations at once (group-committed batches) take exactly the room of the cap, never more', async () => {
    // gpt-4o-mini, 100 tokens estimated (+10 %) and 256 max: the worst case each reservation holds and is settled at.
    const worst = (110 * 0.15 + 256 * 0.6) / 1e6;
    const fits = 12;
    const cap = (fits + 0.5) * worst;
    const processes = [0, 1].map(() => children.spawn(['burst', dir, '20', String(cap)]));
    await Promise.all(processes.map((c) => nextMessage(c, 'ready')));
    const done = processes.map((c) => nextMessage<{ admitted: number; refused: number }>(c, 'admitted'));
    for (const c of processes) c.send('go');
    const results = await Promise.all(done);
    const admitted = results.reduce((n, r) => n + r.admitted, 0);
    assert.equal(admitted, fits, `admitted ${results.map((r) => r.admitted).join(' + ')}`);
    const usage = usageLines(dir).filter((l) => l.workspace === 'burst');
    assert.equal(usage.length, fits);
    const total = usage.reduce((sum, l) => sum + (l.costUsd as number), 0);
    assert.ok(total <= cap + 1e-12, `spent ${total} > cap ${cap}`);
  });

  describe('8 processes hammering one workspace budget', () => {
    let server: OpenAICompatibleServer;
    const CAP_USD = 0.05;
    const PROCESSES = 8;
    const REQUESTS_EACH = 25;
    before(async () => {
      server = await startOpenAICompatibleServer({
        vendor: 'openai',
        models: ['gpt-4o'],
        // Answers use a quarter of max_tokens (so reservations settle far below their worst case, and
        // freed room is reused); the prompt is counted as the children estimated it.
        reply: (rec) => {
          const max = Number(rec.body?.max_tokens ?? 16);
          const words = Math.max(1, Math.floor(max / 4));
          return {
            text: Array.from({ length: words }, (_, i) => `w${i}`).join(' '),
            promptTokens: PROMPT_TOKENS,
          };
        },
      });
    });
    after(() => server.close());

    it('ends with total spend at or below the cap, and every request in the ledger exactly once', async () => {
      const processes = Array.from({ length: PROCESSES }, (_, i) => children.spawn(['cloud', dir, server.baseUrl, String(REQUESTS_EACH), String(CAP_USD), `p${i}`, String(PROMPT_TOKENS)]));
      type Result = { reservationId?: string; requestId: string; refused?: string; costUsd?: number; lowered?: boolean; failed?: boolean };
      const results = (
        await Promise.all(
          processes.map(
            (child) =>
              new Promise<Result[]>((resolve, reject) => {
                child.on('message', (m: { results?: Result[]; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve(m.results ?? [])));
                child.on('exit', (code) => code !== 0 && reject(new Error(`child exited ${code}`)));
              }),
          ),
        )
      ).flat();

      const made = results.filter((r) => r.reservationId);
      const refused = results.filter((r) => r.refused);
      assert.equal(results.length, PROCESSES * REQUESTS_EACH);
      assert.ok(refused.length > 0, 'the budget ran out, so the test exercised refusals');
      assert.match(refused[0]!.refused!, /of the \$0\.0500 workspace daily limit is spent today/);
      const answered = made.filter((r) => !r.failed);
      const served = server.requests.filter((r) => r.path.endsWith('/chat/completions') && r.completed).length;
      assert.equal(served, answered.length, 'every answered call was reserved first; no refused request was answered');

      const usage = usageLines(dir).filter((l) => l.workspace === 'shared');
      const ids = usage.map((l) => l.id as string);
      assert.equal(new Set(ids).size, ids.length, 'no attempt recorded twice');
      assert.deepEqual([...ids].sort(), made.map((r) => r.reservationId!).sort(), 'every call made is recorded');
      const total = usage.reduce((sum, l) => sum + (l.costUsd as number), 0);
      assert.ok(total <= CAP_USD + 1e-9, `spent ${total} > cap ${CAP_USD}`);
      assert.ok(total > CAP_USD / 2, `spent ${total}: the budget was actually used`);
      const ledgerTotal = made.reduce((sum, r) => sum + r.costUsd!, 0);
      assert.ok(Math.abs(total - ledgerTotal) < 1e-9, 'ledger costs equal the costs shown to the callers');
      console.log(
        `      ${made.length} calls made (${made.filter((r) => r.lowered).length} with max_tokens lowered, ${made.length - answered.length} connection failures), ${refused.length} refused; spent $${total.toFixed(4)} of $${CAP_USD}`,
      );
    });
  });
});

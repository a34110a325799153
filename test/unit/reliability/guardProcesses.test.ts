/**
 * The guard shared by real processes: two hammering one Groq minute quota at once never get more
 * than 30 between them, one process's connect failures open the breaker for another, and a
 * SIGKILLed holder's concurrency slot frees itself when its lease ends.
 */
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LEASE_MS } from '../../../src/core/reliability/defaults';
import { createReliabilityGuard } from '../../../src/core/reliability/guard';
import { describeSkip } from '../../../src/core/reliability/reasons';
import { glm, groq, tempGuardDir } from './helpers';

import { BundledChildren, nextMessage } from '../../harness/bundledChildren';

const CHILD_SOURCE = path.join(__dirname, 'fixtures', 'guardChild.ts');
const children = new BundledChildren(CHILD_SOURCE);


describe('provider guard across real processes', function () {
  // Node processes on a loaded 2-core machine: generous, since timing is not what is tested.
  this.timeout(120_000);
  let dir: string;
  before(() => children.build());
  after(() => children.remove());
  beforeEach(() => {
    dir = tempGuardDir();
  });
  afterEach(async () => {
    await children.killAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('two processes hammering one Groq model get 30 requests between them in the minute, never more', async () => {
    const a = children.spawn(['hammer', dir, '300']);
    const b = children.spawn(['hammer', dir, '300']);
    await Promise.all([nextMessage(a, 'ready'), nextMessage(b, 'ready')]);
    const done = Promise.all([nextMessage<{ admittedAt: number[] }>(a, 'done'), nextMessage<{ admittedAt: number[] }>(b, 'done')]);
    // One start instant for both, and each keeps trying for the same 300 ms, so their attempts
    // overlap (who wins how many of the 30 is the scheduler's business, not asserted).
    const startAt = Date.now() + 100;
    a.send({ go: true, startAt });
    b.send({ go: true, startAt });
    const [ra, rb] = await done;
    const all = [...ra.admittedAt, ...rb.admittedAt].sort((x, y) => x - y);
    assert.equal(all.length, 30, `admitted ${ra.admittedAt.length} + ${rb.admittedAt.length}`);
    assert.ok(all[all.length - 1]! - all[0]! < 60_000, 'all within one minute (else the window legitimately moved on)');
    // A third process agrees from the file alone.
    const g = createReliabilityGuard({ dir, vendorOf: (p) => p });
    try {
      const r = g.gate(groq, 10);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason.code, 'quota_exhausted');
    } finally {
      g.close();
    }
  });

  it('shares the circuit breaker: three connect failures in one process open it for another', async () => {
    const child = children.spawn(['unreachable', dir]);
    await nextMessage(child, 'failed');
    const g = createReliabilityGuard({ dir, vendorOf: (p) => p });
    try {
      const r = g.gate({ ref: { provider: 'dashscope', model: 'qwen-plus' }, locality: 'cloud' }, 10);
      assert.equal(!r.ok && r.reason.code, 'breaker_open');
      assert.match(!r.ok ? describeSkip(r.reason) : '', /3 connect failures in a row/);
    } finally {
      g.close();
    }
  });

  it("frees a SIGKILLed holder's concurrency slot when its lease runs out, not before", async () => {
    const holder = children.spawn(['hold', dir]);
    const held = await nextMessage<{ held: boolean; at: number }>(holder, 'held');
    assert.equal(held.held, true);
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    let now = Date.now();
    const g = createReliabilityGuard({ dir, vendorOf: (p) => p, now: () => now });
    try {
      const r = g.gate(glm, 10);
      assert.equal(!r.ok && r.reason.code, 'concurrency', 'the dead holder still holds it while its lease lasts');
      now = held.at + LEASE_MS - 1;
      assert.equal(g.gate(glm, 10).ok, false);
      now = held.at + LEASE_MS + 1;
      const a = g.admit(glm, 10);
      assert.equal(a.ok, true, 'the slot is free once the lease ran out');
    } finally {
      g.close();
    }
  });
});

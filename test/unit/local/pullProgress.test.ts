import * as assert from 'node:assert/strict';
import { describePull, formatDuration, PullProgressTracker } from '../../../src/core/local/pullProgress';

describe('PullProgressTracker', () => {
  it('sums layers and computes percent, speed and ETA from the stream', () => {
    const t = new PullProgressTracker();
    assert.equal(t.update({ status: 'pulling manifest' }, 0).percent, undefined);
    // First line of a layer has no `completed` (wire reference).
    t.update({ status: 'pulling aaaa', digest: 'sha256:aaaa', total: 1_000_000_000 }, 0);
    t.update({ status: 'pulling bbbb', digest: 'sha256:bbbb', total: 1_000_000 }, 0);
    const s = t.update({ status: 'pulling aaaa', digest: 'sha256:aaaa', total: 1_000_000_000, completed: 100_000_000 }, 2_000);
    assert.equal(s.totalBytes, 1_001_000_000);
    assert.equal(s.completedBytes, 100_000_000);
    assert.ok(Math.abs(s.percent! - 9.99) < 0.01);
    assert.equal(s.bytesPerSecond, 50_000_000);
    assert.ok(Math.abs(s.etaSeconds! - 18.02) < 0.01);
    assert.match(describePull(s), /^9% · 100\/1001 MB · 50\.0 MB\/s · 18s left$/);
  });

  it('measures speed over a sliding window, not since the start', () => {
    const t = new PullProgressTracker();
    const line = (completed: number) => ({ status: 'pulling a', digest: 'a', total: 1e9, completed });
    t.update(line(0), 0);
    t.update(line(10e6), 10_000); // slow start: 1 MB/s
    t.update(line(110e6), 12_000);
    const s = t.update(line(210e6), 14_000); // now 50 MB/s
    assert.equal(s.bytesPerSecond, (200e6 * 1000) / 4000);
  });

  it('reports 100 % on success and never goes backwards', () => {
    const t = new PullProgressTracker();
    t.update({ status: 'pulling a', digest: 'a', total: 100, completed: 80 }, 0);
    assert.equal(t.update({ status: 'verifying sha256 digest' }, 1).percent, 80, 'a line without sizes keeps the last percentage');
    assert.equal(t.update({ status: 'pulling a', digest: 'a', total: 100, completed: 50 }, 1).completedBytes, 80);
    assert.equal(t.update({ status: 'success' }, 2).percent, 100);
    assert.equal(describePull(t.snapshot), '100% · 0/0 MB');
  });

  it('formats durations', () => {
    assert.equal(formatDuration(5), '5s');
    assert.equal(formatDuration(65), '1m 05s');
    assert.equal(formatDuration(3_700), '1h 01m');
  });
});

describe('PullProgressTracker with a late layer', () => {
  it('keeps the percentage from going back when a new layer grows the total', () => {
    const t = new PullProgressTracker();
    assert.equal(t.update({ status: 'pulling a', digest: 'a', total: 100, completed: 100 }, 0).percent, 99, '100 % only on success');
    const s = t.update({ status: 'pulling b', digest: 'b', total: 100 }, 1);
    assert.equal(s.percent, 99);
    assert.equal(s.totalBytes, 200, 'the byte counts stay true');
  });
});

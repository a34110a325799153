import * as assert from 'node:assert/strict';
import { CrashBackoff } from '../../../src/core/local/backoff';

describe('CrashBackoff', () => {
  const opts = { baseDelayMs: 100, maxDelayMs: 500, maxCrashes: 4, windowMs: 10_000 };

  it('doubles the delay up to the cap, then gives up on a crash loop', () => {
    const b = new CrashBackoff(opts);
    const delays = [0, 1, 2, 3].map((i) => b.onCrash(i * 10));
    assert.deepEqual(delays.map((d) => (d.restart ? d.delayMs : -1)), [100, 200, 400, 500]);
    assert.deepEqual(b.onCrash(50), { restart: false, crashes: 5 });
  });

  it('forgets crashes older than the window', () => {
    const b = new CrashBackoff(opts);
    for (let i = 0; i < 4; i++) b.onCrash(i);
    const later = b.onCrash(20_000);
    assert.deepEqual(later, { restart: true, delayMs: 100, attempt: 1 });
  });
});

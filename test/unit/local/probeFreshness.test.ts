/**
 * One rule for how long a local server's last health probe stands, shared by the Ollama manager
 * and the sidecar's other endpoints (before, each had its own copy of the 5 s "down" window).
 */
import { strict as assert } from 'node:assert';
import { DEFAULT_HEALTH_INTERVAL_MS, REPROBE_DOWN_MS, probeStillHolds } from '../../../src/core/local/probeFreshness';

describe('probeStillHolds: health-probe freshness for every local server', () => {
  const at = 1_000_000;

  it('trusts a server that answered for one health interval, then probes again', () => {
    assert.equal(probeStillHolds({ up: true, checkedAt: at }, at + 59_999, 60_000), true);
    assert.equal(probeStillHolds({ up: true, checkedAt: at }, at + 60_000, 60_000), false);
    assert.equal(probeStillHolds({ up: true, checkedAt: at }, at + DEFAULT_HEALTH_INTERVAL_MS - 1), true);
  });

  it('answers "down" from cache for a short while only, whatever the health interval', () => {
    assert.equal(probeStillHolds({ up: false, checkedAt: at }, at + REPROBE_DOWN_MS - 1, 600_000), true);
    assert.equal(probeStillHolds({ up: false, checkedAt: at }, at + REPROBE_DOWN_MS, 600_000), false);
  });

  it('never holds a result that was never taken or was forgotten on purpose', () => {
    assert.equal(probeStillHolds({ up: false, checkedAt: undefined }, at, 60_000), false);
    assert.equal(probeStillHolds({ up: true, checkedAt: undefined }, at, 60_000), false);
  });
});

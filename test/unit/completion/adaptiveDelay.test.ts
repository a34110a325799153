import { strict as assert } from 'node:assert';
import { adaptiveDelayMs, DEFAULT_KEY_INTERVAL_MS, TypingRhythm } from '../../../src/core/completion/adaptiveDelay';

const bounds = { minMs: 50, maxMs: 600 };

describe('completion/adaptiveDelay', () => {
  it('learns the typing rhythm and ignores pauses', () => {
    const r = new TypingRhythm();
    assert.equal(r.intervalMs, DEFAULT_KEY_INTERVAL_MS);
    let t = 0;
    for (let i = 0; i < 30; i++) r.noteKeystroke((t += 60));
    r.noteKeystroke((t += 5_000)); // a pause is not rhythm
    assert.ok(Math.abs(r.intervalMs - 60) < 1, String(r.intervalMs));
  });

  it('waits longer for a slow typist than for a fast one', () => {
    const fast = adaptiveDelayMs({ keyIntervalMs: 60, atTrigger: false, ...bounds });
    const slow = adaptiveDelayMs({ keyIntervalMs: 250, atTrigger: false, ...bounds });
    assert.ok(slow > fast, `${slow} > ${fast}`);
  });

  it('asks sooner after a trigger character than in the middle of typing a word', () => {
    const word = adaptiveDelayMs({ keyIntervalMs: 170, atTrigger: false, ...bounds });
    const trigger = adaptiveDelayMs({ keyIntervalMs: 170, atTrigger: true, ...bounds });
    assert.ok(trigger < word);
  });

  it('waits longer when the model has been slow', () => {
    const quick = adaptiveDelayMs({ keyIntervalMs: 170, atTrigger: false, modelLatencyMs: 100, ...bounds });
    const slow = adaptiveDelayMs({ keyIntervalMs: 170, atTrigger: false, modelLatencyMs: 800, ...bounds });
    assert.ok(slow > quick);
  });

  it('stays within the configured bounds', () => {
    assert.equal(adaptiveDelayMs({ keyIntervalMs: 5, atTrigger: true, ...bounds }), 50);
    assert.equal(adaptiveDelayMs({ keyIntervalMs: 900, atTrigger: false, modelLatencyMs: 5_000, ...bounds }), 600);
  });
});

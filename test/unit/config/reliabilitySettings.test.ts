/**
 * switchyard.reliability.* through parseConfig (the one settings reader every surface uses): an
 * invalid value is a problem naming the setting, its default stays in force, and it never refuses
 * cloud calls (a dropped quota falls back to the conservative free-tier default).
 */
import { strict as assert } from 'node:assert';
import { parseConfig } from '../../../src/core/config';
import { DEFAULT_WAIT_FOR_SLOT_MS, defaultReliabilitySettings } from '../../../src/core/reliability';

describe('parseConfig: switchyard.reliability settings', () => {
  it('reads valid values into config.reliability', () => {
    const { config, problems } = parseConfig({ reliability: { quotas: { groq: { requestsPerMinute: 5 }, 'gemini/*': { requestsPerDay: null } }, waitForSlotMs: 3000 } });
    assert.deepEqual(problems, []);
    assert.deepEqual(config.reliability.quotas, { groq: { requestsPerMinute: 5 }, 'gemini/*': { requestsPerDay: null } });
    assert.equal(config.reliability.waitForSlotMs, 3000);
  });

  it('defaults when absent', () => {
    assert.deepEqual(parseConfig({}).config.reliability, defaultReliabilitySettings());
  });

  it('an invalid value is a problem with its full setting name; its default stays in force, the rest is kept, cloud is not refused', () => {
    const { config, problems } = parseConfig({
      reliability: { waitForSlotMs: -1, quotas: { groq: { requestsPerMinute: 'many', tokensPerMinute: 100 }, 'groq/x': { perHour: 3 } }, retry: { maxAttempts: 2 } },
    });
    assert.deepEqual(
      problems.map((p) => [p.path, p.effect]).sort(),
      [
        ['reliability.quotas.groq.requestsPerMinute', 'default'],
        ['reliability.quotas.groq/x.perHour', 'default'],
        ['reliability.waitForSlotMs', 'default'],
      ],
    );
    assert.ok(problems.every((p) => p.message.length > 0));
    assert.equal(config.reliability.waitForSlotMs, DEFAULT_WAIT_FOR_SLOT_MS);
    assert.deepEqual(config.reliability.quotas.groq, { tokensPerMinute: 100 });
    assert.equal(config.reliability.retry.maxAttempts, 2);
    assert.equal(config.refuseCloud, undefined);
  });

  it('a reliability value that is not an object is one problem and all its defaults apply', () => {
    const { config, problems } = parseConfig({ reliability: 'fast' });
    assert.deepEqual(problems.map((p) => p.path), ['reliability']);
    assert.deepEqual(config.reliability, defaultReliabilitySettings());
  });
});

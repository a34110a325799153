import { strict as assert } from 'node:assert';
import { learnFromHeaders, parseReset, waitFromAnswer } from '../../../src/core/reliability/learn';

describe('quotas learned from answers', () => {
  it('parses Groq reset durations ("2m59.56s", "7.66s", "1h") and bare seconds', () => {
    assert.equal(parseReset('2m59.56s'), 179_560);
    assert.equal(parseReset('7.66s'), 7_660);
    assert.equal(parseReset('1h'), 3_600_000);
    assert.equal(parseReset('12ms'), 12);
    assert.equal(parseReset('30'), 30_000);
    assert.equal(parseReset('soon'), undefined);
  });

  it('reads the x-ratelimit-* counters of a success answer', () => {
    const q = learnFromHeaders({
      'x-ratelimit-limit-requests': '14400',
      'x-ratelimit-remaining-requests': '14370',
      'x-ratelimit-reset-requests': '2m59.56s',
      'x-ratelimit-limit-tokens': '6000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '7.66s',
    });
    assert.deepEqual(q, { requests: { limit: 14_400, remaining: 14_370, resetMs: 179_560 }, tokens: { limit: 6_000, remaining: 0, resetMs: 7_660 } });
  });

  it('learns nothing from an answer without them (Ollama, Zhipu, Gemini)', () => {
    assert.equal(learnFromHeaders({ 'content-type': 'application/json' }), undefined);
    assert.equal(learnFromHeaders(undefined), undefined);
  });

  it('reads the wait from retry-after in seconds and as an HTTP date', () => {
    assert.equal(waitFromAnswer({ 'retry-after': '12' }, {}, 0), 12_000);
    const now = Date.parse('2026-12-02T20:00:00Z');
    assert.equal(waitFromAnswer({ 'retry-after': 'Wed, 02 Dec 2026 20:00:30 GMT' }, {}, now), 30_000);
  });

  it("reads Gemini's RetryInfo retryDelay from its JSON array error body", () => {
    const body = [{ error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [] }, { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }] } }];
    assert.equal(waitFromAnswer(undefined, body, 0), 12_000);
  });
});

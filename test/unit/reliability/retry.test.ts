import { strict as assert } from 'node:assert';
import { retryDecision } from '../../../src/core/reliability/retry';
import type { ErrorKind, NormalizedError } from '../../../src/core/types';

const err = (kind: ErrorKind, extra: Partial<NormalizedError> = {}): NormalizedError => ({ kind, message: kind, provider: 'groq', model: 'm', retryable: true, ...extra });
const fixed = (v: number) => () => v;

describe('retry policy (retryDecision)', () => {
  for (const kind of ['network', 'timeout', 'rate_limit', 'server', 'overloaded'] as const) {
    it(`retries ${kind} with full-jitter backoff, then moves on after 3 attempts`, () => {
      assert.deepEqual(retryDecision(err(kind), 1, { random: fixed(0.5) }), { action: 'retry', afterMs: 500, why: `backoff up to 1 s after ${kind}` });
      assert.equal((retryDecision(err(kind), 2, { random: fixed(0.5) }) as { afterMs: number }).afterMs, 1000);
      assert.equal(retryDecision(err(kind), 3, { random: fixed(0.5) }).action, 'move_on');
    });
  }

  it('spreads the backoff over the whole interval (full jitter: 0 … base × 2^n)', () => {
    assert.equal((retryDecision(err('server'), 2, { random: fixed(0) }) as { afterMs: number }).afterMs, 0);
    assert.equal((retryDecision(err('server'), 2, { random: fixed(0.999) }) as { afterMs: number }).afterMs, 1998);
  });

  it('caps the backoff at 20 s', () => {
    const d = retryDecision(err('server'), 9, { random: fixed(0.999), settings: { maxAttempts: 10 } });
    assert.deepEqual(d, { action: 'retry', afterMs: 19_980, why: 'backoff up to 20 s after server' });
  });

  it('honours retry-after / RetryInfo within the cap, exactly', () => {
    assert.deepEqual(retryDecision(err('rate_limit', { retryAfterMs: 7_660 }), 1, { random: fixed(0.9) }), { action: 'retry', afterMs: 7_660, why: 'retry-after 7.7 s' });
  });

  it('moves on at once when the provider asks for a wait over the cap', () => {
    assert.equal(retryDecision(err('rate_limit', { retryAfterMs: 32_000 }), 1).action, 'move_on');
  });

  it('never retries Zhipu 1113 (balance exhausted) and marks the provider out of credit', () => {
    const d = retryDecision(err('quota', { providerCode: '1113', status: 429, provider: 'zhipu' }), 1);
    assert.equal(d.action, 'never');
    assert.equal((d as { mark?: string }).mark, 'out_of_credit');
  });

  it('never retries DashScope Arrearage and OpenAI insufficient_quota (out of credit)', () => {
    for (const code of ['Arrearage', 'insufficient_quota']) assert.deepEqual(retryDecision(err('quota', { providerCode: code }), 1).action, 'never');
    assert.equal((retryDecision(err('quota', { providerCode: 'Arrearage' }), 1) as { mark?: string }).mark, 'out_of_credit');
  });

  it('never retries 401/403 and marks the provider needs key', () => {
    assert.deepEqual(retryDecision(err('auth', { status: 401 }), 1), { action: 'never', why: 'groq rejected the key', mark: 'needs_key' });
  });

  it('never retries 400, an unknown model, context length or a content filter', () => {
    for (const kind of ['bad_request', 'model_not_found', 'context_length', 'content_filter', 'cancelled'] as const) {
      const d = retryDecision(err(kind), 1);
      assert.equal(d.action, 'never', kind);
      assert.equal((d as { mark?: string }).mark, undefined);
    }
  });

  it('treats a daily quota (Zhipu 1304, Gemini PerDay) as never today, marked daily_quota', () => {
    assert.equal((retryDecision(err('quota', { providerCode: '1304' }), 1) as { mark?: string }).mark, 'daily_quota');
  });

  it('does not retry once text was shown (no splice)', () => {
    assert.equal(retryDecision(err('network'), 1, { firstTokenShown: true }).action, 'move_on');
  });
});

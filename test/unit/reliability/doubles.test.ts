/**
 * The vendors' real error replies and rate-limit headers, sent by the protocol-faithful double
 * over HTTP and read through the real provider, decide the retry and what the guard remembers:
 * no retry on Zhipu 1113, DashScope Arrearage and 401; retry-after and Gemini's RetryInfo
 * honoured (or, over the cap, moved on from and blocked for that long).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { learnFromHeaders } from '../../../src/core/reliability/learn';
import { describeSkip, type SkipReason } from '../../../src/core/reliability/reasons';
import { retryDecision } from '../../../src/core/reliability/retry';
import type { ReliabilityGuard } from '../../../src/core/reliability/guard';
import type { NormalizedError } from '../../../src/core/types';
import { type ErrorPreset, type VendorName, startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import { drain, makeProvider, recordingKeys, request } from '../providers/helpers';
import { cloud, guardWith, tempGuardDir, testClock, type TestClock } from './helpers';

const KEY = 'sk-secret-abcdefghijklmnop';

async function failureFrom(vendor: VendorName, preset: ErrorPreset | 'wrong_key'): Promise<{ error: NormalizedError; model: string; requests: number }> {
  const server = await startOpenAICompatibleServer({ vendor, apiKey: preset === 'wrong_key' ? 'the-right-key' : KEY, ...(preset === 'wrong_key' ? {} : { reply: { error: preset } }) });
  try {
    const provider = makeProvider(vendor, { kind: 'openai-compatible', vendor, baseUrl: server.baseUrl, locality: 'cloud' }, recordingKeys({ [`${vendor} ${server.url}`]: KEY }));
    const out = await drain(provider.stream(request({ model: server.models[0]! })));
    assert.ok(out.error, 'the double answered with an error');
    return { error: out.error, model: server.models[0]!, requests: server.requests.length };
  } finally {
    await server.close();
  }
}

describe('reliability against the vendor doubles (real HTTP)', () => {
  let dir: string;
  let clock: TestClock;
  let guard: ReliabilityGuard;
  beforeEach(() => {
    dir = tempGuardDir();
    clock = testClock();
    guard = guardWith(dir, clock, {}, { keyFingerprint: () => 'fp-current' });
  });
  afterEach(() => {
    guard.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const settleWith = (vendor: string, model: string, error: NormalizedError): SkipReason | undefined => {
    const a = guard.admit(cloud(vendor, model), 100);
    assert.ok(a.ok);
    guard.settle(a.lease, { ok: false, error });
    const g = guard.gate(cloud(vendor, model), 100);
    return g.ok ? undefined : g.reason;
  };

  it('Zhipu 1113 (balance exhausted): never retried, the provider is out of credit', async () => {
    const { error, model, requests } = await failureFrom('zhipu', 'quota');
    assert.equal(requests, 1, 'one request: no SDK retry either');
    assert.deepEqual(retryDecision(error, 1), { action: 'never', why: 'zhipu is out of credit (1113)', mark: 'out_of_credit' });
    assert.equal(settleWith('zhipu', model, error)?.code, 'out_of_credit');
  });

  it('DashScope Arrearage: never retried, out of credit', async () => {
    const { error, model } = await failureFrom('dashscope', 'quota');
    assert.equal(retryDecision(error, 1).action, 'never');
    assert.equal(settleWith('dashscope', model, error)?.code, 'out_of_credit');
  });

  it('401 from Groq: never retried, the provider needs a key (until it changes)', async () => {
    const { error, model } = await failureFrom('groq', 'wrong_key');
    assert.equal(retryDecision(error, 1).action, 'never');
    assert.equal(settleWith('groq', model, error)?.code, 'needs_key');
  });

  it("Groq's 429 retry-after (8 s) is honoured: retry after exactly 8 s, the model skipped until then", async () => {
    const { error, model } = await failureFrom('groq', 'rate_limit');
    assert.deepEqual(retryDecision(error, 1, { random: () => 0.5 }), { action: 'retry', afterMs: 8_000, why: 'retry-after 8 s' });
    const skip = settleWith('groq', model, error)!;
    assert.equal(describeSkip(skip), `groq/${model}: asked to wait, retry in 8 s`);
    clock.advance(8_000);
    assert.equal(guard.gate(cloud('groq', model), 100).ok, true);
  });

  it("Gemini's RetryInfo (32 s, in its JSON array body) is over the 20 s cap: move on now, skipped for 32 s", async () => {
    const { error, model } = await failureFrom('gemini', 'rate_limit');
    assert.equal(error.retryAfterMs, 32_000);
    assert.equal(retryDecision(error, 1).action, 'move_on');
    assert.equal((settleWith('gemini', model, error) as { nextSlotMs: number }).nextSlotMs, 32_000);
  });

  it("Groq's success answers carry x-ratelimit headers the guard learns from", async () => {
    const server = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: KEY });
    try {
      const res = await fetch(`${server.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: server.models[0], messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(res.status, 200);
      await res.text();
      assert.deepEqual(learnFromHeaders(res.headers)?.requests, { limit: 1_000, remaining: 999, resetMs: 179_560 });
      const a = guard.admit(cloud('groq', server.models[0]!), 100);
      assert.ok(a.ok);
      guard.settle(a.lease, { ok: true, headers: res.headers });
      assert.equal(guard.gate(cloud('groq', server.models[0]!), 12_000).ok, false, '11,000 tokens left by the headers');
    } finally {
      await server.close();
    }
  });
});

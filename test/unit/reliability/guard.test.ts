/**
 * The provider guard in one process (two guards on one directory stand for two windows), with an
 * injected clock: quotas, leases, learned waits, marks, breaker, waiting for a slot, status.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeSkip, type SkipReason } from '../../../src/core/reliability/reasons';
import type { ReliabilityLease, ReliabilityGuard } from '../../../src/core/reliability/guard';
import { cloud, failure, gemini, glm, groq, guardWith, tempGuardDir, testClock, type TestClock } from './helpers';

function admitOk(g: ReliabilityGuard, c = groq, tokens = 100): ReliabilityLease {
  const a = g.admit(c, tokens);
  if (!a.ok) assert.fail(`expected admission, got ${describeSkip(a.reason)}`);
  return a.lease;
}
function skipOf(r: { ok: boolean; reason?: SkipReason }): SkipReason {
  assert.equal(r.ok, false, 'expected a skip');
  return r.reason!;
}

describe('provider guard: quotas', () => {
  let dir: string;
  let clock: TestClock;
  const guards: ReliabilityGuard[] = [];
  const make = (settings: unknown = {}, extra = {}) => {
    const g = guardWith(dir, clock, settings, extra);
    guards.push(g);
    return g;
  };
  beforeEach(() => {
    dir = tempGuardDir();
    clock = testClock();
  });
  afterEach(() => {
    for (const g of guards.splice(0)) g.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('skips Groq at 30 requests in a rolling minute, naming the next slot', () => {
    const g = make();
    for (let i = 0; i < 30; i++) {
      g.settle(admitOk(g), { ok: true, tokens: 100 });
      clock.advance(1_000);
    }
    // Now 30 s after the first: it frees 30 s later.
    const r = skipOf(g.gate(groq, 100));
    assert.deepEqual(r, { code: 'quota_exhausted', provider: 'groq', model: 'llama-3.3-70b-versatile', scope: 'model', window: 'minute', unit: 'requests', used: 30, limit: 30, nextSlotMs: 30_000 });
    assert.equal(describeSkip(r), 'groq/llama-3.3-70b-versatile: 30/30 requests this minute, next slot in 30 s');
    assert.equal(skipOf(g.admit(groq, 100)).code, 'quota_exhausted');
    clock.advance(29_999);
    assert.equal(g.gate(groq, 100).ok, false);
    clock.advance(1);
    assert.equal(g.gate(groq, 100).ok, true, 'the first request left the rolling window');
    // Another Groq model has its own quota.
    assert.equal(g.gate(cloud('groq', 'llama-3.1-8b-instant'), 100).ok, true);
  });

  it('counts tokens per minute with the estimate, then the real usage', () => {
    const g = make();
    const a = admitOk(g, groq, 20_000);
    assert.equal(skipOf(g.gate(groq, 12_000)).code, 'quota_exhausted');
    g.settle(a, { ok: true, tokens: 5_000 });
    assert.equal(g.gate(groq, 12_000).ok, true, 'the estimate was replaced by the 5,000 tokens used');
    admitOk(g, groq, 24_000);
    const r = skipOf(g.gate(groq, 2_000));
    assert.deepEqual({ unit: (r as { unit: string }).unit, used: (r as { used: number }).used }, { unit: 'tokens', used: 29_000 });
  });

  it('says when one request is larger than the whole token quota (never fits)', () => {
    const g = make();
    const r = skipOf(g.gate(groq, 40_000));
    assert.equal((r as { nextSlotMs?: number }).nextSlotMs, undefined);
    assert.match(describeSkip(r), /larger than the whole quota/);
  });

  it('holds Gemini to 15 a minute and its daily cap (1,500 shipped; 20 set here), until local midnight', () => {
    const g = make({ quotas: { 'gemini/*': { requestsPerDay: 20 } } });
    for (let i = 0; i < 20; i++) {
      if (i === 15) assert.equal(skipOf(g.gate(gemini, 10)).code, 'quota_exhausted');
      if (i % 15 === 0 && i > 0) clock.advance(60_000);
      g.settle(admitOk(g, gemini, 10), { ok: true });
    }
    clock.advance(60_000);
    const r = skipOf(g.gate(gemini, 10)) as Extract<SkipReason, { code: 'quota_exhausted' }>;
    assert.equal(r.window, 'day');
    assert.equal(r.used, 20);
    const midnight = new Date(2026, 11, 3).getTime();
    assert.equal(r.nextSlotMs, midnight - clock.t);
    clock.t = midnight;
    assert.equal(g.gate(gemini, 10).ok, true);
  });

  it('lets one glm-4.7-flash request run at a time, across two guards on one directory', () => {
    const a = make();
    const b = make();
    const lease = admitOk(a, glm);
    const r = skipOf(b.admit(glm, 10));
    assert.equal(describeSkip(r), 'zhipu/glm-4.7-flash: 1/1 requests in flight');
    a.settle(lease, { ok: true });
    admitOk(b, glm);
  });

  it('renews a held lease, and frees the slot of a holder that stopped renewing (crashed) after the lease', () => {
    const a = make();
    const b = make();
    admitOk(a, glm);
    for (let i = 0; i < 10; i++) clock.advance(15_000);
    assert.equal(b.gate(glm, 10).ok, false, '150 s later: renewed every 20 s by a live holder');
    // The holder dies: its renew timer no longer fires.
    a.close();
    clock.advance(60_000);
    assert.equal(b.gate(glm, 10).ok, true);
  });

  it('two guards never exceed the minute quota together, taking turns', () => {
    const a = make();
    const b = make();
    let admitted = 0;
    for (let i = 0; i < 50; i++) {
      const g = i % 2 ? a : b;
      const r = g.admit(groq, 10);
      if (r.ok) {
        admitted++;
        g.settle(r.lease, { ok: true });
      }
    }
    assert.equal(admitted, 30);
  });

  it('waits out retry-after: skipped with rate_limited, tried again once it passed', () => {
    const g = make();
    g.settle(admitOk(g), { ok: false, error: failure('rate_limit', { status: 429, retryAfterMs: 12_000 }) });
    const r = skipOf(g.gate(groq, 10));
    assert.equal(describeSkip(r), 'groq/llama-3.3-70b-versatile: asked to wait, retry in 12 s');
    clock.advance(12_000);
    assert.equal(g.gate(groq, 10).ok, true);
  });

  it('learns an empty counter from x-ratelimit headers and waits for its reset', () => {
    const g = make();
    g.settle(admitOk(g), { ok: true, headers: { 'x-ratelimit-remaining-requests': '1', 'x-ratelimit-reset-requests': '2m59.56s', 'x-ratelimit-remaining-tokens': '5000', 'x-ratelimit-reset-tokens': '7.66s' } });
    assert.equal(g.gate(groq, 6_000).ok, false, 'the request needs more tokens than are left');
    g.settle(admitOk(g, groq, 10), { ok: true });
    const r = skipOf(g.gate(groq, 10)) as Extract<SkipReason, { code: 'rate_limited' }>;
    assert.equal(r.source, 'headers');
    assert.equal(r.nextSlotMs, 179_560);
  });

  it('gives the earliest slot among candidates, and waits for it (cancellable) within the limit', async () => {
    const g = make({ quotas: { 'gemini/*': { requestsPerMinute: 1 }, 'groq/*': { requestsPerMinute: 1 } } });
    g.settle(admitOk(g, groq), { ok: true });
    clock.advance(5_000);
    g.settle(admitOk(g, gemini), { ok: true });
    const slot = g.earliestSlot([gemini, groq], 10)!;
    assert.deepEqual({ model: slot.ref.model, inMs: slot.inMs }, { model: 'llama-3.3-70b-versatile', inMs: 55_000 });
    assert.deepEqual(await g.waitForSlot([gemini, groq], 10), { ok: false, why: 'too_long', slot });
    clock.advance(47_000);
    const waiting = g.waitForSlot([gemini, groq], 10);
    for (let i = 0; i < 40; i++) clock.advance(250);
    const r = await waiting;
    assert.equal(r.ok && r.candidate.ref.provider, 'groq');
    const ctl = new AbortController();
    g.settle(admitOk(g, groq), { ok: true });
    const cancelled = g.waitForSlot([groq], 10, { signal: ctl.signal, limitMs: 60_000 });
    ctl.abort();
    assert.deepEqual(await cancelled, { ok: false, why: 'cancelled' });
  });

  it('waits for a request in flight to end (glm-4.7-flash one at a time), up to the limit', async () => {
    const a = make();
    const b = make();
    const held = admitOk(a, glm);
    const slot = b.earliestSlot([glm], 10)!;
    assert.deepEqual({ inMs: slot.inMs, whenInFlightEnds: slot.whenInFlightEnds, code: slot.reason?.code }, { inMs: 0, whenInFlightEnds: true, code: 'concurrency' });
    const waiting = b.waitForSlot([glm], 10);
    clock.advance(1_000);
    a.settle(held, { ok: true });
    clock.advance(250);
    const r = await waiting;
    assert.equal(r.ok, true);
    admitOk(b, glm);
    const tooLong = b.waitForSlot([glm], 10, { limitMs: 2_000 });
    for (let i = 0; i < 10; i++) clock.advance(250);
    const t = await tooLong;
    assert.equal(!t.ok && t.why, 'too_long');
  });

  it('marks needs key after a 401 until the key changes', () => {
    let key = 'fp-old';
    const g = make({}, { keyFingerprint: () => key });
    g.settle(admitOk(g), { ok: false, error: failure('auth', { status: 401 }) });
    assert.equal(skipOf(g.gate(cloud('groq', 'other'), 10)).code, 'needs_key');
    clock.advance(86_400_000);
    assert.equal(skipOf(g.gate(groq, 10)).code, 'needs_key', 'a day later: still the rejected key');
    key = 'fp-new';
    assert.equal(g.gate(groq, 10).ok, true);
  });

  it('marks out of credit on Zhipu 1113 until the next day, or a manual reset', () => {
    const g = make();
    const z = cloud('zhipu', 'glm-4-plus');
    g.settle(admitOk(g, z), { ok: false, error: failure('quota', { status: 429, providerCode: '1113' }) });
    assert.equal(skipOf(g.gate(cloud('zhipu', 'glm-4-flash'), 10)).code, 'out_of_credit');
    g.resetProvider('zhipu');
    assert.equal(g.gate(z, 10).ok, true);
    g.settle(admitOk(g, z), { ok: false, error: failure('quota', { providerCode: 'Arrearage' }) });
    assert.equal(g.gate(z, 10).ok, false);
    clock.t = new Date(2026, 11, 3).getTime();
    assert.equal(g.gate(z, 10).ok, true);
  });

  it('rotates to a new day file with a seal, and keeps counting the minute across midnight', () => {
    clock.t = new Date(2026, 11, 2, 23, 59, 30).getTime();
    const a = make({ quotas: { 'groq/*': { requestsPerMinute: 2 } } });
    const b = make({ quotas: { 'groq/*': { requestsPerMinute: 2 } } });
    a.settle(admitOk(a), { ok: true });
    clock.advance(40_000); // 00:00:10 the next day
    b.settle(admitOk(b), { ok: true });
    assert.equal(skipOf(a.gate(groq, 10)).code, 'quota_exhausted');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['guard-2026-12-02.jsonl', 'guard-2026-12-03.jsonl']);
    assert.match(fs.readFileSync(path.join(dir, 'guard-2026-12-02.jsonl'), 'utf8'), /"t":"seal"/);
    clock.advance(20_000);
    assert.equal(a.gate(groq, 10).ok, true);
  });
  it('a look at a later clock changes nothing: a process that gated ahead of the log still agrees with a fresh replay', () => {
    const settings = { quotas: { 'groq/*': { requestsPerMinute: 2 } } };
    const t0 = clock.t;
    const a = make(settings);
    a.settle(admitOk(a), { ok: true });
    clock.t = t0 + 65_000;
    assert.equal(a.gate(groq, 10).ok, true, "at a's clock the first request has left the window");
    const behind = testClock(t0 + 55_000);
    const b = make(settings, { now: behind.now, timers: behind.timers });
    b.settle(admitOk(b), { ok: true }); // t0+55 s: the first is still in the window, 2/2
    // A third process's claim that raced b's (its preview saw 1/2): at its place in the log it is
    // the third in the minute, so rejected, by every replayer alike.
    const lim = { m: { requestsPerMinute: 2 } };
    const raced = { t: 'claim', id: 'raced', at: t0 + 57_000, p: 'groq', m: 'llama-3.3-70b-versatile', est: 10, lim, b: {}, lease: 60_000 };
    fs.appendFileSync(path.join(dir, fs.readdirSync(dir)[0]!), `${JSON.stringify(raced)}\n`);
    clock.t = t0 + 61_000;
    const fresh = make(settings);
    const seen = (g: ReliabilityGuard) => {
      const r = g.gate(groq, 10);
      return r.ok ? 'ok' : describeSkip(r.reason);
    };
    assert.equal(seen(fresh), 'ok', 'only the t0+55 s request is left in the window');
    assert.equal(seen(a), seen(fresh));
  });

  it('a process whose clock is behind at midnight writes to the new day once it was sealed; lines after a seal count for nobody', () => {
    const settings = { quotas: { 'groq/*': { requestsPerMinute: 3 } } };
    const behind = testClock(new Date(2026, 11, 2, 23, 59, 50).getTime());
    const b = make(settings, { now: behind.now, timers: behind.timers });
    b.settle(admitOk(b), { ok: true });
    clock.t = new Date(2026, 11, 3, 0, 0, 1).getTime();
    const a = make(settings);
    a.settle(admitOk(a), { ok: true }); // seals the 2nd's file, writes to the 3rd's
    behind.t += 9_000; // still 23:59:59 for b, whose writer was on the sealed file
    b.settle(admitOk(b), { ok: true });
    const claims = (day: string) => fs.readFileSync(path.join(dir, `guard-${day}.jsonl`), 'utf8').trim().split('\n').filter((l) => l.includes('"t":"claim"')).length;
    assert.equal(claims('2026-12-03'), 2, "a's claim and b's, written after the seal to the new file");
    // A line that a racing writer appended after the seal is void, for every replayer alike.
    const stray = { t: 'claim', id: 'stray', at: behind.t, p: 'groq', m: 'llama-3.3-70b-versatile', est: 10, lim: {}, b: {}, lease: 60_000 };
    fs.appendFileSync(path.join(dir, 'guard-2026-12-02.jsonl'), `${JSON.stringify(stray)}\n`);
    const c = make(settings);
    assert.equal((skipOf(c.gate(groq, 10)) as { used: number }).used, 3, 'a fresh process counts the three real claims, not the stray');
    assert.equal((skipOf(a.gate(groq, 10)) as { used: number }).used, 3);
  });
});

describe('provider guard: circuit breaker', () => {
  let dir: string;
  let clock: TestClock;
  let g: ReliabilityGuard;
  beforeEach(() => {
    dir = tempGuardDir();
    clock = testClock();
    g = guardWith(dir, clock);
  });
  afterEach(() => {
    g.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const m = cloud('dashscope', 'qwen-plus');
  const ok = () => g.settle(admitOk(g, m), { ok: true, ttftMs: 100, totalMs: 900 });
  const fail = (kind: 'server' | 'network' = 'server') => g.settle(admitOk(g, m), { ok: false, error: failure(kind, { status: kind === 'server' ? 500 : undefined }) });

  it('opens above 10 % errors over 60 s with at least 5 requests, then half-open → closed', () => {
    for (let i = 0; i < 8; i++) ok();
    fail(); // 1/9 = 11 %
    const r = skipOf(g.gate(m, 10));
    assert.equal(r.code, 'breaker_open');
    assert.equal((r as { nextSlotMs: number }).nextSlotMs, 30_000);
    assert.match(describeSkip(r), /circuit open \(11 % errors over 9 requests in 60 s\), next probe in 30 s/);
    clock.advance(30_000);
    const probe = admitOk(g, m);
    assert.equal(probe.probe, true);
    assert.equal(skipOf(g.admit(m, 10)).code, 'probe_in_flight', 'one probe at a time');
    g.settle(probe, { ok: true });
    assert.equal(g.gate(m, 10).ok, true);
    assert.equal(admitOk(g, m).probe, false);
  });

  it('does not open under 5 requests, nor at exactly 10 %', () => {
    for (let i = 0; i < 3; i++) fail();
    ok();
    assert.equal(g.gate(m, 10).ok, true, '4 requests: too few to judge');
    const h = guardWith(dir, clock);
    const mm = cloud('dashscope', 'qwen-turbo');
    for (let i = 0; i < 9; i++) h.settle(admitOk(h, mm), { ok: true });
    h.settle(admitOk(h, mm), { ok: false, error: failure('server') });
    assert.equal(h.gate(mm, 10).ok, true, '1/10 is not over 10 %');
    h.close();
  });

  it('forgets failures older than the rolling 60 s window', () => {
    fail();
    clock.advance(61_000);
    for (let i = 0; i < 9; i++) ok();
    assert.equal(g.gate(m, 10).ok, true);
  });

  it('opens after 3 consecutive connect failures; a failed probe reopens it for twice as long, up to 10 min', () => {
    fail('network');
    fail('network');
    assert.equal(g.gate(m, 10).ok, true);
    fail('network');
    assert.match(describeSkip(skipOf(g.gate(m, 10))), /3 connect failures in a row/);
    const cooldowns: number[] = [];
    for (let i = 0; i < 7; i++) {
      const r = skipOf(g.gate(m, 10)) as { nextSlotMs: number };
      cooldowns.push(r.nextSlotMs);
      clock.advance(r.nextSlotMs);
      const probe = admitOk(g, m);
      assert.equal(probe.probe, true);
      g.settle(probe, { ok: false, error: failure('timeout') });
    }
    assert.deepEqual(cooldowns, [30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000]);
    clock.advance(600_000);
    g.settle(admitOk(g, m), { ok: true });
    fail('network');
    fail('network');
    fail('network');
    assert.equal((skipOf(g.gate(m, 10)) as { nextSlotMs: number }).nextSlotMs, 30_000, 'closed again: back to the base cooldown');
  });

  it('lets the next request probe when the probe was cancelled, or its holder crashed', () => {
    for (let i = 0; i < 3; i++) fail('network');
    clock.advance(30_000);
    g.settle(admitOk(g, m), { ok: false, error: failure('cancelled') });
    const second = admitOk(g, m);
    assert.equal(second.probe, true);
    // This holder crashes without settling: the probe lease runs out.
    const other = guardWith(dir, clock);
    assert.equal(skipOf(other.gate(m, 10)).code, 'probe_in_flight');
    g.close();
    clock.advance(60_000);
    assert.equal(admitOk(other, m).probe, true);
    other.close();
    g = guardWith(dir, clock);
  });

  it('does not count a 400 or a 429 as ill health', () => {
    for (let i = 0; i < 10; i++) g.settle(admitOk(g, m), { ok: false, error: failure('bad_request', { status: 400 }) });
    assert.equal(g.gate(m, 10).ok, true);
  });

  it('is configurable (switchyard.reliability.breaker)', () => {
    const h = guardWith(dir, clock, { breaker: { consecutiveConnectFailures: 1, cooldownMs: 5_000 } });
    const x = cloud('openai', 'gpt-4o');
    h.settle(admitOk(h, x), { ok: false, error: failure('network') });
    assert.equal((skipOf(h.gate(x, 10)) as { nextSlotMs: number }).nextSlotMs, 5_000);
    h.close();
  });
});

describe('provider guard: status snapshot', () => {
  it('reports state, percentiles, success rate, today against quota, last error and switches', () => {
    const dir = tempGuardDir();
    const clock = testClock();
    const g = guardWith(dir, clock, {}, { keyFingerprint: () => 'k' });
    try {
      for (let i = 1; i <= 15; i++) g.settle(admitOk(g, gemini, 10), { ok: true, tokens: 50, ttftMs: i * 10, totalMs: i * 100 });
      g.settle(admitOk(g, groq), { ok: false, error: failure('auth', { status: 401, message: 'Groq rejected the API key (401 invalid_api_key).' }) });
      g.noteSwitch(groq.ref, gemini.ref, 'auth');
      g.setLoading({ provider: 'ollama', model: 'llama3.2' }, true);
      const s = g.statusSnapshot([{ ref: { provider: 'ollama', model: 'llama3.2' }, locality: 'local' }]);
      const byId = Object.fromEntries(s.providers.map((p) => [p.provider, p]));
      assert.equal(byId.groq!.state, 'needs_key');
      assert.equal(byId.groq!.switchesToday, 1);
      assert.deepEqual(byId.groq!.lastError && { kind: byId.groq!.lastError.kind, message: byId.groq!.lastError.message }, { kind: 'auth', message: 'Groq rejected the API key (401 invalid_api_key).' });
      assert.equal(byId.groq!.successRate, 0);
      const gem = byId.gemini!;
      // 15 requests this minute: the limit.
      assert.equal(gem.state, 'waiting_for_quota');
      assert.match(gem.reason!, /15\/15 requests this minute/);
      assert.deepEqual(gem.ttftMs, { p50: 80, p95: 150 });
      assert.deepEqual(gem.totalMs, { p50: 800, p95: 1_500 });
      assert.equal(gem.successRate, 1);
      assert.deepEqual(gem.models[0]!.today, { requests: 15, tokens: 750, requestLimit: 1_500 });
      assert.equal(byId.ollama!.state, 'loading');
      assert.doesNotThrow(() => JSON.stringify(s));
    } finally {
      g.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('provider guard: an unusable state directory', () => {
  it('fails open: requests go on unguarded, and the problem is logged once', () => {
    const root = tempGuardDir();
    const blocked = path.join(root, 'not-a-dir');
    fs.writeFileSync(blocked, 'a file where the directory should be');
    const warnings: string[] = [];
    const clock = testClock();
    const g = guardWith(blocked, clock, {}, { logger: { info() {}, error() {}, warn: (event: string) => void warnings.push(event) } });
    try {
      assert.equal(g.gate(groq, 10).ok, true);
      const a = g.admit(groq, 10);
      assert.ok(a.ok && a.lease.unguarded);
      g.settle(a.lease, { ok: true });
      assert.equal(g.gate(groq, 10).ok, true);
      assert.deepEqual(warnings, ['guard.unavailable']);
    } finally {
      g.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

/**
 * Health checks (issue 18 point 4) with a manual clock: the interval, pause/resume and the
 * active() predicate, the probe feeding the breaker against the real Groq double (its
 * /v1/models), a recovered provider closing its breaker with the switch back logged, and the
 * paid 1-token completion probe off unless the provider is opted in.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { assembleCore, assembleHealthChecker } from '../../../src/core/assemble';
import { parseConfig } from '../../../src/core/config';
import { createHealthChecker, healthTargetsOf, type HealthTarget } from '../../../src/core/reliability/health';
import { parseReliabilitySettings } from '../../../src/core/reliability/settings';
import type { ReliabilityGuard } from '../../../src/core/reliability/guard';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../../servers/openaiCompatible';
import { makeProvider, recordingKeys } from '../providers/helpers';
import { recordingLogger } from '../router/helpers';
import { guardWith, tempGuardDir, testClock, type TestClock } from './helpers';

const KEY = 'gsk-health';
const MODEL = 'llama-3.3-70b-versatile';

function countingTarget(provider = 'groq'): HealthTarget & { probes: number; completions: number } {
  const t = {
    provider,
    locality: 'cloud' as const,
    models: [MODEL],
    probes: 0,
    completions: 0,
    probe: async () => void t.probes++,
    completion: async () => void t.completions++,
  };
  return t;
}

/** Lets the round the timer started finish (its probes are promises). */
const settle = () => new Promise((r) => setImmediate(r));

describe('reliability: health checks', function () {
  this.timeout(20_000);
  let dir: string;
  let clock: TestClock;
  let guard: ReliabilityGuard;

  beforeEach(() => {
    dir = tempGuardDir();
    clock = testClock();
  });
  afterEach(() => {
    guard?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('probes every 60 s by default, and every intervalMs when set', async () => {
    guard = guardWith(dir, clock);
    const t = countingTarget();
    const hc = createHealthChecker({ guard, targets: () => [t], timers: clock.timers, now: clock.now });
    hc.start();
    clock.advance(59_999);
    await settle();
    assert.equal(t.probes, 0, 'nothing during activation or before the first interval');
    clock.advance(1);
    await settle();
    assert.equal(t.probes, 1);
    for (let i = 0; i < 2; i++) {
      clock.advance(60_000);
      await settle();
    }
    assert.equal(t.probes, 3);
    hc.stop();
    assert.equal(clock.timers.pending().filter((x) => x.repeat).length, 0, 'stop leaves no interval behind');

    guard.updateSettings(parseReliabilitySettings({ health: { intervalMs: 10_000 } }).settings);
    const t2 = countingTarget();
    const hc2 = createHealthChecker({ guard, targets: () => [t2], timers: clock.timers, now: clock.now });
    hc2.start();
    for (let i = 0; i < 3; i++) {
      clock.advance(10_000);
      await settle();
    }
    assert.equal(t2.probes, 3);
    hc2.stop();
  });

  it('runs no probe while paused (no timer either), and resumes the rounds', async () => {
    guard = guardWith(dir, clock);
    const t = countingTarget();
    const hc = createHealthChecker({ guard, targets: () => [t], timers: clock.timers, now: clock.now });
    hc.start();
    hc.pause();
    assert.equal(clock.timers.pending().length, 0, 'no timer runs while paused');
    clock.advance(10 * 60_000);
    await settle();
    assert.equal(t.probes, 0);
    hc.resume();
    clock.advance(60_000);
    await settle();
    assert.equal(t.probes, 1);
    hc.stop();
  });

  it('skips the rounds while active() is false (host idle or hidden), and catches up on resume', async () => {
    guard = guardWith(dir, clock);
    const t = countingTarget();
    let focused = false;
    const hc = createHealthChecker({ guard, targets: () => [t], timers: clock.timers, now: clock.now, active: () => focused });
    hc.start();
    clock.advance(180_000);
    await settle();
    assert.equal(t.probes, 0);
    hc.pause();
    focused = true;
    hc.resume();
    await settle();
    assert.equal(t.probes, 1, 'a round held back runs at once when the window comes back');
    hc.stop();
  });

  it('turns off with intervalMs 0, and names a bad interval with the default in force', () => {
    const off = parseReliabilitySettings({ health: { intervalMs: 0 } });
    assert.equal(off.settings.health.intervalMs, 0);
    guard = guardWith(dir, clock, { health: { intervalMs: 0 } });
    const hc = createHealthChecker({ guard, targets: () => [countingTarget()], timers: clock.timers, now: clock.now });
    hc.start();
    assert.equal(clock.timers.pending().length, 0);
    const bad = parseReliabilitySettings({ health: { intervalMs: 10, completionProbe: 'groq' } });
    assert.equal(bad.settings.health.intervalMs, 60_000);
    assert.deepEqual(bad.settings.health.completionProbe, []);
    assert.deepEqual(bad.problems.map((p) => p.setting).sort(), ['switchyard.reliability.health.completionProbe', 'switchyard.reliability.health.intervalMs']);
  });

  it('the 1-token completion probe is off by default and runs only for an opted-in provider', async () => {
    guard = guardWith(dir, clock);
    const groq = countingTarget('groq');
    const gemini = countingTarget('gemini');
    const hc = createHealthChecker({ guard, targets: () => [groq, gemini], timers: clock.timers, now: clock.now });
    const r1 = await hc.checkNow();
    assert.deepEqual([groq.completions, gemini.completions, groq.probes, gemini.probes], [0, 0, 1, 1]);
    assert.deepEqual(r1.map((r) => r.probe), ['list', 'list']);
    guard.updateSettings(parseReliabilitySettings({ health: { completionProbe: ['gemini'] } }).settings);
    const r2 = await hc.checkNow();
    assert.deepEqual([groq.completions, gemini.completions], [0, 1]);
    assert.deepEqual(r2.map((r) => r.probe), ['list', 'completion']);
  });

  describe('against the Groq double', () => {
    let server: OpenAICompatibleServer;
    afterEach(async () => server?.close());

    const targetsFor = (baseUrl: string) => {
      const origin = new URL(baseUrl).origin;
      const provider = makeProvider('groq', { kind: 'openai-compatible', vendor: 'groq', baseUrl, locality: 'cloud', models: [MODEL] }, recordingKeys({ [`groq ${origin}`]: KEY }));
      return healthTargetsOf([{ id: 'groq', provider, models: [MODEL] }]);
    };

    it('a healthy cloud provider gets one GET /models per round and no completion; nothing is counted against its quota', async () => {
      server = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: KEY, models: [MODEL] });
      guard = guardWith(dir, clock);
      const targets = targetsFor(server.baseUrl);
      const hc = createHealthChecker({ guard, targets: () => targets, timers: clock.timers, now: clock.now });
      const [r] = await hc.checkNow();
      assert.equal(r!.ok, true, r!.error);
      assert.deepEqual(server.requests.map((q) => `${q.method} ${q.path}`), ['GET /openai/v1/models']);
      const st = guard.statusSnapshot([{ ref: { provider: 'groq', model: MODEL }, locality: 'cloud' }]);
      assert.equal(JSON.stringify(st).includes('"requestsToday":1'), false, 'a free probe takes no request slot');
    });

    it('assembleHealthChecker probes every configured provider of the assembled core', async () => {
      server = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: KEY, models: [MODEL] });
      guard = guardWith(dir, clock);
      const { config } = parseConfig({ providers: { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: server.baseUrl, locality: 'cloud', models: [MODEL] } } });
      const keys = { getKey: async () => KEY };
      const core = assembleCore({ config }, { keys, logger: recordingLogger(), env: { SWITCHYARD_STATE_DIR: dir }, spendGuard: null, local: null, escalate: false });
      try {
        const hc = assembleHealthChecker(core.switchyard, guard, { logger: recordingLogger(), timers: clock.timers });
        const results = await hc.checkNow();
        assert.deepEqual(results.map((r) => [r.provider, r.ok, r.probe]), [['groq', true, 'list']]);
        assert.deepEqual(server.requests.map((q) => q.path), ['/openai/v1/models']);
      } finally {
        core.dispose();
      }
    });

    it('a rejected key is not a health failure: the breaker is not fed', async () => {
      server = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: 'another-key', models: [MODEL] });
      guard = guardWith(dir, clock);
      const targets = targetsFor(server.baseUrl);
      const hc = createHealthChecker({ guard, targets: () => targets, timers: clock.timers, now: clock.now });
      for (let i = 0; i < 5; i++) assert.equal((await hc.checkNow())[0]!.ok, false);
      assert.deepEqual(guard.gate({ ref: { provider: 'groq', model: MODEL }, locality: 'cloud' }, 0), { ok: true, probe: false });
    });

    it('failing probes open the breaker; once the provider is back, a probe closes it and the switch back is logged', async () => {
      server = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: KEY, models: [MODEL] });
      const port = server.port;
      const baseUrl = server.baseUrl;
      await server.close();
      const logger = recordingLogger();
      guard = guardWith(dir, clock, {}, { logger });
      const targets = targetsFor(baseUrl);
      const hc = createHealthChecker({ guard, targets: () => targets, timers: clock.timers, now: clock.now, logger });
      const groq = { ref: { provider: 'groq', model: MODEL }, locality: 'cloud' as const };
      for (let i = 0; i < 3; i++) {
        const [r] = await hc.checkNow();
        assert.equal(r!.ok, false);
      }
      const shut = guard.gate(groq, 0);
      assert.equal(shut.ok ? 'ok' : shut.reason.code, 'breaker_open', 'three connect failures in a row open it');

      server = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: KEY, models: [MODEL], port });
      const early = await hc.checkNow();
      assert.deepEqual(early[0]!.recovered, [], 'still cooling down: the probe leaves the breaker alone');
      assert.equal((guard.gate(groq, 0) as { ok: boolean }).ok, false);

      clock.advance(30_000);
      const [r] = await hc.checkNow();
      assert.equal(r!.ok, true, r!.error);
      assert.deepEqual(r!.recovered, [{ provider: 'groq', model: MODEL }]);
      assert.deepEqual(guard.gate(groq, 0), { ok: true, probe: false }, 'closed: back in service without a user request');
      const line = logger.lines.find((l) => l.event === 'health.recovered');
      assert.ok(line, 'the switch back is logged');
      assert.equal(line.fields?.ref, `groq/${MODEL}`);
    });
  });
});

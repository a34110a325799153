/**
 * The provider guard wired into the real router (createSwitchyard's providerGuard:
 * createProviderGuard), against the protocol-faithful doubles: retry-after honoured with one retry on
 * the same provider, no retry on Zhipu 1113 and 401 (and the provider skipped on the next
 * request), and the last candidate over its quota waiting for its slot or failing with it named.
 * Waits run on a virtual clock: each timer fires at once and moves the clock by its delay.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import type { ReliabilityGuard } from '../../../src/core/reliability/guard';
import { createProviderGuard } from '../../../src/core/reliability/routerGuard';
import { parseReliabilitySettings } from '../../../src/core/reliability/settings';
import { createSwitchyard } from '../../../src/core/switchyard';
import type { Timers } from '../../../src/core/timers';
import type { RouteRequest, StreamEvent } from '../../../src/core/types';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import { collect, config, memoryKeyStore, recordingLogger, textOf } from '../router/helpers';
import { tempGuardDir } from './helpers';

const GROQ_KEY = 'gsk-test';
const ZHIPU_KEY = 'zp-test';
const GROQ = 'groq/llama-3.3-70b-versatile';
const ZHIPU = 'zhipu/glm-4-flash';

/** Timers that fire on the next turn of the event loop, moving the virtual clock by their delay. */
function virtualClock(start = new Date(2026, 11, 2, 12).getTime()) {
  const clock = { t: start, waited: [] as number[] };
  const timers: Timers = {
    setTimeout: (cb, ms) => {
      const h = setImmediate(() => {
        clock.t += ms;
        clock.waited.push(ms);
        cb();
      });
      return { id: h } as never;
    },
    clearTimeout: (h) => {
      if (h) clearImmediate((h as unknown as { id: NodeJS.Immediate }).id);
    },
    // Lease renewals: not needed within one test's virtual minutes.
    setInterval: () => ({}),
    clearInterval: () => undefined,
  };
  return { clock, timers, now: () => clock.t };
}

describe('reliability: the guard in the real router', function () {
  this.timeout(20_000);
  let groq: OpenAICompatibleServer;
  let zhipu: OpenAICompatibleServer;
  let dir: string;
  let guard: ReliabilityGuard;
  let v: ReturnType<typeof virtualClock>;

  beforeEach(async () => {
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: GROQ_KEY, models: ['llama-3.3-70b-versatile'], reply: { text: 'Groq answer.' } });
    zhipu = await startOpenAICompatibleServer({ vendor: 'zhipu', apiKey: ZHIPU_KEY, models: ['glm-4-flash'], reply: { text: 'Zhipu answer.' } });
    dir = tempGuardDir();
    v = virtualClock();
  });
  afterEach(async () => {
    guard?.close();
    await Promise.all([groq.close(), zhipu.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function build(order: string[], settings: unknown = {}, groqKey = GROQ_KEY, only?: 'groq') {
    const logger = recordingLogger();
    const providerGuard = createProviderGuard({ dir, now: v.now, timers: v.timers, random: () => 0.5, logger, settings: parseReliabilitySettings(settings).settings, vendorOf: (p) => p });
    guard = providerGuard.reliability;
    const cfg = config({
      providers: {
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
        ...(only ? {} : { zhipu: { kind: 'openai-compatible', vendor: 'zhipu', baseUrl: zhipu.baseUrl, locality: 'cloud', models: ['glm-4-flash'] } }),
      },
      tasks: { chat: order },
    });
    const keys = memoryKeyStore({ [`groq@${new URL(groq.baseUrl).origin}`]: groqKey, [`zhipu@${zhipu.url}`]: ZHIPU_KEY });
    return { sy: createSwitchyard({ config: cfg, keys, logger, env: {}, providerGuard }), logger };
  }
  const request = (): RouteRequest => ({ messages: [{ role: 'user', content: 'hello' }], task: 'chat', mode: 'cloud', workspaceId: 'ws', signal: new AbortController().signal });
  const chatCalls = (s: OpenAICompatibleServer) => s.requests.filter((r) => r.path.endsWith('/chat/completions')).length;
  const failovers = (events: StreamEvent[]) => events.flatMap((e) => (e.type === 'failover' ? [`${e.from.provider}->${e.to.provider}: ${e.error.message}`] : []));

  it("honours Groq's retry-after: waits exactly 8 s, retries Groq once, and answers from it", async () => {
    groq.enqueue({ error: 'rate_limit' });
    const { sy } = build([GROQ, ZHIPU]);
    const events = await collect(sy.stream(request()));
    assert.equal(textOf(events), 'Groq answer.');
    assert.equal(chatCalls(groq), 2);
    assert.equal(chatCalls(zhipu), 0);
    assert.deepEqual(v.clock.waited, [8_000]);
    assert.equal(failovers(events).length, 1, 'the retry is reported');
  });

  it('does not retry Zhipu 1113: fails over at once, and skips Zhipu (out of credit) on the next request', async () => {
    zhipu.setReply({ error: 'quota' });
    const { sy } = build([ZHIPU, GROQ]);
    const first = await collect(sy.stream(request()));
    assert.equal(textOf(first), 'Groq answer.');
    assert.equal(chatCalls(zhipu), 1, 'never retried');
    const second = await collect(sy.stream(request()));
    assert.equal(textOf(second), 'Groq answer.');
    assert.equal(chatCalls(zhipu), 1, 'not called again');
    assert.match(failovers(second)[0]!, /zhipu: out of credit until tomorrow/);
    assert.deepEqual(v.clock.waited, []);
    assert.equal(guard.statusSnapshot().providers.find((p) => p.provider === 'zhipu')?.state, 'out_of_credit');
  });

  it('does not retry a 401: fails over at once, and skips Groq (needs key) on the next request', async () => {
    const { sy } = build([GROQ, ZHIPU], {}, 'wrong-key');
    await collect(sy.stream(request()));
    const second = await collect(sy.stream(request()));
    assert.equal(textOf(second), 'Zhipu answer.');
    assert.equal(chatCalls(groq), 1);
    assert.match(failovers(second)[0]!, /groq: the API key was rejected/);
  });

  it('retries a 500 with backoff (full jitter: 0.5 × 1 s, then 0.5 × 2 s), then moves on after 3 attempts', async () => {
    groq.setReply({ error: 'server' });
    const { sy } = build([GROQ, ZHIPU]);
    const events = await collect(sy.stream(request()));
    assert.equal(textOf(events), 'Zhipu answer.');
    assert.equal(chatCalls(groq), 3);
    assert.deepEqual(v.clock.waited, [500, 1_000]);
  });

  it('the last candidate over its quota waits for its slot within the limit, or fails naming the slot', async () => {
    const { sy } = build([GROQ], { quotas: { 'groq/*': { requestsPerMinute: 1 } } }, GROQ_KEY, 'groq');
    assert.equal(textOf(await collect(sy.stream(request()))), 'Groq answer.');
    const refused = await collect(sy.stream(request()));
    const err = refused.find((e) => e.type === 'error');
    assert.ok(err && err.type === 'error');
    assert.match(err.error.message, /groq\/llama-3.3-70b-versatile: 1\/1 requests this minute, next slot in 60 s \(longer than the 10 s wait allowed\)/);
    assert.equal(chatCalls(groq), 1);
    guard.close();
    const again = build([GROQ], { quotas: { 'groq/*': { requestsPerMinute: 1 } }, waitForSlotMs: 60_000 }, GROQ_KEY, 'groq');
    const waited = await collect(again.sy.stream(request()));
    assert.equal(textOf(waited), 'Groq answer.');
    assert.equal(chatCalls(groq), 2);
    const total = v.clock.waited.reduce((a, b) => a + b, 0);
    assert.ok(total >= 59_000 && total <= 60_000, `waited ${total} ms of virtual time`);
  });
});

/**
 * The ProviderGuard seam (src/core/router/guard.ts) against the protocol-faithful doubles: a
 * skip moves on to the next candidate and says why, every admitted attempt is settled exactly
 * once with what happened, a retry asked for in settle is honoured only before the first token,
 * and a broken guard does not stop routing. The guard here is a small real implementation of
 * the interface that records every call (quotas and breakers themselves are issue 18's).
 */
import assert from 'node:assert/strict';
import type { GateVerdict, GuardLease, GuardOutcome, GuardRequest, ProviderGuard, SettleVerdict } from '../../../src/core/router/guard';
import { createSwitchyard } from '../../../src/core/switchyard';
import { type RouteRequest, type StreamEvent, formatModelRef } from '../../../src/core/types';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import { collect, config, memoryKeyStore, recordingLogger, textOf, types } from './helpers';

const GROQ_KEY = 'gsk-test';
const ZHIPU_KEY = 'zp-test';
const GROQ = 'groq/llama-3.3-70b-versatile';
const ZHIPU = 'zhipu/glm-4-flash';

class RecordingProviderGuard implements ProviderGuard {
  gates: GuardRequest[] = [];
  admits: GuardRequest[] = [];
  settles: { ref: string; outcome: GuardOutcome }[] = [];
  constructor(
    private readonly opts: {
      skip?: (ref: string) => string | undefined;
      retry?: (ref: string, outcome: GuardOutcome, settled: number) => boolean;
      throwIn?: 'gate' | 'admit' | 'settle';
    } = {},
  ) {}
  gate(req: GuardRequest): GateVerdict {
    this.gates.push(req);
    if (this.opts.throwIn === 'gate') throw new Error('gate exploded');
    const reason = this.opts.skip?.(formatModelRef(req.candidate.ref));
    return reason ? { ok: false, reason, kind: 'rate_limit', retryAfterMs: 12_000 } : { ok: true };
  }
  async admit(req: GuardRequest): Promise<GuardLease> {
    this.admits.push(req);
    if (this.opts.throwIn === 'admit') throw new Error('admit exploded');
    return { candidate: req.candidate };
  }
  async settle(lease: GuardLease, outcome: GuardOutcome): Promise<SettleVerdict | void> {
    const ref = formatModelRef(lease.candidate.ref);
    this.settles.push({ ref, outcome });
    if (this.opts.throwIn === 'settle') throw new Error('settle exploded');
    if (this.opts.retry?.(ref, outcome, this.settles.length)) return { retry: true };
  }
}

describe('router: the ProviderGuard seam', function () {
  this.timeout(15_000);
  let groq: OpenAICompatibleServer;
  let zhipu: OpenAICompatibleServer;

  beforeEach(async () => {
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: GROQ_KEY, models: ['llama-3.3-70b-versatile'], reply: { text: 'Groq answer.' } });
    zhipu = await startOpenAICompatibleServer({ vendor: 'zhipu', apiKey: ZHIPU_KEY, models: ['glm-4-flash'], reply: { text: 'Zhipu answer.' } });
  });
  afterEach(async () => {
    await Promise.all([groq.close(), zhipu.close()]);
  });

  function build(providerGuard: ProviderGuard) {
    const logger = recordingLogger();
    const cfg = config({
      providers: {
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
        zhipu: { kind: 'openai-compatible', vendor: 'zhipu', baseUrl: zhipu.baseUrl, locality: 'cloud', models: ['glm-4-flash'] },
      },
      tasks: { chat: [GROQ, ZHIPU] },
    });
    const keys = memoryKeyStore({ [`groq@${new URL(groq.baseUrl).origin}`]: GROQ_KEY, [`zhipu@${zhipu.url}`]: ZHIPU_KEY });
    return { sy: createSwitchyard({ config: cfg, keys, logger, env: {}, providerGuard }), logger };
  }
  const request = (extra: Partial<RouteRequest> = {}): RouteRequest => ({
    messages: [{ role: 'user', content: 'hello' }],
    task: 'chat',
    mode: 'cloud',
    workspaceId: 'ws',
    signal: new AbortController().signal,
    ...extra,
  });
  const chatCalls = (s: OpenAICompatibleServer) => s.requests.filter((r) => r.path.endsWith('/chat/completions')).length;

  it('a skipped candidate is not called: the router tries the next one and reports the skip with its reason', async () => {
    const guard = new RecordingProviderGuard({ skip: (ref) => (ref === GROQ ? 'groq: 30/30 requests this minute, next slot in 12 s' : undefined) });
    const { sy, logger } = build(guard);
    const events = await collect(sy.stream(request()));

    assert.deepEqual(types(events), ['decision', 'failover', 'start', 'text', 'usage', 'finish', 'done']);
    const failover = events[1] as Extract<StreamEvent, { type: 'failover' }>;
    assert.deepEqual([formatModelRef(failover.from), formatModelRef(failover.to)], [GROQ, ZHIPU]);
    assert.equal(failover.error.message, 'groq: 30/30 requests this minute, next slot in 12 s');
    assert.equal(failover.error.kind, 'rate_limit');
    assert.equal(failover.error.retryAfterMs, 12_000);
    assert.equal(textOf(events), 'Zhipu answer.');
    assert.equal(chatCalls(groq), 0, 'no byte to a skipped provider');
    assert.ok(logger.lines.some((l) => l.event === 'route.skipped' && l.fields?.ref === GROQ));

    // Asked before every attempt; only the candidate that went was admitted, and settled once with what happened.
    assert.deepEqual(guard.gates.map((g) => [formatModelRef(g.candidate.ref), g.attempt, g.remaining]), [
      [GROQ, 1, 1],
      [ZHIPU, 1, 0],
    ]);
    assert.ok(guard.gates[0]!.inputTokensEstimate > 0);
    assert.equal(guard.gates[0]!.requestId, guard.gates[1]!.requestId);
    assert.deepEqual(guard.admits.map((a) => formatModelRef(a.candidate.ref)), [ZHIPU]);
    assert.equal(guard.settles.length, 1);
    const settled = guard.settles[0]!;
    assert.equal(settled.ref, ZHIPU);
    assert.equal(settled.outcome.finish, 'stop');
    assert.equal(settled.outcome.started, true);
    assert.ok(settled.outcome.usage && settled.outcome.usage.outputTokens > 0);
    assert.ok(settled.outcome.timing && settled.outcome.timing.totalMs >= 0);
  });

  it('when the guard skips every candidate the request ends with the last skip as its error, and nothing is called', async () => {
    const guard = new RecordingProviderGuard({ skip: (ref) => `${ref}: circuit open` });
    const events = await collect(build(guard).sy.stream(request()));
    assert.deepEqual(types(events), ['decision', 'failover', 'error', 'done']);
    const error = events[2] as Extract<StreamEvent, { type: 'error' }>;
    assert.equal(error.error.message, `${ZHIPU}: circuit open`);
    assert.equal(chatCalls(groq) + chatCalls(zhipu), 0);
    assert.equal(guard.admits.length + guard.settles.length, 0);
  });

  it('settle is told of a failure before the first token, and a retry it asks for tries the same candidate again', async () => {
    groq.enqueue({ error: 'server' });
    const guard = new RecordingProviderGuard({ retry: (ref, outcome) => ref === GROQ && outcome.error?.kind === 'server' });
    const events = await collect(build(guard).sy.stream(request()));

    assert.deepEqual(types(events), ['decision', 'start', 'finish', 'failover', 'start', 'text', 'usage', 'finish', 'done']);
    const retry = events[3] as Extract<StreamEvent, { type: 'failover' }>;
    assert.deepEqual([formatModelRef(retry.from), formatModelRef(retry.to)], [GROQ, GROQ]);
    assert.equal(retry.error.kind, 'server');
    assert.equal(textOf(events), 'Groq answer.');
    assert.equal(chatCalls(groq), 2);
    assert.equal(chatCalls(zhipu), 0);
    assert.deepEqual(guard.settles.map((s) => [s.ref, s.outcome.finish, s.outcome.error?.kind, s.outcome.started]), [
      [GROQ, 'error', 'server', false],
      [GROQ, 'stop', undefined, true],
    ]);
    assert.deepEqual(guard.gates.map((g) => g.attempt), [1, 2]);
  });

  it('a retry is not honoured after the first token: the partial answer ends with its error', async () => {
    groq.enqueue({ text: ['Partial ', 'answer'], midStreamError: { error: { message: 'upstream reset', type: 'server_error', code: null } } });
    const guard = new RecordingProviderGuard({ retry: () => true });
    const events = await collect(build(guard).sy.stream(request()));
    assert.deepEqual(types(events), ['decision', 'start', 'text', 'finish', 'error', 'done']);
    assert.equal(chatCalls(groq), 1);
    assert.deepEqual(guard.settles.map((s) => [s.outcome.finish, s.outcome.started]), [['error', true]]);
  });

  it('a caller that walks away mid-stream still settles the lease once, as cancelled', async () => {
    groq.enqueue({ text: Array.from({ length: 80 }, (_, i) => `w${i} `), chunking: { delayMs: 20 } });
    const guard = new RecordingProviderGuard();
    const { sy } = build(guard);
    for await (const ev of sy.stream(request())) if (ev.type === 'text') break;
    assert.deepEqual(guard.settles.map((s) => [s.ref, s.outcome.finish, s.outcome.started]), [[GROQ, 'cancelled', true]]);
  });

  for (const step of ['gate', 'admit', 'settle'] as const) {
    it(`a guard whose ${step} throws does not stop routing; the failure is logged`, async () => {
      const { sy, logger } = build(new RecordingProviderGuard({ throwIn: step }));
      const events = await collect(sy.stream(request()));
      assert.deepEqual(types(events), ['decision', 'start', 'text', 'usage', 'finish', 'done']);
      assert.equal(textOf(events), 'Groq answer.');
      assert.ok(logger.lines.some((l) => l.event === 'route.guard_failed' && l.fields?.step === step && /exploded/.test(String(l.fields?.message))));
    });
  }
});

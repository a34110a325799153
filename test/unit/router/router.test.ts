/**
 * The router loop against the protocol-faithful doubles: event order and timing, failover on
 * real provider errors, errors after the first token, cancellation at the socket, and the
 * SpendGuard / EscalationHook contracts (with small real implementations of our own interfaces).
 */
import assert from 'node:assert/strict';
import { createSwitchyard } from '../../../src/core/switchyard';
import {
  type AnswerWatcher,
  type Candidate,
  type CostBreakdown,
  type EscalationHook,
  type Reservation,
  type RouteRequest,
  type SignalResult,
  type SpendGuard,
  type SpendRequest,
  type StreamEvent,
  SwitchyardError,
  formatModelRef,
} from '../../../src/core/types';
import { type OllamaServer, startOllamaServer } from '../../servers/ollama';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import { closedPort, collect, config, memoryKeyStore, recordingLogger, textOf, types } from './helpers';

const GROQ_KEY = 'gsk-test';
const ZHIPU_KEY = 'zp-test';
const PROMPT = 'please keep this prompt text out of the logs';

/** A budget that records every call and can refuse some candidates: the SpendGuard contract, for real. */
class RecordingGuard implements SpendGuard {
  reserves: SpendRequest[] = [];
  settles: { ref: string; finish: string; outputTokens?: number; outputText?: string }[] = [];
  constructor(private readonly opts: { refuse?: (r: SpendRequest) => boolean; lowerTo?: number } = {}) {}
  async reserve(req: SpendRequest): Promise<Reservation> {
    this.reserves.push(req);
    if (this.opts.refuse?.(req)) {
      throw new SwitchyardError({ kind: 'budget', message: `Today's budget is spent ($1.00 of $1.00): ${formatModelRef(req.ref)} not called.`, retryable: false });
    }
    const maxTokens = this.opts.lowerTo !== undefined ? Math.min(req.maxTokens, this.opts.lowerTo) : req.maxTokens;
    return {
      id: `res-${this.reserves.length}`,
      maxTokens,
      notice: maxTokens < req.maxTokens ? `max_tokens lowered to ${maxTokens} to fit the budget` : undefined,
      settle: async (o): Promise<CostBreakdown> => {
        this.settles.push({ ref: formatModelRef(req.ref), finish: o.finish, outputTokens: o.usage?.outputTokens, outputText: o.outputText });
        return { currency: 'USD', inputUsd: 0, outputUsd: 0.001, totalUsd: 0.001, estimated: false, priceSource: 'test' };
      },
    };
  }
}

/** An escalation hook that fires on the word UNCERTAIN; the EscalationHook contract, for real. */
function markerHook(answer: boolean | (() => Promise<boolean>)) {
  const calls = { confirm: [] as { reasons: SignalResult[]; next: Candidate }[], finished: [] as string[] };
  const hook: EscalationHook = {
    systemPromptFor: (task, locality) => (locality === 'local' ? 'If unsure, reply UNCERTAIN.' : undefined),
    watch(): AnswerWatcher {
      let text = '';
      const marker = (): SignalResult => ({ signal: 'marker', fired: text.includes('UNCERTAIN'), explanation: 'the model answered UNCERTAIN' });
      return {
        onText(delta) {
          text += delta;
          const r = marker();
          return r.fired ? [r] : undefined;
        },
        onFinish(finalText) {
          calls.finished.push(finalText);
          return [marker()];
        },
      };
    },
    async confirm(reasons, next) {
      calls.confirm.push({ reasons, next });
      return typeof answer === 'function' ? answer() : answer;
    },
  };
  return { hook, calls };
}

describe('router loop', function () {
  this.timeout(15_000);
  let ollama: OllamaServer;
  let groq: OpenAICompatibleServer;
  let zhipu: OpenAICompatibleServer;

  beforeEach(async () => {
    ollama = await startOllamaServer({ models: ['qwen2.5-coder:7b'], reply: { text: 'Local answer.' } });
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: GROQ_KEY, models: ['llama-3.3-70b-versatile'], reply: { text: 'Groq answer.' } });
    zhipu = await startOpenAICompatibleServer({ vendor: 'zhipu', apiKey: ZHIPU_KEY, models: ['glm-4-flash'], reply: { text: 'Zhipu answer.' } });
  });
  afterEach(async () => {
    await Promise.all([ollama.close(), groq.close(), zhipu.close()]);
  });

  function build(opts: { extra?: Record<string, unknown>; groqKey?: string; groqUrl?: string; spendGuard?: SpendGuard; escalation?: EscalationHook; ollamaTimeoutMs?: number } = {}) {
    const logger = recordingLogger();
    const groqUrl = opts.groqUrl ?? groq.baseUrl;
    const cfg = config({
      providers: {
        ollama: { kind: 'ollama', baseUrl: ollama.url, ...(opts.ollamaTimeoutMs !== undefined ? { timeoutMs: opts.ollamaTimeoutMs } : {}) },
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groqUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
        zhipu: { kind: 'openai-compatible', vendor: 'zhipu', baseUrl: zhipu.baseUrl, locality: 'cloud', models: ['glm-4-flash'] },
      },
      tasks: { chat: ['ollama/qwen2.5-coder:7b', 'groq/llama-3.3-70b-versatile', 'zhipu/glm-4-flash'] },
      ...opts.extra,
    });
    const keys = memoryKeyStore({ [`groq@${new URL(groqUrl).origin}`]: opts.groqKey ?? GROQ_KEY, [`zhipu@${zhipu.url}`]: ZHIPU_KEY });
    const sy = createSwitchyard({ config: cfg, keys, logger, env: {}, spendGuard: opts.spendGuard, escalation: opts.escalation });
    return { sy, logger };
  }
  const request = (extra: Partial<RouteRequest> = {}): RouteRequest => ({
    messages: [{ role: 'user', content: PROMPT }],
    task: 'chat',
    workspaceId: 'ws',
    signal: new AbortController().signal,
    ...extra,
  });

  it('emits decision, start, deltas, usage, finish, done with timing, and logs no prompt text', async () => {
    const { sy, logger } = build();
    const events = await collect(sy.stream(request()));
    assert.deepEqual(types(events), ['decision', 'start', 'text', 'usage', 'finish', 'done']);
    assert.equal(textOf(events), 'Local answer.');
    const finish = events.find((e) => e.type === 'finish')!;
    assert.ok(finish.type === 'finish' && finish.reason === 'stop');
    const t = finish.timing;
    assert.ok(t.ttftMs !== undefined && t.ttftMs >= 0 && t.ttftMs <= t.totalMs, JSON.stringify(t));
    assert.ok(t.tokensPerSecond !== undefined && t.tokensPerSecond > 0, JSON.stringify(t));
    const done = events.at(-1)!;
    assert.deepEqual(done, { type: 'done', attempts: 1, finalRef: { provider: 'ollama', model: 'qwen2.5-coder:7b' } });
    assert.ok(logger.lines.some((l) => l.event === 'route.decision'));
    assert.ok(!JSON.stringify(logger.lines).includes('keep this prompt'), 'no prompt text in the log');
  });

  /** Each way a first candidate fails before its first token, and the kind the failover reports. */
  const failures: { name: string; kind: string; setup: () => Promise<Parameters<typeof build>[0]> }[] = [
    { name: 'connection refused', kind: 'network', setup: async () => ({ groqUrl: `http://127.0.0.1:${await closedPort()}/openai/v1` }) },
    { name: 'HTTP 500', kind: 'server', setup: async () => (groq.enqueue({ error: 'server' }), {}) },
    { name: 'HTTP 429 rate limit', kind: 'rate_limit', setup: async () => (groq.enqueue({ error: 'rate_limit' }), {}) },
    { name: 'HTTP 401 bad key', kind: 'auth', setup: async () => ({ groqKey: 'gsk-wrong' }) },
    { name: 'model not found', kind: 'model_not_found', setup: async () => (groq.enqueue({ error: 'model_not_found' }), {}) },
  ];
  for (const f of failures) {
    it(`fails over on ${f.name} before the first token, saying why (${f.kind})`, async () => {
      const { sy, logger } = build(await f.setup());
      const events = await collect(sy.stream(request({ mode: 'cloud' })));
      assert.deepEqual(types(events), ['decision', 'start', 'finish', 'failover', 'start', 'text', 'usage', 'finish', 'done']);
      const failover = events.find((e) => e.type === 'failover')!;
      assert.ok(failover.type === 'failover');
      assert.equal(failover.error.kind, f.kind, failover.error.message);
      assert.deepEqual([formatModelRef(failover.from), formatModelRef(failover.to)], ['groq/llama-3.3-70b-versatile', 'zhipu/glm-4-flash']);
      assert.equal(textOf(events), 'Zhipu answer.');
      assert.equal((events.at(-1) as Extract<StreamEvent, { type: 'done' }>).finalRef?.provider, 'zhipu');
      // One loop owns retries: the failed provider was called once, not retried by its SDK.
      if (f.kind !== 'network') assert.equal(groq.requests.filter((r) => r.path.endsWith('/chat/completions')).length, 1);
      assert.ok(logger.lines.some((l) => l.event === 'route.failover' && l.fields?.kind === f.kind));
      assert.ok(!JSON.stringify(logger.lines).includes(GROQ_KEY) && !JSON.stringify(logger.lines).includes('gsk-wrong'), 'no key in the log');
    });
  }

  it('fails over from a failing local model to the cloud in auto mode', async () => {
    ollama.setBusy(true);
    const { sy } = build();
    const events = await collect(sy.stream(request()));
    const failover = events.find((e) => e.type === 'failover');
    assert.ok(failover?.type === 'failover' && failover.error.kind === 'overloaded' && failover.to.provider === 'groq');
    assert.equal(textOf(events), 'Groq answer.');
  });

  it('after the first token a failure ends the request with an error and keeps the partial text', async () => {
    groq.enqueue({ text: ['Partial ', 'answer'], midStreamError: { error: { message: 'upstream reset', type: 'server_error', code: null } } });
    const { sy } = build();
    const events = await collect(sy.stream(request({ mode: 'cloud' })));
    assert.deepEqual(types(events), ['decision', 'start', 'text', 'finish', 'error', 'done']);
    assert.equal(textOf(events), 'Partial answer');
    assert.equal(zhipu.requests.length, 0, 'no failover after the first token');
  });

  it('a failure no other model can fix (content filter) is not failed over', async () => {
    zhipu.enqueue({ error: 'content_filter' });
    const { sy } = build({ extra: { tasks: { chat: ['zhipu/glm-4-flash', 'groq/llama-3.3-70b-versatile'] } } });
    const events = await collect(sy.stream(request({ mode: 'cloud' })));
    const error = events.find((e) => e.type === 'error');
    assert.ok(error?.type === 'error' && error.error.kind === 'content_filter', JSON.stringify(error));
    assert.equal(groq.requests.length, 0);
  });

  it('says clearly when no candidate is left', async () => {
    const { sy } = build({ extra: { mode: 'local', tasks: { chat: ['ollama/llama3.1:70b'] } } });
    ollama.models.splice(0, ollama.models.length);
    const events = await collect(sy.stream(request()));
    assert.deepEqual(types(events), ['decision', 'error', 'done']);
    const error = events[1]!;
    assert.ok(error.type === 'error' && error.error.kind === 'local_only');
    assert.match(error.error.message, /not installed on ollama \(ollama pull llama3\.1:70b\)/);
  });

  it('cancellation stops at the socket, settles, ends with finish cancelled then done, and emits nothing after done', async () => {
    ollama.setReply({ text: Array.from({ length: 80 }, (_, i) => `w${i} `), chunking: { delayMs: 20 } });
    const guard = new RecordingGuard();
    const { sy } = build({ spendGuard: guard });
    const controller = new AbortController();
    const events: StreamEvent[] = [];
    for await (const ev of sy.stream(request({ signal: controller.signal }))) {
      events.push(ev);
      if (ev.type === 'text' && events.filter((e) => e.type === 'text').length === 3) controller.abort();
    }
    assert.deepEqual(types(events).slice(-4), ['text', 'cost', 'finish', 'done']);
    const finish = events.at(-2)!;
    assert.ok(finish.type === 'finish' && finish.reason === 'cancelled');
    assert.ok(events.filter((e) => e.type === 'text').length < 10, 'stopped promptly');
    const chat = await ollama.settled(ollama.requests.findIndex((r) => r.path === '/api/chat'));
    assert.equal(chat.aborted, true, 'the server saw the abort');
    assert.deepEqual(guard.settles.map((s) => s.finish), ['cancelled']);
    assert.equal(groq.requests.length + zhipu.requests.length, 0, 'a cancel is not a failover');
  });

  it('nothing is emitted after done, even to a caller that keeps asking', async () => {
    const { sy } = build();
    const it = sy.stream(request())[Symbol.asyncIterator]();
    let r = await it.next();
    while (!r.done && r.value.type !== 'done') r = await it.next();
    assert.equal(r.done ? undefined : r.value.type, 'done');
    assert.deepEqual(await it.next(), { done: true, value: undefined });
    assert.deepEqual(await it.next(), { done: true, value: undefined });
  });

  it('a request cancelled before it starts calls nothing and ends with done', async () => {
    const controller = new AbortController();
    controller.abort();
    const events = await collect(build().sy.stream(request({ signal: controller.signal })));
    assert.deepEqual(types(events), ['done']);
    assert.equal(ollama.requests.length, 0);
  });

  it('a caller that stops iterating early still aborts the request and settles the reservation', async () => {
    ollama.setReply({ text: Array.from({ length: 80 }, (_, i) => `w${i} `), chunking: { delayMs: 20 } });
    const guard = new RecordingGuard();
    const { sy } = build({ spendGuard: guard });
    for await (const ev of sy.stream(request())) if (ev.type === 'text') break;
    const chat = await ollama.settled(ollama.requests.findIndex((r) => r.path === '/api/chat'));
    assert.equal(chat.aborted, true);
    assert.deepEqual(guard.settles.map((s) => s.finish), ['cancelled']);
  });

  it('SpendGuard: reserve before each attempt, its max_tokens and notice are used, settle exactly once each, cost before finish', async () => {
    groq.enqueue({ error: 'server' });
    const guard = new RecordingGuard({ lowerTo: 64 });
    const { sy } = build({ spendGuard: guard });
    const events = await collect(sy.stream(request({ mode: 'cloud', maxTokens: 500 })));
    assert.deepEqual(
      guard.reserves.map((r) => [formatModelRef(r.ref), r.locality, r.maxTokens, r.task, r.workspaceId]),
      [
        ['groq/llama-3.3-70b-versatile', 'cloud', 500, 'chat', 'ws'],
        ['zhipu/glm-4-flash', 'cloud', 500, 'chat', 'ws'],
      ],
    );
    assert.ok(guard.reserves[0]!.inputTokensEstimate > 0);
    assert.equal(guard.reserves[0]!.requestId, guard.reserves[1]!.requestId, 'attempts of one request share its id');
    assert.deepEqual(guard.settles.map((s) => [s.ref, s.finish]), [
      ['groq/llama-3.3-70b-versatile', 'error'],
      ['zhipu/glm-4-flash', 'stop'],
    ]);
    assert.equal(guard.settles[1]!.outputText, 'Zhipu answer.');
    const zhipuBody = zhipu.requests.find((r) => r.path.endsWith('/chat/completions'))!.body;
    assert.equal(zhipuBody.max_tokens, 64, 'the reservation lowered max_tokens');
    const attempt2 = types(events.filter((e) => 'attempt' in e && e.attempt === 2));
    assert.deepEqual(attempt2, ['start', 'notice', 'text', 'usage', 'cost', 'finish']);
  });

  it('SpendGuard: a budget refusal skips that candidate with the reason; when none is left the error is "budget"', async () => {
    const guard = new RecordingGuard({ refuse: (r) => r.ref.provider === 'groq' });
    const { sy } = build({ spendGuard: guard });
    const events = await collect(sy.stream(request({ mode: 'cloud' })));
    const failover = events.find((e) => e.type === 'failover');
    assert.ok(failover?.type === 'failover' && failover.error.kind === 'budget' && failover.to.provider === 'zhipu');
    assert.equal(textOf(events), 'Zhipu answer.');
    assert.equal(groq.requests.length, 0, 'no byte to a refused provider');

    const broke = new RecordingGuard({ refuse: (r) => r.locality === 'cloud' });
    const all = await collect(build({ spendGuard: broke }).sy.stream(request({ mode: 'cloud' })));
    assert.deepEqual(types(all), ['decision', 'failover', 'error', 'done']);
    const error = all[2]!;
    assert.ok(error.type === 'error' && error.error.kind === 'budget' && /budget is spent/.test(error.error.message));
    assert.equal(broke.settles.length, 0, 'nothing reserved, nothing to settle');
  });

  it('EscalationHook: instruction added to the local system prompt, stream cut on a fired signal, confirm, escalate to cloud', async () => {
    ollama.setReply({ text: ['Hmm', ' UNCERTAIN', ...Array.from({ length: 50 }, (_, i) => ` more${i}`)], chunking: { delayMs: 15 } });
    const { hook, calls } = markerHook(true);
    const guard = new RecordingGuard();
    const { sy } = build({ escalation: hook, spendGuard: guard });
    const events = await collect(sy.stream(request({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: PROMPT }] })));
    assert.deepEqual(types(events), ['decision', 'start', 'text', 'cost', 'finish', 'escalate', 'start', 'text', 'usage', 'cost', 'finish', 'done']);
    assert.equal(textOf(events, 1), 'Hmm UNCERTAIN', 'no delta after the one that fired');
    const local = await ollama.settled(ollama.requests.findIndex((r) => r.path === '/api/chat'));
    assert.equal(local.aborted, true, 'the local request was aborted at the socket');
    assert.equal(local.body.messages[0].content, 'Be brief.\n\nIf unsure, reply UNCERTAIN.');
    assert.ok(!JSON.stringify(groq.requests[0]!.body.messages).includes('UNCERTAIN'), 'no local instruction for the cloud model');
    assert.equal(calls.confirm.length, 1);
    assert.equal(formatModelRef(calls.confirm[0]!.next.ref), 'groq/llama-3.3-70b-versatile');
    const escalate = events.find((e) => e.type === 'escalate')!;
    assert.ok(escalate.type === 'escalate' && escalate.reasons[0]!.signal === 'marker');
    assert.deepEqual(guard.reserves[1]!.escalatedFrom, { provider: 'ollama', model: 'qwen2.5-coder:7b' });
    assert.deepEqual(guard.settles.map((s) => s.finish), ['cancelled', 'stop']);
    assert.equal(textOf(events, 2), 'Groq answer.');
  });

  it('logs each router event once, with its request id: one event, one line (src/core/router/eventLog.ts)', async () => {
    // Escalated from local, then the cloud fails over: decision, starts, cost, finish, escalate, failover, notice…
    ollama.setReply({ text: ['Hmm', ' UNCERTAIN'] });
    groq.enqueue({ error: 'rate_limit' });
    const { hook } = markerHook(true);
    const guard = new RecordingGuard();
    const { sy, logger } = build({ escalation: hook, spendGuard: guard, extra: { tasks: { chat: ['ollama/qwen2.5-coder:7b', 'groq/llama-3.3-70b-versatile', 'zhipu/glm-4-flash'] } } });
    // The surface's own id (the panel passes turn.run) names the router's lines.
    const events = await collect(sy.stream({ ...request(), requestId: 't1.r1' }));
    const logged: Record<string, string> = { decision: 'route.decision', start: 'route.attempt', notice: 'route.notice', cost: 'route.cost', finish: 'route.finish', failover: 'route.failover', escalate: 'route.escalate', error: 'route.error' };
    const seen = new Set(events.map((e) => e.type));
    for (const type of ['decision', 'start', 'cost', 'finish', 'escalate', 'failover']) assert.ok(seen.has(type as StreamEvent['type']), `the run has a ${type} event: ${types(events).join(' ')}`);
    for (const [type, line] of Object.entries(logged)) {
      assert.equal(logger.lines.filter((l) => l.event === line).length, events.filter((e) => e.type === type).length, `${type} events ↔ ${line} lines`);
    }
    const requestIds = new Set(logger.lines.filter((l) => l.event.startsWith('route.')).map((l) => l.fields?.requestId));
    assert.deepEqual([...requestIds], ['t1.r1'], 'every line names the one request');
    // Per-token events are not logged.
    assert.equal(logger.lines.filter((l) => /text|thinking|usage/.test(l.event)).length, 0);
  });

  it('no surface logs router events again: route.* lines are written only by the core', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));
    const offenders = [...files('src/vscode'), ...files('src/cli')].filter((f) => /\.(info|warn|error)\(\s*['"]route\./.test(readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('EscalationHook: a declined escalation lets the local answer finish and calls no cloud', async () => {
    ollama.setReply({ text: ['Maybe', ' UNCERTAIN', ' but', ' here', ' it', ' is.'] });
    const { hook, calls } = markerHook(false);
    const { sy } = build({ escalation: hook });
    const events = await collect(sy.stream(request()));
    assert.equal(textOf(events), 'Maybe UNCERTAIN but here it is.');
    assert.equal(calls.confirm.length, 1, 'asked once');
    assert.equal(groq.requests.length, 0);
    assert.deepEqual((events.at(-1) as Extract<StreamEvent, { type: 'done' }>).finalRef?.provider, 'ollama');
  });

  it('EscalationHook: a confirm slower than the idle limit is not blamed on the provider; the rest of the local answer still streams', async () => {
    // One network chunk: the delta that fires and the rest are already read when the router pauses to ask.
    ollama.setReply({ text: ['Maybe', ' UNCERTAIN', ' but', ' here', ' it', ' is.'] });
    const { hook, calls } = markerHook(() => new Promise((resolve) => setTimeout(() => resolve(false), 700)));
    const { sy } = build({ escalation: hook, ollamaTimeoutMs: 300 });
    const events = await collect(sy.stream(request()));
    assert.equal(calls.confirm.length, 1);
    assert.equal(events.find((e) => e.type === 'error'), undefined);
    assert.equal(textOf(events), 'Maybe UNCERTAIN but here it is.');
    assert.equal((events.find((e) => e.type === 'finish') as Extract<StreamEvent, { type: 'finish' }>).reason, 'stop');
  });

  it('EscalationHook: a signal at finish (onFinish) escalates too', async () => {
    const { hook, calls } = markerHook(true);
    // The watcher above fires mid-stream; this hook only judges the final text.
    const finishOnly: EscalationHook = { ...hook, watch: () => ({ onText: () => undefined, onFinish: () => [{ signal: 'empty', fired: true, explanation: 'empty answer' }] }) };
    ollama.setReply({ text: [] });
    const events = await collect(build({ escalation: finishOnly }).sy.stream(request()));
    assert.ok(events.some((e) => e.type === 'escalate'));
    assert.equal(textOf(events, 2), 'Groq answer.');
    assert.equal(calls.confirm.length, 1);
  });

  it('EscalationHook in Local-only mode: never escalates, lets the answer finish, and says it would have', async () => {
    ollama.setReply({ text: ['UNCERTAIN', ' though', ' maybe', ' 42'] });
    const { hook, calls } = markerHook(true);
    const events = await collect(build({ escalation: hook, extra: { mode: 'local' } }).sy.stream(request()));
    assert.equal(textOf(events), 'UNCERTAIN though maybe 42');
    const notice = events.find((e) => e.type === 'notice');
    assert.ok(notice?.type === 'notice' && /Local-only mode: not escalating/.test(notice.message));
    assert.equal(calls.confirm.length, 0);
    assert.equal(groq.requests.length + zhipu.requests.length, 0);
  });

  it('never throws: a broken hook becomes an error event followed by done, and the reservation is settled', async () => {
    const broken: EscalationHook = {
      systemPromptFor: () => undefined,
      watch: () => {
        throw new Error('watcher exploded');
      },
      confirm: async () => false,
    };
    const guard = new RecordingGuard();
    const events = await collect(build({ escalation: broken, spendGuard: guard }).sy.stream(request()));
    assert.deepEqual(types(events).slice(-2), ['error', 'done']);
    const error = events.at(-2)!;
    assert.ok(error.type === 'error' && /watcher exploded/.test(error.error.message));
    assert.equal(guard.settles.length, 1);
  });
});

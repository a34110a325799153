/**
 * Escalation end to end: the real Switchyard (router, Ollama and OpenAI-compatible providers)
 * against the protocol-faithful local servers — an Ollama double as the local model and a
 * Groq double as the cloud — with the real escalation hook.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSpendGuard } from '../../../src/core/cost';
import { parseConfig } from '../../../src/core/config';
import { createEscalationHook, type ConfirmEscalation } from '../../../src/core/escalation/hook';
import { createSwitchyard } from '../../../src/core/switchyard';
import type { KeyStore, Mode, RouteRequest, StreamEvent, Task } from '../../../src/core/types';
import { silentLogger } from '../../../src/core/types';
import { startOllamaServer, type OllamaReply, type OllamaServer } from '../../servers/ollama';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../../servers/openaiCompatible';

const LOCAL = 'qwen2.5-coder:7b';
const CLOUD = 'llama-3.3-70b-versatile';
const CLOUD_KEY = 'gsk_test_escalation';
const CLOUD_ANSWER = 'Answer from the cloud model.';
/** ln(0.95): a confident token. */
const CONFIDENT = Math.log(0.95);
/** ln(0.1): a low-confidence token. */
const HESITANT = Math.log(0.1);

/** A confident, correct local answer, as explicit tokens (one NDJSON line each). */
const GOOD_ANSWER = 'Use structuredClone ( obj ) to deep - copy plain objects , arrays , maps and sets in modern runtimes .'.split(' ').map((t, i) => (i ? ` ${t}` : t));

describe('escalation end to end (router + providers + local test servers)', function () {
  this.timeout(20_000);
  let ollama: OllamaServer;
  let groq: OpenAICompatibleServer;

  beforeEach(async () => {
    ollama = await startOllamaServer({ models: [LOCAL] });
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: CLOUD_KEY, models: [CLOUD], reply: { text: CLOUD_ANSWER } });
  });
  afterEach(async () => {
    await Promise.all([ollama.close(), groq.close()]);
  });

  function switchyard(escalation: Parameters<typeof createEscalationHook>[0]['config'] = {}, confirm?: ConfirmEscalation) {
    const { config, problems } = parseConfig({
      providers: {
        ollama: { kind: 'ollama', baseUrl: ollama.url, locality: 'local', models: [LOCAL] },
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: [CLOUD] },
      },
      tasks: Object.fromEntries(['chat', 'code', 'math'].map((t) => [t, [`ollama/${LOCAL}`, `groq/${CLOUD}`]])),
      escalation,
    });
    assert.deepEqual(problems, []);
    const keys: KeyStore = { getKey: async (id, origin) => (id === 'groq' && origin === new URL(groq.url).origin ? CLOUD_KEY : undefined) };
    const hook = createEscalationHook({ config: config.escalation, confirm, logger: silentLogger });
    return createSwitchyard({ config, keys, escalation: hook, logger: silentLogger });
  }

  async function run(sy: ReturnType<typeof switchyard>, task: Task, extra: Partial<RouteRequest> & { mode?: Mode } = {}): Promise<StreamEvent[]> {
    const events: StreamEvent[] = [];
    const req: RouteRequest = { messages: [{ role: 'user', content: 'question' }], task, workspaceId: 'w', signal: new AbortController().signal, ...extra };
    for await (const ev of sy.stream(req)) events.push(ev);
    return events;
  }

  const textOf = (events: StreamEvent[], attempt: number) =>
    events.flatMap((e) => (e.type === 'text' && e.attempt === attempt ? [e.text] : [])).join('');
  const escalations = (events: StreamEvent[]) => events.filter((e): e is Extract<StreamEvent, { type: 'escalate' }> => e.type === 'escalate');
  const done = (events: StreamEvent[]) => events.at(-1) as Extract<StreamEvent, { type: 'done' }>;

  it('accepts a confident local answer with no cloud call, and asked the local model for logprobs and the marker', async () => {
    ollama.setReply({ text: GOOD_ANSWER, logprobs: GOOD_ANSWER.map(() => CONFIDENT) });
    const events = await run(switchyard(), 'chat');
    assert.equal(escalations(events).length, 0);
    assert.equal(textOf(events, 1), GOOD_ANSWER.join(''));
    assert.equal(done(events).finalRef?.provider, 'ollama');
    assert.equal(groq.requests.length, 0, 'the cloud double got no request');
    const sent = ollama.requests.find((r) => r.path === '/api/chat')!.body;
    assert.equal(sent.logprobs, true);
    assert.match(sent.messages[0].content, /reply with exactly the single word UNCERTAIN/);
  });

  /** One local answer per signal, each tripping that signal alone. */
  const cases: { signal: string; task: Task; reply: OllamaReply; explanation: RegExp }[] = [
    {
      signal: 'logprobs',
      task: 'chat',
      reply: { text: GOOD_ANSWER, logprobs: GOOD_ANSWER.map((_, i) => (i % 3 === 0 ? HESITANT : CONFIDENT)) },
      explanation: /^3\d% of tokens below p=0\.25 \(limit 20%/,
    },
    { signal: 'marker', task: 'chat', reply: { text: ['UN', 'CERTAIN'] }, explanation: /answered UNCERTAIN/ },
    {
      signal: 'code_parse',
      task: 'code',
      reply: { text: ['Here:\n', '```python\n', 'def f(x)\n', '    return x\n', '```\n'] },
      explanation: /^python block 1 of 1 does not parse: syntax error on its line 1 \(`def f\(x\)`\)$/,
    },
    {
      signal: 'math_final',
      task: 'math',
      reply: { text: ['We integrate by parts', ' with u = x', ' and dv = e^x dx.\n', 'Evaluating gives the value we need.'] },
      explanation: /never states a final result/,
    },
    { signal: 'truncated', task: 'chat', reply: { text: GOOD_ANSWER.slice(0, 8), doneReason: 'length' }, explanation: /finish reason "length"/ },
    { signal: 'empty', task: 'chat', reply: { text: [] }, explanation: /empty answer/ },
    { signal: 'refusal', task: 'chat', reply: { text: ['很抱歉，', '我无法', '提供这方面的帮助。'] }, explanation: /refused \("很抱歉，我无法"\)/ },
  ];
  for (const c of cases) {
    it(`escalates on "${c.signal}" alone, with its reason, and streams the cloud answer after the local one`, async () => {
      ollama.setReply(c.reply);
      const events = await run(switchyard(), c.task);
      const [escalate, ...more] = escalations(events);
      assert.equal(more.length, 0);
      assert.ok(escalate, 'an escalate event');
      assert.deepEqual(escalate.reasons.map((r) => r.signal), [c.signal]);
      assert.match(escalate.reasons[0]!.explanation, c.explanation);
      assert.deepEqual([escalate.from.provider, escalate.to.provider], ['ollama', 'groq']);
      assert.equal(textOf(events, 2), CLOUD_ANSWER);
      assert.equal(done(events).finalRef?.provider, 'groq');
      assert.equal(groq.requests.length, 1);
      // Cloud answers are not judged and carry no marker instruction.
      assert.ok(!JSON.stringify(groq.requests[0]!.body.messages).includes('UNCERTAIN'));
    });
  }

  it('judges token logprobs from a local OpenAI-compatible server (LM Studio, llama.cpp, vLLM) the same way', async () => {
    const local = await startOpenAICompatibleServer({ vendor: 'custom', apiKey: null, models: ['qwen2.5-7b-instruct'] });
    try {
      local.setReply({ text: GOOD_ANSWER, logprobs: GOOD_ANSWER.map((_, i) => (i % 3 === 0 ? HESITANT : CONFIDENT)) });
      const { config } = parseConfig({
        providers: {
          lmstudio: { kind: 'openai-compatible', vendor: 'custom', baseUrl: `${local.url}/v1`, locality: 'local', models: ['qwen2.5-7b-instruct'] },
          groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: [CLOUD] },
        },
        tasks: { chat: ['lmstudio/qwen2.5-7b-instruct', `groq/${CLOUD}`] },
      });
      const hook = createEscalationHook({ config: config.escalation, logger: silentLogger });
      const sy = createSwitchyard({ config, keys: { getKey: async (id) => (id === 'groq' ? CLOUD_KEY : undefined) }, escalation: hook, logger: silentLogger });
      const events = await run(sy as ReturnType<typeof switchyard>, 'chat');
      assert.equal(local.requests.find((r) => r.path.endsWith('/chat/completions'))?.body.logprobs, true);
      assert.deepEqual(escalations(events)[0]?.reasons.map((r) => r.signal), ['logprobs']);
      assert.equal(groq.requests.length, 1);
    } finally {
      await local.close();
    }
  });

  it('an UNCERTAIN marker stops the local stream within one chunk (the server sees the abort)', async () => {
    const rest = Array.from({ length: 60 }, (_, i) => ` word${i}`);
    ollama.setReply({ text: ['\n', 'UN', 'CERTAIN', ...rest], chunking: { delayMs: 15 } });
    const events = await run(switchyard(), 'chat');
    const localDeltas = events.flatMap((e) => (e.type === 'text' && e.attempt === 1 ? [e.text] : []));
    // (The provider may merge a leading newline into the next delta; what matters is that
    // nothing after the delta completing the marker reached the caller.)
    assert.equal(localDeltas.join(''), '\nUNCERTAIN', 'no delta after the one completing the marker');
    const local = await ollama.settled(ollama.requests.findIndex((r) => r.path === '/api/chat'));
    assert.equal(local.aborted, true);
    assert.equal(local.completed, false);
    assert.deepEqual(escalations(events)[0]?.reasons.map((r) => r.signal), ['marker']);
    assert.equal(events.find((e) => e.type === 'finish' && e.attempt === 1 && e.reason === 'cancelled') !== undefined, true);
  });

  it('keeps both answers: the local one then the cloud one, each with its own tokens and cost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-escalation-'));
    try {
      // A finish-time signal, so the local attempt runs to its end and reports its usage.
      ollama.setReply({ text: GOOD_ANSWER.slice(0, 8), doneReason: 'length', evalCount: 8 });
      groq.setReply({ text: CLOUD_ANSWER, promptTokens: 120 });
      const { config } = parseConfig({
        providers: {
          ollama: { kind: 'ollama', baseUrl: ollama.url, locality: 'local', models: [LOCAL] },
          groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: [CLOUD] },
        },
        tasks: { chat: [`ollama/${LOCAL}`, `groq/${CLOUD}`] },
        budget: { dailyLimit: 1 },
      });
      const cost = createSpendGuard({ dir, config, logger: silentLogger });
      const hook = createEscalationHook({ config: config.escalation, logger: silentLogger });
      const sy = createSwitchyard({ config, keys: { getKey: async () => CLOUD_KEY }, escalation: hook, spendGuard: cost, logger: silentLogger });
      const events: StreamEvent[] = [];
      for await (const ev of sy.stream({ messages: [{ role: 'user', content: 'q' }], task: 'chat', workspaceId: 'w', signal: new AbortController().signal })) events.push(ev);
      cost.dispose();
      assert.deepEqual(
        events.map((e) => e.type).filter((t) => ['start', 'text', 'escalate', 'cost', 'finish'].includes(t)).filter((t, i, all) => t !== 'text' || all[i - 1] !== 'text'),
        ['start', 'text', 'cost', 'finish', 'escalate', 'start', 'text', 'cost', 'finish'],
      );
      const costs = events.flatMap((e) => (e.type === 'cost' ? [e] : []));
      assert.deepEqual(costs.map((c) => [c.attempt, c.cost.priceSource === 'local', c.cost.totalUsd > 0]), [
        [1, true, false],
        [2, false, true],
      ]);
      const usages = events.flatMap((e) => (e.type === 'usage' ? [[e.attempt, e.usage.outputTokens > 0]] : []));
      assert.deepEqual(usages, [
        [1, true],
        [2, true],
      ]);
      assert.equal(textOf(events, 1), GOOD_ANSWER.slice(0, 8).join(''));
      assert.equal(textOf(events, 2), CLOUD_ANSWER);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Local only mode never calls the cloud double and says why', async () => {
    ollama.setReply({ text: ['UNCERTAIN'] });
    const events = await run(switchyard(), 'chat', { mode: 'local' });
    assert.equal(groq.requests.length, 0);
    assert.equal(escalations(events).length, 0);
    const notice = events.find((e) => e.type === 'notice');
    assert.match(notice?.type === 'notice' ? notice.message : '', /Local-only mode: not escalating/);
    assert.equal(done(events).finalRef?.provider, 'ollama');
  });

  it('policy "ask" waits for the user before calling the cloud, then escalates when they agree', async () => {
    ollama.setReply({ text: GOOD_ANSWER, doneReason: 'length' });
    let answer!: (yes: boolean) => void;
    let asked: string[] = [];
    let markAsked!: () => void;
    const askedEvent = new Promise<void>((resolve) => (markAsked = resolve));
    const sy = switchyard({ policy: 'ask' }, (reasons, next) => {
      asked = [...reasons.map((r) => r.signal), `${next.ref.provider}/${next.ref.model}`];
      const decision = new Promise<boolean>((resolve) => (answer = resolve));
      markAsked();
      return decision;
    });
    const events: StreamEvent[] = [];
    let answered = false;
    let answeredAtEscalate: boolean | undefined;
    const running = (async () => {
      for await (const ev of sy.stream({ messages: [{ role: 'user', content: 'q' }], task: 'chat', workspaceId: 'w', signal: new AbortController().signal })) {
        if (ev.type === 'escalate') answeredAtEscalate = answered;
        events.push(ev);
      }
    })();
    await askedEvent;
    assert.deepEqual(asked, ['truncated', `groq/${CLOUD}`]);
    // Between the question and the "escalate" event the router does no I/O (it logs and yields),
    // and the cloud call comes after that event: a router that did not wait for the answer would
    // have yielded "escalate" within the microtasks that run before the next macrotask.
    await new Promise((r) => setImmediate(r));
    assert.equal(escalations(events).length, 0, 'no escalation while the user has not answered');
    assert.equal(groq.requests.length, 0, 'no cloud call while the user has not answered');
    answered = true;
    answer(true);
    await running;
    assert.equal(escalations(events).length, 1);
    assert.equal(answeredAtEscalate, true, 'escalated only after the answer');
    assert.equal(groq.requests.length, 1);
    assert.equal(textOf(events, 2), CLOUD_ANSWER);
  });

  it('policy "ask": declining keeps the complete local answer and calls no cloud', async () => {
    const tokens = ['UN', 'CERTAIN', ' but', ' here', ' is', ' my', ' best', ' guess', '.'];
    ollama.setReply({ text: tokens });
    let calls = 0;
    const events = await run(switchyard({ policy: 'ask' }, async () => (calls++, false)), 'chat');
    assert.equal(calls, 1, 'asked once, even though the marker fired mid-stream and again on finish');
    assert.equal(textOf(events, 1), tokens.join(''), 'the local stream was not cut');
    assert.equal(groq.requests.length, 0);
    assert.equal(done(events).finalRef?.provider, 'ollama');
  });

  it('policy "off" never escalates and never cuts the local answer', async () => {
    ollama.setReply({ text: ['UNCERTAIN', ' maybe', ' this'] });
    const events = await run(switchyard({ policy: 'off' }), 'chat');
    assert.equal(textOf(events, 1), 'UNCERTAIN maybe this');
    assert.equal(groq.requests.length, 0);
    assert.ok(!JSON.stringify(ollama.requests.find((r) => r.path === '/api/chat')!.body.messages).includes('UNCERTAIN'));
  });

  it('the per-request cost ceiling declines an escalation whose worst case is too expensive', async () => {
    ollama.setReply({ text: ['UNCERTAIN'] });
    const { config } = parseConfig({
      providers: {
        ollama: { kind: 'ollama', baseUrl: ollama.url, locality: 'local', models: [LOCAL] },
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: [CLOUD] },
      },
      tasks: { chat: [`ollama/${LOCAL}`, `groq/${CLOUD}`] },
      escalation: { maxCostPerRequestUsd: 0.001 },
    });
    const seen: unknown[] = [];
    const hook = createEscalationHook({
      config: config.escalation,
      logger: silentLogger,
      estimateWorstCaseUsd: (_next, context) => (seen.push(context), context ? (context.maxTokens * 10) / 1e6 : undefined), // $10 / 1M output
    });
    const keys: KeyStore = { getKey: async () => CLOUD_KEY };
    const sy = createSwitchyard({ config, keys, escalation: hook, logger: silentLogger });
    const events: StreamEvent[] = [];
    for await (const ev of sy.stream({ messages: [{ role: 'user', content: 'q' }], task: 'chat', maxTokens: 1000, workspaceId: 'w', signal: new AbortController().signal })) events.push(ev);
    assert.equal(groq.requests.length, 0);
    assert.equal(escalations(events).length, 0);
    assert.equal((seen[0] as { maxTokens: number }).maxTokens, 1000, 'the router passed the request size to the estimator');
  });

  it('the user\'s "Escalate" action (escalateFrom) goes straight to the cloud model', async () => {
    const events = await run(switchyard(), 'chat', { escalateFrom: { answer: 'local text', reason: 'wrong import' } });
    assert.equal(ollama.requests.filter((r) => r.path === '/api/chat').length, 0);
    assert.equal(groq.requests.length, 1);
    assert.equal(textOf(events, 1), CLOUD_ANSWER);
  });
});

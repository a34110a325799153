import { strict as assert } from 'node:assert';
import { TurnBuilder, finalAnswerOf } from '../../../src/vscode/chat/turnModel';
import type { StreamEvent } from '../../../src/core/types';
import { english } from './translate';
import type { Turn } from '../../../src/shared/messages';
import { messageSchemas } from '../../../src/shared/messages';

const local = { provider: 'ollama', model: 'qwen2.5:7b' };
const cloud = { provider: 'groq', model: 'llama-3.3-70b-versatile' };
const timing = { startedAt: 0, ttftMs: 120, totalMs: 900, tokensPerSecond: 42.5 };

function newTurn(): Turn {
  return { id: 't1', prompt: 'What is 2+2?', createdAt: 1, answers: [], done: false };
}

/** A local answer judged uncertain, escalated to the cloud, which answers and is billed. */
const escalatedRun: StreamEvent[] = [
  { type: 'decision', decision: { task: 'math', taskReason: 'contains an equation', mode: 'auto', candidates: [], excluded: [] } },
  { type: 'start', attempt: 1, ref: local, locality: 'local', why: ['local first'] },
  { type: 'text', attempt: 1, text: 'Maybe 5' },
  { type: 'text', attempt: 1, text: '? UNCERTAIN' },
  { type: 'usage', attempt: 1, usage: { inputTokens: 10, outputTokens: 4, estimated: false } },
  { type: 'finish', attempt: 1, reason: 'stop', timing },
  { type: 'escalate', from: local, to: cloud, reasons: [{ signal: 'marker', fired: true, explanation: 'said UNCERTAIN' }, { signal: 'logprobs', fired: false, explanation: 'fine' }] },
  { type: 'start', attempt: 2, ref: cloud, locality: 'cloud', why: ['first cloud candidate'] },
  { type: 'thinking', attempt: 2, text: 'add them' },
  { type: 'text', attempt: 2, text: '2+2 = **4**' },
  { type: 'usage', attempt: 2, usage: { inputTokens: 30, outputTokens: 8, estimated: true } },
  { type: 'cost', attempt: 2, cost: { currency: 'USD', inputUsd: 0.001, outputUsd: 0.002, totalUsd: 0.003, estimated: true, priceSource: 'table' } },
  { type: 'finish', attempt: 2, reason: 'stop', timing },
  { type: 'done', attempts: 2, finalRef: cloud },
];

describe('turnModel: StreamEvents → panel answers', () => {
  it('keeps the escalated local answer with its reason and attaches the reason to the cloud answer', () => {
    const turn = newTurn();
    const builder = new TurnBuilder(turn, 'r1', 'CNY', (usd) => usd * 7, english);
    for (const e of escalatedRun) builder.apply(e);
    builder.end(false);
    const live = builder.turn as Turn;
    assert.equal(live.done, true);
    assert.equal(turn.answers.length, 0, 'the caller\'s turn is a snapshot the builder never changes');
    assert.equal(live.answers.length, 2);
    const [first, second] = live.answers as [Turn['answers'][0], Turn['answers'][0]];
    assert.equal(first.status, 'escalated');
    assert.equal(first.text, 'Maybe 5? UNCERTAIN');
    assert.equal(first.meta.supersededBecause, 'marker: said UNCERTAIN');
    assert.equal(second.status, 'done');
    assert.equal(second.meta.escalationReason, 'marker: said UNCERTAIN');
    assert.equal(second.thinking, 'add them');
    assert.equal(second.meta.task, 'math');
    assert.equal(second.meta.taskReason, 'contains an equation');
    assert.equal(second.meta.outputTokens, 8);
    assert.equal(second.meta.tokensEstimated, true);
    assert.equal(second.meta.ttftMs, 120);
    assert.equal(second.meta.tokensPerSecond, 42.5);
    // Costs are converted into the user's currency.
    assert.ok(Math.abs(second.meta.costTotal! - 0.021) < 1e-12);
    assert.equal(second.meta.currency, 'CNY');
    assert.equal(finalAnswerOf(live), second);
    // Whatever the builder produced is valid on the wire.
    assert.equal(messageSchemas().turn.safeParse(live).success, true);
  });

  it('emits one delta per text event, for the right answer', () => {
    const builder = new TurnBuilder(newTurn(), 'r1', 'USD', (u) => u, english);
    const deltas = escalatedRun.flatMap((e) => builder.apply(e)).filter((u) => u.type === 'delta');
    assert.deepEqual(
      deltas.map((d) => (d.type === 'delta' ? [d.answerId, d.text, d.thinking] : [])),
      [
        ['t1.r1.1', 'Maybe 5', ''],
        ['t1.r1.1', '? UNCERTAIN', ''],
        ['t1.r1.2', '', 'add them'],
        ['t1.r1.2', '2+2 = **4**', ''],
      ],
    );
  });

  it('marks a failed-over answer and says why on the next one', () => {
    const turn = newTurn();
    const builder = new TurnBuilder(turn, 'r1', 'USD', (u) => u, english);
    builder.apply({ type: 'start', attempt: 1, ref: cloud, locality: 'cloud', why: [] });
    builder.apply({ type: 'failover', from: cloud, to: local, error: { kind: 'rate_limit', message: '429 slow down', retryable: true } });
    builder.apply({ type: 'start', attempt: 2, ref: local, locality: 'local', why: [] });
    assert.equal(builder.turn.answers[0]!.status, 'failed_over');
    assert.match(builder.turn.answers[1]!.meta.escalationReason!, /429 slow down/);
  });

  it('closes a stopped answer as cancelled and reports errors', () => {
    const turn = newTurn();
    const builder = new TurnBuilder(turn, 'r1', 'USD', (u) => u, english);
    builder.apply({ type: 'start', attempt: 1, ref: local, locality: 'local', why: [] });
    builder.apply({ type: 'text', attempt: 1, text: 'partial' });
    builder.fail({ kind: 'cancelled', message: 'Stopped', actions: [] });
    const end = builder.end(true);
    assert.deepEqual(end.map((m) => (m.type === 'answer' ? m.answer.status : m.type)), ['cancelled', 'turnEnd']);
    assert.deepEqual(end[1], { type: 'turnEnd', turnId: 't1' }, 'Stop is not an error to show');
    assert.equal(builder.turn.answers[0]!.text, 'partial');
  });

  it('marks what still streams as failed on an error, and ends with the error', () => {
    const builder = new TurnBuilder(newTurn(), 'r1', 'USD', (u) => u, english);
    builder.apply({ type: 'start', attempt: 1, ref: local, locality: 'local', why: [] });
    const updates = builder.apply({ type: 'error', error: { kind: 'budget', message: 'daily limit', retryable: false } });
    assert.deepEqual(updates.map((m) => m.type === 'answer' && m.answer.status), ['error']);
    builder.fail({ kind: 'budget', message: 'daily limit', actions: [] });
    assert.deepEqual(builder.end(false), [{ type: 'turnEnd', turnId: 't1', error: { kind: 'budget', message: 'daily limit', actions: [] } }]);
    assert.equal(builder.turn.error?.kind, 'budget');
  });
});

/**
 * The panel's turn protocol (src/shared/turnProtocol.ts): the messages the host's one owner of
 * a turn (TurnBuilder) emits, replayed through the webview's reducer, give exactly the host's
 * snapshot; and a reload (an `init` with the host's snapshot) restores exactly the live state.
 */
import { strict as assert } from 'node:assert';
import { TurnBuilder } from '../../../src/vscode/chat/turnModel';
import { applyTurnMessage, type TurnMessage } from '../../../src/shared/turnProtocol';
import { messageSchemas, type Turn } from '../../../src/shared/messages';
import type { StreamEvent } from '../../../src/core/types';
import { english } from '../vscode/translate';

const local = { provider: 'ollama', model: 'qwen2.5:7b' };
const cloud = { provider: 'groq', model: 'llama-3.3-70b-versatile' };
const other = { provider: 'openrouter', model: 'gpt-4o-mini' };
const timing = { startedAt: 0, ttftMs: 50, totalMs: 400, tokensPerSecond: 30 };
/** Small so that the run crosses it (switchyard.panel.maxAnswerMB, in characters). */
const CAP = 40;

/**
 * One run with everything the panel shows: a local answer with a notice, escalated; the cloud
 * fails over; the last model streams thinking and text past the cap, is billed, and the run
 * ends in an error.
 */
const run: StreamEvent[] = [
  { type: 'decision', decision: { task: 'code', taskReason: 'has code', mode: 'auto', candidates: [], excluded: [] } },
  { type: 'start', attempt: 1, ref: local, locality: 'local', why: ['local first'] },
  { type: 'notice', attempt: 1, message: 'the budget leaves room for 200 tokens' },
  { type: 'text', attempt: 1, text: 'maybe ' },
  { type: 'text', attempt: 1, text: 'UNCERTAIN' },
  { type: 'usage', attempt: 1, usage: { inputTokens: 5, outputTokens: 3, estimated: false } },
  { type: 'finish', attempt: 1, reason: 'stop', timing },
  { type: 'escalate', from: local, to: cloud, reasons: [{ signal: 'marker', fired: true, explanation: 'said UNCERTAIN' }] },
  { type: 'start', attempt: 2, ref: cloud, locality: 'cloud', why: ['first cloud'] },
  { type: 'finish', attempt: 2, reason: 'error', timing },
  { type: 'failover', from: cloud, to: other, error: { kind: 'rate_limit', message: '429 slow down', retryable: true } },
  { type: 'start', attempt: 3, ref: other, locality: 'cloud', why: ['next cloud'] },
  { type: 'thinking', attempt: 3, text: 'let me see' },
  { type: 'text', attempt: 3, text: 'x'.repeat(25) },
  { type: 'text', attempt: 3, text: 'y'.repeat(25) },
  { type: 'text', attempt: 3, text: 'z'.repeat(25) },
  { type: 'cost', attempt: 3, cost: { currency: 'USD', inputUsd: 0.001, outputUsd: 0.002, totalUsd: 0.003, estimated: false, priceSource: 'table' } },
  { type: 'error', error: { kind: 'server', message: 'stream broke', retryable: false } },
  { type: 'done', attempts: 3 },
];

const earlierTurn: Turn = {
  id: 't0',
  prompt: 'hi',
  createdAt: 1,
  done: true,
  answers: [{ id: 't0.r0.1', provider: 'ollama', model: 'm', locality: 'local', text: 'hello', thinking: '', status: 'done', meta: { why: [], notices: [] } }],
};

/** What ChatSession does with a run: begin, every event (an error described onto the turn), end. */
function host(start: Turn, events: StreamEvent[], cancelled = false): { builder: TurnBuilder; messages: TurnMessage[]; snapshots: Map<number, Turn> } {
  const builder = new TurnBuilder(start, 'r1', 'USD', (usd) => usd, english, undefined, CAP);
  const messages = builder.begin();
  /** Messages sent so far → the host's snapshot then (what a reload at that moment gets). */
  const snapshots = new Map([[messages.length, builder.snapshot()]]);
  for (const event of events) {
    if (event.type === 'error') builder.fail({ kind: event.error.kind, message: event.error.message, actions: [] });
    messages.push(...builder.apply(event));
    snapshots.set(messages.length, builder.snapshot());
  }
  messages.push(...builder.end(cancelled));
  return { builder, messages, snapshots };
}

/** Through the wire: serialized, then validated by the schema the webview validates with. */
function wire<T>(message: T): T {
  return messageSchemas().toWebview.parse(JSON.parse(JSON.stringify(message))) as T;
}

/** The webview: an `init` snapshot, then the run's messages through its reducer. */
function webview(initTurns: Turn[], messages: TurnMessage[]): Turn[] {
  const init = wire({ type: 'init' as const, strings: {}, locale: 'en', turns: initTurns, streaming: false });
  const turns = init.turns;
  for (const message of messages) assert.ok(applyTurnMessage(turns, wire(message)), `${message.type} applies to a known turn`);
  return turns;
}

/** Consecutive deltas of one answer merged, as ChatSession's batcher sends them. */
function batched(messages: TurnMessage[]): TurnMessage[] {
  const out: TurnMessage[] = [];
  for (const m of messages) {
    const last = out[out.length - 1];
    if (m.type === 'delta' && last?.type === 'delta' && last.answerId === m.answerId) out[out.length - 1] = { ...last, text: last.text + m.text, thinking: last.thinking + m.thinking };
    else out.push(m);
  }
  return out;
}

const restored = (turns: Turn[]): Turn[] => wire({ type: 'init' as const, strings: {}, locale: 'en', turns, streaming: false }).turns;

describe('turn protocol: turnStart → (answer | delta)* → turnEnd', () => {
  const newTurn: Turn = { id: 't1', prompt: 'fix this', label: 'Fix · a.ts:1-3', createdAt: 2, answers: [], done: false };

  it('replayed through the webview reducer, the messages give exactly the host\'s snapshot', () => {
    const { builder, messages } = host(newTurn, run);
    assert.equal(messages[0]!.type, 'turnStart');
    assert.equal(messages[messages.length - 1]!.type, 'turnEnd');
    const expected = restored([earlierTurn, builder.snapshot()]);
    assert.deepEqual(webview([earlierTurn], messages), expected);
    assert.deepEqual(webview([earlierTurn], batched(messages)), expected, 'batched deltas give the same state');
    // Everything the panel shows is in it: notice, escalation and failover markers, truncation, the error.
    const [first, second, third] = expected[1]!.answers;
    assert.deepEqual(first!.meta.notices, ['the budget leaves room for 200 tokens']);
    assert.equal(first!.status, 'escalated');
    assert.equal(first!.meta.supersededBecause, 'marker: said UNCERTAIN');
    assert.equal(second!.status, 'failed_over');
    assert.match(second!.meta.supersededBecause!, /429 slow down/);
    assert.match(third!.meta.escalationReason!, /429 slow down/);
    assert.equal(third!.text.length, CAP);
    assert.equal(third!.meta.truncatedAt, CAP);
    assert.equal(third!.status, 'error');
    assert.equal(third!.thinking, 'let me see');
    assert.equal(expected[1]!.error?.message, 'stream broke');
    assert.equal(expected[1]!.done, true);
  });

  it('sends each answer\'s text once, in deltas: no message re-sends an answer or a turn', () => {
    const { builder, messages } = host(newTurn, run);
    const sentText = messages.reduce((n, m) => n + (m.type === 'delta' ? m.text.length : m.type === 'answer' ? (m.answer.text?.length ?? 0) : 0), 0);
    const shownText = builder.turn.answers.reduce((n, a) => n + a.text.length, 0);
    assert.equal(sentText, shownText);
    for (const m of messages) if (m.type === 'answer') assert.equal(m.answer.text ?? '', '', 'an answer message carries no text');
  });

  it('what the webview shows mid-run is what the host holds: a reload mid-answer restores it, and the run goes on from there', () => {
    const { builder: live, messages, snapshots } = host(newTurn, run);
    assert.ok(snapshots.size > 10);
    for (const [cut, hostThen] of snapshots) {
      const shownLive = webview([earlierTurn], messages.slice(0, cut));
      assert.deepEqual(restored([earlierTurn, hostThen]), shownLive, `after message ${cut} (${messages[cut - 1]!.type})`);
      // Reloaded here: the init snapshot, then the rest of the run, ends where the live panel ends.
      assert.deepEqual(webview(restored([earlierTurn, hostThen]), messages.slice(cut)), restored([earlierTurn, live.snapshot()]));
    }
  });

  it('an Escalate on a finished turn reopens it, supersedes the earlier answer once the new one starts, and clears the old error', () => {
    const first = host(newTurn, run).builder.snapshot();
    const again: StreamEvent[] = [
      { type: 'start', attempt: 1, ref: cloud, locality: 'cloud', why: [] },
      { type: 'text', attempt: 1, text: 'fine' },
      { type: 'finish', attempt: 1, reason: 'stop', timing },
      { type: 'done', attempts: 1 },
    ];
    const done = { ...first, answers: first.answers.map((a, i) => (i === 2 ? { ...a, status: 'done' as const } : a)), error: undefined };
    const builder = new TurnBuilder(done, 'r2', 'USD', (u) => u, english, 'you asked for a stronger model', CAP);
    const messages = [...builder.begin()];
    for (const e of again) messages.push(...builder.apply(e));
    messages.push(...builder.end(false));
    const shown = webview(restored([done]), messages);
    assert.deepEqual(shown, restored([builder.snapshot()]));
    assert.equal(shown[0]!.answers[2]!.status, 'escalated');
    assert.equal(shown[0]!.answers[2]!.meta.supersededBecause, 'you asked for a stronger model');
    assert.equal(shown[0]!.answers[3]!.text, 'fine');
    assert.equal(done.answers[2]!.status, 'done', 'the stored snapshot is not changed by the new run');
  });

  it('a stopped run ends with its streaming answer cancelled and no error', () => {
    const { builder, messages } = host(newTurn, run.slice(0, 4), true);
    const shown = webview([], messages);
    assert.deepEqual(shown, restored([builder.snapshot()]));
    assert.equal(shown[0]!.answers[0]!.status, 'cancelled');
    assert.equal(shown[0]!.error, undefined);
  });
});

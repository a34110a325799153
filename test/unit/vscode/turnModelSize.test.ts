/**
 * Answers of any size end cleanly (issue 15): the text is cut at the configured cap with
 * truncatedAt set, the whole text is kept in pieces for the editor, and every message the panel
 * gets stays valid (an answer over 1,000,000 characters used to fail the schema and stay "streaming").
 */
import { strict as assert } from 'node:assert';
import { TurnBuilder } from '../../../src/vscode/chat/turnModel';
import { english } from './translate';
import { MAX_DELTA_CHARS, messageSchemas, type Turn } from '../../../src/shared/messages';

const local = { provider: 'ollama', model: 'qwen2.5:7b' };
const timing = { startedAt: 0, ttftMs: 1, totalMs: 2, tokensPerSecond: 3 };

describe('turnModel: answer size limits', () => {
  it('cuts a 1.5 MB answer at a 1 MB cap, says so, and keeps the whole text', () => {
    const turn: Turn = { id: 't1', prompt: 'long', createdAt: 1, answers: [], done: false };
    const builder = new TurnBuilder(turn, 'r1', 'USD', (usd) => usd, english, undefined, 1_000_000);
    const piece = 'x'.repeat(99) + '\n';
    builder.apply({ type: 'start', attempt: 1, ref: local, locality: 'local', why: [] });
    const updates = [];
    for (let i = 0; i < 15_000; i++) updates.push(...builder.apply({ type: 'text', attempt: 1, text: piece }));
    updates.push(...builder.apply({ type: 'finish', attempt: 1, reason: 'stop', timing }));
    builder.apply({ type: 'done', attempts: 1, finalRef: local });
    const answer = builder.turn.answers[0]!;
    assert.equal(answer.text.length, 1_000_000);
    assert.equal(answer.meta.truncatedAt, 1_000_000);
    assert.equal(answer.status, 'done');
    const full = builder.fullTexts.get(answer.id)!;
    assert.equal(full.pieces.join('').length, 1_500_000);
    assert.ok(full.pieces.join('').startsWith(answer.text));
    assert.equal(updates.filter((u) => u.type === 'answer' && u.answer.meta.truncatedAt).length >= 1, true);
    const deltaChars = updates.reduce((n, u) => n + (u.type === 'delta' ? u.text.length : 0), 0);
    assert.equal(deltaChars, 1_000_000, 'nothing past the cap is sent to the panel');
    // Every message stays valid: the answer, the turn, a delta of the largest size.
    const { toWebview } = messageSchemas();
    assert.ok(toWebview.safeParse({ type: 'answer', turnId: turn.id, answer }).success);
    assert.ok(messageSchemas().turn.safeParse(builder.snapshot()).success);
    assert.ok(toWebview.safeParse({ type: 'delta', turnId: turn.id, answerId: answer.id, text: 'y'.repeat(MAX_DELTA_CHARS) }).success);
  });

  it('never cuts a surrogate pair in half', () => {
    const turn: Turn = { id: 't1', prompt: 'emoji', createdAt: 1, answers: [], done: false };
    const builder = new TurnBuilder(turn, 'r1', 'USD', (usd) => usd, english, undefined, 3);
    builder.apply({ type: 'start', attempt: 1, ref: local, locality: 'local', why: [] });
    builder.apply({ type: 'text', attempt: 1, text: 'ab😀' });
    assert.equal(builder.turn.answers[0]!.text, 'ab');
  });
});

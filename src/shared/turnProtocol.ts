/**
 * How a turn's state travels from the host to the webview: ONE reducer over typed turn
 * messages, applied identically by the host (TurnBuilder, the only code that changes a live
 * turn) and by the webview (webview/main.ts). The webview's conversation is therefore exactly
 * what the host holds, and a reload's `init` snapshot restores exactly what was shown.
 *
 * The sequence for one run (a new ask, Escalate or Retry with…):
 *
 *   turnStart → (answer | delta)* → turnEnd
 *
 * - `turnStart`: the turn's header; a new turn is added, an existing one (Escalate, Retry
 *   with…) is reopened (done = false, its error cleared) with its answers kept.
 * - `answer`: an answer started (empty), or its status or metadata changed (notices, escalation
 *   and failover markers, truncation, cost…). A change never carries text or thinking: those
 *   come only in deltas (re-sending up to 20 MB per metadata change made each one a long task).
 * - `delta`: text appended to one answer. The host may batch deltas (concatenation does not
 *   care), but never reorders them around the `answer` message that created their answer.
 * - `turnEnd`: the run is over; the turn's error, if any. Answers are never re-sent.
 *
 * The reducer changes the state in place: a delta appends to a string of up to 20 MB, and a
 * copy of the conversation per token is what the batching exists to avoid.
 */
import type { Answer, AnswerUpdate, Turn, TurnError } from './messages';

export type TurnHeader = Pick<Turn, 'id' | 'prompt' | 'label' | 'createdAt'>;

export type TurnMessage =
  | { type: 'turnStart'; turn: TurnHeader }
  | { type: 'answer'; turnId: string; answer: AnswerUpdate }
  | { type: 'delta'; turnId: string; answerId: string; text: string; thinking: string }
  | { type: 'turnEnd'; turnId: string; error?: TurnError };

/** Applies one message to the conversation; returns the turn it changed (undefined: unknown turn). */
export function applyTurnMessage(turns: Turn[], message: TurnMessage): Turn | undefined {
  if (message.type === 'turnStart') {
    const existing = turns.find((t) => t.id === message.turn.id);
    if (existing) {
      existing.done = false;
      delete existing.error;
      return existing;
    }
    const turn: Turn = { ...message.turn, answers: [], done: false };
    turns.push(turn);
    return turn;
  }
  const turn = turns.find((t) => t.id === message.turnId);
  if (!turn) return undefined;
  switch (message.type) {
    case 'answer': {
      const i = turn.answers.findIndex((a) => a.id === message.answer.id);
      const old = i >= 0 ? turn.answers[i] : undefined;
      const answer: Answer = { ...message.answer, text: message.answer.text ?? old?.text ?? '', thinking: message.answer.thinking ?? old?.thinking ?? '' };
      if (i >= 0) turn.answers[i] = answer;
      else turn.answers.push(answer);
      break;
    }
    case 'delta': {
      const answer = turn.answers.find((a) => a.id === message.answerId);
      if (!answer) return undefined;
      answer.text += message.text;
      answer.thinking += message.thinking;
      break;
    }
    case 'turnEnd':
      turn.done = true;
      if (message.error) turn.error = message.error;
      else delete turn.error;
      break;
  }
  return turn;
}

/**
 * A copy of a turn that later changes to the live one cannot reach (the store persists these).
 * The strings are shared: they never change in place.
 */
export function snapshotTurn(turn: Turn): Turn {
  return {
    ...turn,
    answers: turn.answers.map((a) => ({ ...a, meta: { ...a.meta, why: [...a.meta.why], notices: [...a.meta.notices] } })),
    ...(turn.error ? { error: structuredClone(turn.error) } : {}),
  };
}

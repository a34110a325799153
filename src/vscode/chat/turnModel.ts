/**
 * Folds the router's StreamEvents into the panel's Turn/Answer model: the ONE owner of a live
 * turn's state. Every change is a TurnMessage (src/shared/turnProtocol.ts) applied to its own
 * copy of the turn with the same reducer the webview applies, and returned for the panel to
 * forward; so what the webview holds is what this holds, and `snapshot()` is what a reload
 * restores. Pure (no `vscode` import): unit tests feed it recorded event sequences.
 */
import { isDemoProvider } from '../../core/demo';
import type { RoutingDecision, SignalResult, StreamEvent } from '../../core/types';
import { MAX_ANSWER_CHARS, type Answer, type AnswerMeta, type Turn, type TurnError } from '../../shared/messages';
import { applyTurnMessage, snapshotTurn, type TurnMessage } from '../../shared/turnProtocol';
import type { Translate } from './errorStates';
import { localOnlyText, modeText, reasonText, taskLabel, taskReasonText, whyTexts } from './reasonText';

export class TurnBuilder {
  private decision: RoutingDecision | undefined;
  /** The live turn, in a one-element conversation so that the shared reducer can apply to it. */
  private readonly state: Turn[];
  /** attempt number → answer id, for this run. */
  private readonly byAttempt = new Map<number, string>();
  /** Why the next answer exists (failover or escalation), attached when it starts. */
  private pendingReason: string | undefined;
  private current: string | undefined;
  /** The turn's error, sent with turnEnd. */
  private error: TurnError | undefined;
  /**
   * Earlier answers of this turn (Escalate, Retry with…): superseded once this run really
   * produces an answer; a refused escalation must not hide the answer the user already has.
   */
  private earlier: string[];
  /**
   * The whole text of each answer cut at maxAnswerChars, in the pieces it arrived in (one joined
   * string per delta would copy megabytes per token), up to MAX_ANSWER_CHARS: what "Open the full
   * answer in an editor" shows.
   */
  readonly fullTexts = new Map<string, { pieces: string[]; chars: number }>();

  constructor(
    /** Copied: the caller's object (the store's snapshot) is never changed. */
    turn: Turn,
    /** Distinguishes runs within one turn (first ask, then Escalate, then Retry with…). */
    private readonly runId: string,
    /** The user's budget currency, and the conversion from the router's USD costs into it. */
    private readonly currency: string,
    private readonly fromUsd: (usd: number) => number,
    /** Translates what the panel shows of the router's English reasons (vscode.l10n.t). */
    private readonly t: Translate,
    /** Pre-set reason for the first answer (user pressed Escalate / chose Retry with…). */
    private readonly firstReason?: string,
    /** An answer's text (and its thinking) is cut here, with a note (switchyard.panel.maxAnswerMB). */
    private readonly maxAnswerChars = MAX_ANSWER_CHARS,
  ) {
    this.state = [snapshotTurn(turn)];
    this.pendingReason = firstReason;
    this.earlier = turn.answers.filter((a) => a.status === 'done' || a.status === 'cancelled').map((a) => a.id);
  }

  /** The live turn: read it, never change it (only this class's messages do). */
  get turn(): Readonly<Turn> {
    return this.state[0]!;
  }

  /** A copy of the turn as it is now: what the store persists and a reload's `init` carries. */
  snapshot(): Turn {
    return snapshotTurn(this.turn as Turn);
  }

  get lastDecision(): RoutingDecision | undefined {
    return this.decision;
  }

  get activeAnswer(): Answer | undefined {
    return this.current === undefined ? undefined : this.answer(this.current);
  }

  /** The run's first message. */
  begin(): TurnMessage[] {
    const { id, prompt, label, createdAt } = this.turn;
    this.error = undefined;
    return this.emit([{ type: 'turnStart', turn: { id, prompt, label, createdAt } }]);
  }

  /** The turn's error, shown when the run ends (a later one replaces it). */
  fail(error: TurnError): void {
    this.error = error;
  }

  /** The run's last messages: what still streams is closed (cancelled if the user stopped it). */
  end(cancelled: boolean): TurnMessage[] {
    const messages: TurnMessage[] = [];
    if (cancelled) {
      for (const answer of this.runAnswers()) if (answer.status === 'streaming') messages.push(this.patch(answer, { status: 'cancelled' }));
      // Stop is not an error to show.
      if (this.error?.kind === 'cancelled') this.error = undefined;
    }
    messages.push({ type: 'turnEnd', turnId: this.turn.id, ...(this.error ? { error: this.error } : {}) });
    return this.emit(messages);
  }

  apply(event: StreamEvent): TurnMessage[] {
    return this.emit(this.messagesFor(event));
  }

  private messagesFor(event: StreamEvent): TurnMessage[] {
    switch (event.type) {
      case 'decision':
        this.decision = event.decision;
        return [];
      case 'start': {
        const answer: Answer = {
          id: `${this.turn.id}.${this.runId}.${event.attempt}`,
          provider: event.ref.provider,
          model: event.ref.model,
          locality: event.locality,
          text: '',
          thinking: '',
          status: 'streaming',
          meta: {
            task: this.decision && taskLabel(this.decision.task, this.t),
            taskReason: this.decision && taskReasonText(this.decision, this.t),
            mode: this.decision && modeText(this.decision.mode, this.t),
            why: whyTexts(event, this.t),
            escalationReason: this.pendingReason,
            currency: this.currency,
            // A workspace or request asked for more than Local only: the answer says why it did not get it.
            notices: [
              // Demo mode (src/vscode/firstRun/demo.ts): the answer says it is canned, never a real model's.
              ...(isDemoProvider(event.ref.provider) ? [this.t('demo: a canned answer from Switchyard\'s demo server, not a real model; its cost is demo money in the demo ledger, not your budget')] : []),
              ...(this.decision?.localOnly ?? []).map((r) => localOnlyText(r, this.t)),
            ],
          },
        };
        this.pendingReason = undefined;
        this.byAttempt.set(event.attempt, answer.id);
        this.current = answer.id;
        // This run produced an answer: the earlier ones of the turn are kept, collapsed, for reference.
        const superseded = this.earlier.flatMap((id) => {
          const a = this.answer(id);
          return a ? [this.patch(a, { status: 'escalated', meta: { ...a.meta, supersededBecause: this.firstReason } })] : [];
        });
        this.earlier = [];
        return [...superseded, { type: 'answer', turnId: this.turn.id, answer }];
      }
      case 'text':
      case 'thinking': {
        const answer = this.answerOf(event.attempt);
        if (!answer || !event.text) return [];
        const field = event.type === 'text' ? 'text' : 'thinking';
        const room = this.maxAnswerChars - answer[field].length;
        const fits = event.text.length <= room ? event.text : cutAt(event.text, room);
        const messages: TurnMessage[] = [];
        if (fits) {
          messages.push({ type: 'delta', turnId: this.turn.id, answerId: answer.id, text: field === 'text' ? fits : '', thinking: field === 'thinking' ? fits : '' });
        }
        if (fits.length < event.text.length) {
          // Past the cap: the panel says where it was cut; the text keeps arriving for the editor.
          if (field === 'text') this.keepFullText(answer, fits, fits.length === 0 ? event.text : event.text.slice(fits.length));
          if (answer.meta.truncatedAt === undefined) messages.push(this.patch(answer, { meta: { ...answer.meta, truncatedAt: this.maxAnswerChars } }));
        }
        return messages;
      }
      case 'usage':
        return this.updateMeta(event.attempt, {
          inputTokens: event.usage.inputTokens,
          outputTokens: event.usage.outputTokens,
          tokensEstimated: event.usage.estimated,
        });
      case 'cost':
        return this.updateMeta(event.attempt, {
          costTotal: this.fromUsd(event.cost.totalUsd),
          costEstimated: event.cost.estimated,
          priceSource: event.cost.priceSource,
          currency: this.currency,
        });
      case 'notice': {
        const answer = this.answerOf(event.attempt);
        const notice = event.reason ? reasonText(event.reason, this.t) : event.message;
        return answer ? [this.patch(answer, { meta: { ...answer.meta, notices: [...answer.meta.notices, notice] } })] : [];
      }
      case 'failover': {
        const from = this.findByRef(event.from.provider, event.from.model);
        this.pendingReason = `${event.from.provider}/${event.from.model}: ${event.error.message}`;
        return from ? [this.patch(from, { status: 'failed_over', meta: { ...from.meta, supersededBecause: this.pendingReason } })] : [];
      }
      case 'escalate': {
        const from = this.findByRef(event.from.provider, event.from.model);
        const reason = describeSignals(event.reasons, this.t);
        this.pendingReason = reason;
        return from ? [this.patch(from, { status: 'escalated', meta: { ...from.meta, supersededBecause: reason } })] : [];
      }
      case 'finish': {
        const answer = this.answerOf(event.attempt);
        if (!answer) return [];
        const status = answer.status !== 'streaming' ? answer.status : event.reason === 'cancelled' ? 'cancelled' : event.reason === 'error' ? 'error' : 'done';
        return [this.patch(answer, { status, meta: { ...answer.meta, ttftMs: event.timing.ttftMs, totalMs: event.timing.totalMs, tokensPerSecond: event.timing.tokensPerSecond } })];
      }
      case 'error':
        return this.closeStreaming('error');
      case 'done':
        return this.closeStreaming('done');
    }
  }

  /** Applies the messages to the live turn (the only way it changes) and hands them on. */
  private emit(messages: TurnMessage[]): TurnMessage[] {
    for (const message of messages) applyTurnMessage(this.state, message);
    return messages;
  }

  private closeStreaming(status: 'error' | 'done'): TurnMessage[] {
    return this.runAnswers()
      .filter((a) => a.status === 'streaming')
      .map((a) => this.patch(a, { status }));
  }

  /**
   * An `answer` message changing these fields. Never with text or thinking: those come only in
   * deltas, and a delta of the same event may still be ahead of this message.
   */
  private patch(answer: Answer, change: Partial<Pick<Answer, 'status' | 'meta'>>): TurnMessage {
    const { text: _text, thinking: _thinking, ...rest } = { ...answer, ...change };
    return { type: 'answer', turnId: this.turn.id, answer: rest };
  }

  private answer(id: string): Answer | undefined {
    return this.turn.answers.find((a) => a.id === id);
  }

  private answerOf(attempt: number): Answer | undefined {
    const id = this.byAttempt.get(attempt);
    return id === undefined ? undefined : this.answer(id);
  }

  private runAnswers(): Answer[] {
    return [...this.byAttempt.values()].flatMap((id) => this.answer(id) ?? []);
  }

  private keepFullText(answer: Answer, shown: string, rest: string): void {
    let full = this.fullTexts.get(answer.id);
    // The answer's text does not have this event's part yet: `shown` is appended by the delta.
    if (!full) this.fullTexts.set(answer.id, (full = { pieces: [answer.text + shown], chars: answer.text.length + shown.length }));
    const piece = rest.slice(0, Math.max(0, MAX_ANSWER_CHARS - full.chars));
    if (!piece) return;
    full.pieces.push(piece);
    full.chars += piece.length;
  }

  private updateMeta(attempt: number, patch: Partial<AnswerMeta>): TurnMessage[] {
    const answer = this.answerOf(attempt);
    return answer ? [this.patch(answer, { meta: { ...answer.meta, ...patch } })] : [];
  }

  /** The most recent answer of this run from that model. */
  private findByRef(provider: string, model: string): Answer | undefined {
    return this.runAnswers().reverse().find((a) => a.provider === provider && a.model === model);
  }
}

/** The first `chars` characters, one fewer rather than half of a surrogate pair. */
function cutAt(text: string, chars: number): string {
  if (chars <= 0) return '';
  const code = text.charCodeAt(chars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? chars - 1 : chars);
}

/** "logprobs: 12% of tokens below p=0.30; marker: said UNCERTAIN" — the fired signals only. */
export function describeSignals(reasons: SignalResult[], t?: Translate): string {
  const fired = reasons.filter((r) => r.fired);
  return (fired.length > 0 ? fired : reasons).map((r) => `${r.signal}: ${r.reason && t ? reasonText(r.reason, t) : r.explanation}`).join('; ');
}

/** The answer a follow-up builds on: the last one that was not superseded. */
export function finalAnswerOf(turn: Turn): Answer | undefined {
  for (let i = turn.answers.length - 1; i >= 0; i--) {
    const a = turn.answers[i]!;
    if (a.status !== 'escalated' && a.status !== 'failed_over' && a.text) return a;
  }
  return undefined;
}

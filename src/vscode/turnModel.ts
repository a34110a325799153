/**
 * Folds the router's StreamEvents into the panel's Turn/Answer model and says what the webview
 * must be told. Pure (no `vscode` import): the panel controller feeds it events and forwards
 * the returned updates; unit tests feed it recorded event sequences.
 */
import { isDemoProvider } from '../core/demo';
import type { NormalizedError, RoutingDecision, SignalResult, StreamEvent } from '../core/types';
import { MAX_ANSWER_CHARS, type Answer, type AnswerMeta, type Turn } from '../shared/messages';
import type { Translate } from './errorStates';
import { localOnlyText, modeText, reasonText, taskLabel, taskReasonText, whyTexts } from './reasonText';

/** What changed, so the controller can send the smallest message. */
export type TurnUpdate =
  | { kind: 'answer'; answer: Answer } // new answer or changed metadata/status
  | { kind: 'delta'; answerId: string; text: string; thinking: string }
  | { kind: 'error'; error: NormalizedError; decision?: RoutingDecision }
  | { kind: 'done' };

export class TurnBuilder {
  private decision: RoutingDecision | undefined;
  /** attempt number → answer, for this run. */
  private readonly byAttempt = new Map<number, Answer>();
  /** Why the next answer exists (failover or escalation), attached when it starts. */
  private pendingReason: string | undefined;
  private current: Answer | undefined;
  /**
   * The whole text of each answer cut at maxAnswerChars, in the pieces it arrived in (one joined
   * string per delta would copy megabytes per token), up to MAX_ANSWER_CHARS: what "Open the full
   * answer in an editor" shows.
   */
  readonly fullTexts = new Map<string, { pieces: string[]; chars: number }>();

  constructor(
    readonly turn: Turn,
    /** Distinguishes runs within one turn (first ask, then Escalate, then Retry with…). */
    private readonly runId: string,
    /** The user's budget currency, and the conversion from the router's USD costs into it. */
    private readonly currency: string,
    private readonly fromUsd: (usd: number) => number,
    /** Translates what the panel shows of the router's English reasons (vscode.l10n.t). */
    private readonly t: Translate,
    /** Pre-set reason for the first answer (user pressed Escalate / chose Retry with…). */
    firstReason?: string,
    /** An answer's text (and its thinking) is cut here, with a note (switchyard.panel.maxAnswerMB). */
    private readonly maxAnswerChars = MAX_ANSWER_CHARS,
  ) {
    this.pendingReason = firstReason;
  }

  get lastDecision(): RoutingDecision | undefined {
    return this.decision;
  }

  get activeAnswer(): Answer | undefined {
    return this.current;
  }

  apply(event: StreamEvent): TurnUpdate[] {
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
              // Demo mode (src/vscode/demo.ts): the answer says it is canned, never a real model's.
              ...(isDemoProvider(event.ref.provider) ? [this.t('demo: a canned answer from Switchyard\'s demo server, not a real model; its cost is demo money in the demo ledger, not your budget')] : []),
              ...(this.decision?.localOnly ?? []).map((r) => localOnlyText(r, this.t)),
            ],
          },
        };
        this.pendingReason = undefined;
        this.byAttempt.set(event.attempt, answer);
        this.turn.answers.push(answer);
        this.current = answer;
        return [{ kind: 'answer', answer }];
      }
      case 'text':
      case 'thinking': {
        const answer = this.byAttempt.get(event.attempt);
        if (!answer || !event.text) return [];
        const field = event.type === 'text' ? 'text' : 'thinking';
        const room = this.maxAnswerChars - answer[field].length;
        const fits = event.text.length <= room ? event.text : cutAt(event.text, room);
        const updates: TurnUpdate[] = [];
        if (fits) {
          answer[field] += fits;
          updates.push({ kind: 'delta', answerId: answer.id, text: field === 'text' ? fits : '', thinking: field === 'thinking' ? fits : '' });
        }
        if (fits.length < event.text.length) {
          // Past the cap: the panel says where it was cut; the text keeps arriving for the editor.
          if (field === 'text') this.keepFullText(answer, fits.length === 0 ? event.text : event.text.slice(fits.length));
          if (answer.meta.truncatedAt === undefined) {
            answer.meta = { ...answer.meta, truncatedAt: this.maxAnswerChars };
            updates.push({ kind: 'answer', answer });
          }
        }
        return updates;
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
        const answer = this.byAttempt.get(event.attempt);
        if (!answer) return [];
        answer.meta.notices = [...answer.meta.notices, event.reason ? reasonText(event.reason, this.t) : event.message];
        return [{ kind: 'answer', answer }];
      }
      case 'failover': {
        const from = this.findByRef(event.from.provider, event.from.model);
        this.pendingReason = `${event.from.provider}/${event.from.model}: ${event.error.message}`;
        if (!from) return [];
        from.status = 'failed_over';
        from.meta = { ...from.meta, supersededBecause: this.pendingReason };
        return [{ kind: 'answer', answer: from }];
      }
      case 'escalate': {
        const from = this.findByRef(event.from.provider, event.from.model);
        const reason = describeSignals(event.reasons, this.t);
        this.pendingReason = reason;
        if (!from) return [];
        from.status = 'escalated';
        from.meta = { ...from.meta, supersededBecause: reason };
        return [{ kind: 'answer', answer: from }];
      }
      case 'finish': {
        const answer = this.byAttempt.get(event.attempt);
        if (!answer) return [];
        answer.meta.ttftMs = event.timing.ttftMs;
        answer.meta.totalMs = event.timing.totalMs;
        answer.meta.tokensPerSecond = event.timing.tokensPerSecond;
        if (answer.status === 'streaming') {
          answer.status = event.reason === 'cancelled' ? 'cancelled' : event.reason === 'error' ? 'error' : 'done';
        }
        return [{ kind: 'answer', answer }];
      }
      case 'error':
        for (const answer of this.byAttempt.values()) if (answer.status === 'streaming') answer.status = 'error';
        return [{ kind: 'error', error: event.error, decision: this.decision }];
      case 'done':
        for (const answer of this.byAttempt.values()) if (answer.status === 'streaming') answer.status = 'done';
        this.turn.done = true;
        return [{ kind: 'done' }];
    }
  }

  private keepFullText(answer: Answer, rest: string): void {
    let full = this.fullTexts.get(answer.id);
    if (!full) this.fullTexts.set(answer.id, (full = { pieces: [answer.text], chars: answer.text.length }));
    const piece = rest.slice(0, Math.max(0, MAX_ANSWER_CHARS - full.chars));
    if (!piece) return;
    full.pieces.push(piece);
    full.chars += piece.length;
  }

  /** The run was stopped by the user: close whatever is still streaming. */
  cancel(): Answer[] {
    const changed: Answer[] = [];
    for (const answer of this.byAttempt.values()) {
      if (answer.status === 'streaming') {
        answer.status = 'cancelled';
        changed.push(answer);
      }
    }
    return changed;
  }

  private updateMeta(attempt: number, patch: Partial<AnswerMeta>): TurnUpdate[] {
    const answer = this.byAttempt.get(attempt);
    if (!answer) return [];
    answer.meta = { ...answer.meta, ...patch };
    return [{ kind: 'answer', answer }];
  }

  /** The most recent answer of this run from that model. */
  private findByRef(provider: string, model: string): Answer | undefined {
    const answers = [...this.byAttempt.values()].reverse();
    return answers.find((a) => a.provider === provider && a.model === model);
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

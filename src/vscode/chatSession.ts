/**
 * Runs panel requests: builds the RouteRequest (with a bounded slice of the conversation as
 * context), streams the router's events into the turn model, forwards batched updates to the
 * webview, logs decisions/escalations/failovers/errors, and owns the Stop button's AbortController.
 *
 * One request at a time: a new ask stops the one in flight (the socket is closed through the
 * AbortSignal the router passes down to the provider).
 */
import * as vscode from 'vscode';
import type { ChatMessage, ModelRef, NormalizedError, RouteRequest, Task } from '../core/types';
import { fromUsd } from '../core/cost/currency';
import { MAX_ANSWER_CHARS, MAX_DELTA_CHARS, type Answer, type AnswerUpdate, type ToWebview, type Turn } from '../shared/messages';
import type { Services } from './services';
import type { ConversationStore } from './conversationStore';
import { TurnBuilder, finalAnswerOf } from './turnModel';
import { describeError } from './errorStates';

/**
 * Deltas are sent to the webview at most this often. 2,000 tokens/s would otherwise be 2,000
 * postMessage calls a second; ~30 batches a second is smoother than the eye and the webview
 * still renders at most once per animation frame.
 */
export const DELTA_FLUSH_MS = 33;
const OWN_REFUSALS = new Set(['budget', 'local_only', 'config_invalid', 'cancelled']);
/** Earlier turns sent as context with a new prompt: enough for follow-ups, small for local models. */
export const HISTORY_TURNS = 6;
/** Truncated answers whose whole text is kept for "Open the full answer in an editor" (up to 20 MB each). */
const FULL_TEXTS_KEPT = 3;

/** switchyard.panel.maxAnswerMB in characters (1 MB = 1,000,000 characters). */
function maxAnswerChars(mb: number): number {
  return Math.min(MAX_ANSWER_CHARS, Math.round(mb * 1_000_000));
}

export interface AskOptions {
  prompt: string;
  /** Shown instead of the full prompt's first line ("Explain · main.ts:10-24"). */
  label?: string;
  task?: Task;
  languageId?: string;
  /** "provider" or "provider/model" (Retry with…). */
  pinned?: string;
  /** Append the run to this turn instead of starting a new one (Escalate / Retry with…). */
  appendTo?: Turn;
  escalateFrom?: { answer: string; reason: string };
  /** Why this run exists, shown on its first answer. */
  reason?: string;
}

/** What the status bar tooltip shows about the last request and the providers. */
export interface SessionStatus {
  lastRef?: ModelRef;
  lastLocality?: 'local' | 'cloud';
  /** provider id → last error seen this session (cleared by a later success). */
  providerErrors: Map<string, NormalizedError>;
}

export class ChatSession implements vscode.Disposable {
  private active: { controller: AbortController; builder: TurnBuilder; batcher: DeltaBatcher; done: Promise<void> } | undefined;
  private sink: ((message: ToWebview) => void) | undefined;
  readonly status: SessionStatus = { providerErrors: new Map() };
  private readonly finished = new vscode.EventEmitter<Turn>();
  /** Fires when a run ends (done, stopped or failed). */
  readonly onDidFinish = this.finished.event;
  private readonly streamingChanged = new vscode.EventEmitter<boolean>();
  /** answer id → the whole text of a truncated answer, in pieces (the newest FULL_TEXTS_KEPT). */
  private readonly fullTexts = new Map<string, { pieces: string[]; chars: number }>();
  readonly onDidChangeStreaming = this.streamingChanged.event;

  constructor(
    private readonly services: Services,
    readonly store: ConversationStore,
  ) {}

  /** The panel registers here to receive updates; undefined when it is closed. */
  attach(sink: ((message: ToWebview) => void) | undefined): void {
    this.sink = sink;
  }

  /**
   * Sends the text batched so far now. The panel calls it before taking its `init` snapshot,
   * which already holds that text: sent after the snapshot, it would be shown twice.
   */
  flushDeltas(): void {
    this.active?.batcher.flush();
  }

  /** The whole text of an answer: what was cut off too, if it is still kept. */
  fullText(answerId: string): string | undefined {
    const full = this.fullTexts.get(answerId);
    if (full) return full.pieces.join('');
    for (const turn of this.store.turns) for (const a of turn.answers) if (a.id === answerId) return a.text;
    return undefined;
  }

  get streaming(): boolean {
    return !!this.active;
  }

  /** Starts a request; resolves when it has ended. */
  async ask(options: AskOptions): Promise<Turn> {
    if (this.active) await this.stop();
    const turn = options.appendTo ?? {
      id: crypto.randomUUID().slice(0, 8),
      prompt: options.prompt,
      label: options.label,
      createdAt: Date.now(),
      answers: [],
      done: false,
    };
    if (!options.appendTo) this.store.add(turn);
    turn.done = false;
    turn.error = undefined;
    // Earlier answers of this turn are superseded once the new run really produces an answer
    // (a refused escalation must not hide the answer the user already has).
    let earlier = turn.answers.filter((a) => a.status === 'done' || a.status === 'cancelled');
    const supersedeEarlier = () => {
      for (const a of earlier) {
        a.status = 'escalated';
        a.meta = { ...a.meta, supersededBecause: options.reason };
        this.post({ type: 'answer', turnId: turn.id, answer: withoutText(a) });
      }
      earlier = [];
    };
    this.post({ type: 'turn', turn });

    const config = this.services.config();
    const currency = { currency: config.budget.currency, usdRate: config.budget.usdRate };
    const builder = new TurnBuilder(turn, crypto.randomUUID().slice(0, 6), config.budget.currency, (usd) => fromUsd(usd, currency), vscode.l10n.t, options.reason, maxAnswerChars(config.panel.maxAnswerMB));
    const controller = new AbortController();
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const batcher = new DeltaBatcher((answerId, text, thinking) =>
      this.post({ type: 'delta', turnId: turn.id, answerId, text, thinking }),
    );
    this.active = { controller, builder, batcher, done };
    this.setStreaming(true);

    const request: RouteRequest = {
      messages: this.contextFor(turn),
      task: options.task,
      languageId: options.languageId,
      pinned: options.pinned,
      workspaceId: this.services.workspaceId,
      escalateFrom: options.escalateFrom,
      signal: controller.signal,
    };
    if (options.pinned) request.mode = 'pinned';
    this.services.logger.info('request.start', {
      turn: turn.id,
      task: options.task ?? 'auto',
      pinned: options.pinned,
      escalate: !!options.escalateFrom,
      prompt: turn.prompt,
      messages: request.messages.length,
    });

    try {
      const router = await this.services.switchyard();
      for await (const event of router.stream(request)) {
        this.logEvent(turn, event);
        for (const update of builder.apply(event)) {
          switch (update.kind) {
            case 'delta':
              batcher.add(update.answerId, update.text, update.thinking);
              break;
            case 'answer':
              batcher.flush();
              if (update.answer.status === 'streaming') supersedeEarlier();
              this.post({ type: 'answer', turnId: turn.id, answer: withoutText(update.answer) });
              break;
            case 'error':
              batcher.flush();
              turn.error = describeError(update.error, update.decision, vscode.l10n.t);
              // Our own refusals (budget, Local only, Stop) say nothing about the provider's health.
              if (update.error.provider && !OWN_REFUSALS.has(update.error.kind)) this.status.providerErrors.set(update.error.provider, update.error);
              break;
            case 'done':
              break;
          }
        }
      }
    } catch (err) {
      // The router never throws by contract; building it can (no router, bad settings).
      const info: NormalizedError =
        err && typeof err === 'object' && 'info' in err
          ? (err as { info: NormalizedError }).info
          : { kind: 'unknown', message: err instanceof Error ? err.message : String(err), retryable: false };
      this.services.logger.error('request.failed', { turn: turn.id, error: info });
      turn.error = describeError(info, builder.lastDecision, vscode.l10n.t);
    } finally {
      for (const [id, full] of builder.fullTexts) this.keepFullText(id, full);
      batcher.flush();
      if (controller.signal.aborted) {
        for (const answer of builder.cancel()) this.post({ type: 'answer', turnId: turn.id, answer: withoutText(answer) });
        if (turn.error?.kind === 'cancelled') turn.error = undefined;
      }
      turn.done = true;
      const final = finalAnswerOf(turn) ?? builder.activeAnswer;
      if (final) this.noteSuccess(final);
      this.post({ type: 'turn', turn });
      this.active = undefined;
      this.setStreaming(false);
      resolveDone();
      await this.store.save();
      this.finished.fire(turn);
    }
    return turn;
  }

  /** Stops the request in flight; resolves once it has wound down. */
  async stop(): Promise<void> {
    const active = this.active;
    if (!active) return;
    this.services.logger.info('request.stop', {});
    active.controller.abort();
    await active.done;
  }

  /** Asks the next, stronger model about the same prompt, keeping the earlier answer collapsed. */
  async escalate(turn: Turn | undefined = this.store.last()): Promise<Turn | undefined> {
    if (!turn) return undefined;
    const previous = finalAnswerOf(turn);
    const reason = vscode.l10n.t('you asked for a stronger model');
    return this.ask({
      prompt: turn.prompt,
      appendTo: turn,
      task: previous?.meta.task as Task | undefined,
      escalateFrom: { answer: previous?.text ?? '', reason: 'user' },
      reason,
    });
  }

  /** Runs the same prompt again on a chosen provider or model. */
  async retryWith(turn: Turn, pinned: string): Promise<Turn> {
    const previous = finalAnswerOf(turn);
    return this.ask({
      prompt: turn.prompt,
      appendTo: turn,
      task: previous?.meta.task as Task | undefined,
      pinned,
      reason: vscode.l10n.t('you chose {0}', pinned),
    });
  }

  dispose(): void {
    this.active?.controller.abort();
    this.finished.dispose();
    this.streamingChanged.dispose();
  }

  /** The prompt plus up to HISTORY_TURNS earlier exchanges (their final answers only). */
  private contextFor(turn: Turn): ChatMessage[] {
    const earlier = this.store.turns.filter((t) => t !== turn && t.createdAt <= turn.createdAt).slice(-HISTORY_TURNS);
    const messages: ChatMessage[] = [];
    for (const t of earlier) {
      const answer = finalAnswerOf(t);
      if (!answer) continue;
      messages.push({ role: 'user', content: t.prompt }, { role: 'assistant', content: answer.text });
    }
    messages.push({ role: 'user', content: turn.prompt });
    return messages;
  }

  private noteSuccess(answer: Answer): void {
    if (answer.status !== 'done') return;
    this.status.lastRef = { provider: answer.provider, model: answer.model };
    this.status.lastLocality = answer.locality;
    this.status.providerErrors.delete(answer.provider);
  }

  private logEvent(turn: Turn, event: import('../core/types').StreamEvent): void {
    const log = this.services.logger;
    switch (event.type) {
      case 'decision':
        log.info('route.decision', {
          turn: turn.id,
          task: event.decision.task,
          taskReason: event.decision.taskReason,
          mode: event.decision.mode,
          candidates: event.decision.candidates.map((c) => `${c.ref.provider}/${c.ref.model}`),
          excluded: event.decision.excluded,
        });
        break;
      case 'start':
        log.info('route.start', { turn: turn.id, attempt: event.attempt, model: `${event.ref.provider}/${event.ref.model}`, locality: event.locality, why: event.why });
        break;
      case 'failover':
        log.warn('route.failover', { turn: turn.id, from: `${event.from.provider}/${event.from.model}`, to: `${event.to.provider}/${event.to.model}`, error: event.error });
        this.status.providerErrors.set(event.from.provider, event.error);
        break;
      case 'escalate':
        log.info('route.escalate', { turn: turn.id, from: `${event.from.provider}/${event.from.model}`, to: `${event.to.provider}/${event.to.model}`, reasons: event.reasons.filter((r) => r.fired) });
        break;
      case 'notice':
        log.info('route.notice', { turn: turn.id, attempt: event.attempt, notice: event.message });
        break;
      case 'usage':
        log.info('route.usage', { turn: turn.id, attempt: event.attempt, usage: event.usage });
        break;
      case 'cost':
        log.info('route.cost', { turn: turn.id, attempt: event.attempt, cost: event.cost });
        break;
      case 'finish':
        log.info('route.finish', { turn: turn.id, attempt: event.attempt, reason: event.reason, timing: event.timing });
        break;
      case 'error':
        log.error('route.error', { turn: turn.id, error: event.error });
        break;
      default:
        break;
    }
  }

  private keepFullText(answerId: string, full: { pieces: string[]; chars: number }): void {
    this.fullTexts.set(answerId, full);
    for (const id of this.fullTexts.keys()) if (this.fullTexts.size > FULL_TEXTS_KEPT) this.fullTexts.delete(id);
  }

  /** Never throws: a message the panel cannot take must not leave the run "streaming". */
  private post(message: ToWebview): void {
    try {
      this.sink?.(message);
    } catch (err) {
      this.services.logger.error('panel.post.failed', { type: message.type, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private setStreaming(streaming: boolean): void {
    void vscode.commands.executeCommand('setContext', 'switchyard.streaming', streaming);
    this.post({ type: 'streaming', streaming });
    this.streamingChanged.fire(streaming);
  }
}

/** An answer update without its text once it has some: the webview has that from the deltas (flushed first). */
function withoutText(answer: Answer): AnswerUpdate {
  return answer.text ? { ...answer, text: undefined } : answer;
}

/** Collects deltas per answer and sends them in batches every DELTA_FLUSH_MS. */
class DeltaBatcher {
  private pending = new Map<string, { text: string; thinking: string }>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly send: (answerId: string, text: string, thinking: string) => void) {}

  add(answerId: string, text: string, thinking: string): void {
    const entry = this.pending.get(answerId) ?? { text: '', thinking: '' };
    entry.text += text;
    entry.thinking += thinking;
    this.pending.set(answerId, entry);
    this.timer ??= setTimeout(() => this.flush(), DELTA_FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = new Map();
    // A batch longer than one message may carry goes as several, in order.
    for (const [answerId, { text, thinking }] of pending) {
      for (let at = 0; at === 0 || at < Math.max(text.length, thinking.length); at += MAX_DELTA_CHARS) {
        this.send(answerId, text.slice(at, at + MAX_DELTA_CHARS), thinking.slice(at, at + MAX_DELTA_CHARS));
      }
    }
  }
}

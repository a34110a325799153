/**
 * Runs panel requests: builds the RouteRequest (with a bounded slice of the conversation as
 * context), streams the router's events into the turn's one owner (TurnBuilder), forwards the
 * turn messages it returns to the webview (deltas batched), hands the store a snapshot at the
 * start and end of each run, and owns the Stop button's AbortController.
 *
 * One request at a time: a new ask stops the one in flight (the socket is closed through the
 * AbortSignal the router passes down to the provider).
 */
import * as vscode from 'vscode';
import type { ChatMessage, ModelRef, NormalizedError, RouteRequest, Task } from '../../core/types';
import { fromUsd } from '../../core/cost/currency';
import { MAX_ANSWER_CHARS, MAX_DELTA_CHARS, type Answer, type ToWebview, type Turn } from '../../shared/messages';
import type { TurnMessage } from '../../shared/turnProtocol';
import type { Services } from '../app/services';
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

  /**
   * The conversation as the panel shows it: the store's snapshots, with the run in flight as it
   * is now (what a webview that loads mid-answer gets in its `init`).
   */
  get turns(): Turn[] {
    const live = this.active?.builder;
    return this.store.turns.map((t) => (live && t.id === live.turn.id ? live.snapshot() : t));
  }

  /** Starts a request; resolves when it has ended. */
  async ask(options: AskOptions): Promise<Turn> {
    if (this.active) await this.stop();
    const start: Turn = options.appendTo ?? {
      id: crypto.randomUUID().slice(0, 8),
      prompt: options.prompt,
      label: options.label,
      createdAt: Date.now(),
      answers: [],
      done: false,
    };

    const config = this.services.config();
    const currency = { currency: config.budget.currency, usdRate: config.budget.usdRate };
    // The builder owns the turn's state from here on; this only forwards what it says changed.
    const runId = crypto.randomUUID().slice(0, 6);
    const builder = new TurnBuilder(start, runId, config.budget.currency, (usd) => fromUsd(usd, currency), vscode.l10n.t, options.reason, maxAnswerChars(config.panel.maxAnswerMB));
    const controller = new AbortController();
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const batcher = new DeltaBatcher((answerId, text, thinking) =>
      this.post({ type: 'delta', turnId: start.id, answerId, text, thinking }),
    );
    const forward = (messages: TurnMessage[]): void => {
      for (const message of messages) {
        if (message.type === 'delta') batcher.add(message.answerId, message.text, message.thinking);
        else {
          // Deltas first: an answer message never overtakes the text it follows.
          batcher.flush();
          this.post(message);
        }
      }
    };
    this.active = { controller, builder, batcher, done };
    this.store.put(builder.snapshot());
    forward(builder.begin());
    this.setStreaming(true);

    const turn = builder.turn;
    const request: RouteRequest = {
      messages: this.contextFor(turn),
      // The router's log lines for this run carry the turn's id and the run's.
      requestId: `${turn.id}.${runId}`,
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
      requestId: request.requestId,
      task: options.task ?? 'auto',
      pinned: options.pinned,
      escalate: !!options.escalateFrom,
      prompt: turn.prompt,
      messages: request.messages.length,
    });

    try {
      const router = await this.services.switchyard();
      // The router logs its own events (src/core/router/eventLog.ts); here they become the turn.
      for await (const event of router.stream(request)) {
        if (event.type === 'error') {
          builder.fail(describeError(event.error, builder.lastDecision, vscode.l10n.t));
          // Our own refusals (budget, Local only, Stop) say nothing about the provider's health.
          if (event.error.provider && !OWN_REFUSALS.has(event.error.kind)) this.status.providerErrors.set(event.error.provider, event.error);
        } else if (event.type === 'failover') {
          this.status.providerErrors.set(event.from.provider, event.error);
        }
        forward(builder.apply(event));
      }
    } catch (err) {
      // The router never throws by contract; building it can (no router, bad settings).
      const info: NormalizedError =
        err && typeof err === 'object' && 'info' in err
          ? (err as { info: NormalizedError }).info
          : { kind: 'unknown', message: err instanceof Error ? err.message : String(err), retryable: false };
      this.services.logger.error('request.failed', { turn: turn.id, error: info });
      builder.fail(describeError(info, builder.lastDecision, vscode.l10n.t));
    } finally {
      for (const [id, full] of builder.fullTexts) this.keepFullText(id, full);
      forward(builder.end(controller.signal.aborted));
      batcher.flush();
      const final = finalAnswerOf(builder.turn as Turn) ?? builder.activeAnswer;
      if (final) this.noteSuccess(final);
      this.store.put(builder.snapshot());
      this.active = undefined;
      this.setStreaming(false);
      resolveDone();
      await this.store.save();
    }
    const ended = this.store.find(start.id) ?? builder.snapshot();
    this.finished.fire(ended);
    return ended;
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
  private contextFor(turn: Readonly<Turn>): ChatMessage[] {
    const earlier = this.store.turns.filter((t) => t.id !== turn.id && t.createdAt <= turn.createdAt).slice(-HISTORY_TURNS);
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

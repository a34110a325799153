/**
 * One attempt's answer, from the provider's events to the caller's: the per-token part of the
 * router loop (see TokenPhase below for why it is not a generator).
 */
import type { AnswerWatcher, EscalationHook, FinishReason, ModelRef, NormalizedError, ProviderEvent, SignalResult, StreamEvent, Usage } from '../types';
import type { BufferedIterator } from '../providers/streamGuard';
import { toNormalizedError } from './errors';
import type { EscalationTarget } from './steps/context';
import { confirmEscalation } from './steps/judge';

export const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export interface TokenPhaseContext {
  attempt: number;
  ref: ModelRef;
  now: () => number;
  watcher: AnswerWatcher | undefined;
  /** Set when this attempt's answer could be escalated: where to, and the context for confirm. */
  escalation: EscalationTarget | undefined;
  hook: EscalationHook | undefined;
  requestSignal: AbortSignal;
  /** The attempt's own signal, given to the provider: aborting it closes the socket. */
  controller: AbortController;
  /** The reservation's progress hook: every provider event, so a killed process leaves its progress in the ledger. */
  observe: ((ev: ProviderEvent) => void) | undefined;
}

/**
 * One attempt's answer, from the provider's events to the caller's: the per-token part of the
 * router loop. It is a hand-written iterator and not a stretch of the loop's generators
 * because every generator layer (and every `yield*` between them) costs microtask hops on
 * every token; here a token costs one `.then` (bench/router-overhead.ts). What it learns
 * (text, usage, finish, error, escalation signals) the attempt reads when it resumes.
 */
export class TokenPhase implements AsyncIterator<StreamEvent> {
  text = '';
  thinking = '';
  usage: Usage | undefined;
  providerFinish: FinishReason | undefined;
  /** The answer's rate-limit headers, from its finish event (for the reliability guard). */
  rateLimit: Readonly<Record<string, string>> | undefined;
  firstAt: number | undefined;
  error: NormalizedError | undefined;
  /** Signals that stopped the stream because the escalation was confirmed. */
  stoppedByWatcher: SignalResult[] = [];
  /** Signals that fired mid-stream without stopping it. */
  readonly firedEarly: SignalResult[] = [];
  verdict: 'agreed' | 'declined' | undefined;
  /** What follows the phase's last event: set by RouteStream, which resumes the loop. */
  onEnd: () => Promise<IteratorResult<StreamEvent>> = () => Promise.resolve(DONE);
  private readonly events: BufferedIterator<ProviderEvent>;
  /** The watcher's verdict on the text event just handed out (or its failure), acted on when the caller asks for more, as a loop would after its `yield`. */
  private watched: { results: SignalResult[] } | { err: unknown } | undefined;

  constructor(
    events: AsyncIterable<ProviderEvent>,
    private readonly c: TokenPhaseContext,
  ) {
    this.events = events[Symbol.asyncIterator]();
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    const watched = this.watched;
    if (watched) {
      this.watched = undefined;
      if ('err' in watched) return this.fail(watched.err);
      return this.afterSignals(watched.results).then((stop) => (stop ? this.stop() : this.read()), (err: unknown) => this.fail(err));
    }
    return this.read();
  }

  /** The caller walked away: stop reading the provider (which closes its socket). */
  close(): void {
    this.events.return?.().catch(() => undefined);
  }

  private read(): Promise<IteratorResult<StreamEvent>> {
    // An event the provider already holds costs no promise step of its own (BufferedIterator).
    const buffered = this.events.readBuffered?.();
    if (buffered) return Promise.resolve(this.onValue(buffered));
    return this.events.next().then(this.onEvent, (err: unknown) => this.fail(err));
  }

  private readonly onEvent = (r: IteratorResult<ProviderEvent>): IteratorResult<StreamEvent> | Promise<IteratorResult<StreamEvent>> =>
    r.done ? this.onEnd() : this.onValue(r.value);

  private onValue(ev: ProviderEvent): IteratorResult<StreamEvent> | Promise<IteratorResult<StreamEvent>> {
    const { attempt } = this.c;
    this.c.observe?.(ev);
    switch (ev.type) {
      case 'text': {
        this.firstAt ??= this.c.now();
        this.text += ev.text;
        // Hot path (one pass per token): no allocation beyond the event unless the watcher reports something.
        if (this.c.watcher) {
          try {
            const results = this.c.watcher.onText(ev.text, ev.logprobs);
            if (results && results.length > 0) this.watched = { results };
          } catch (err) {
            this.watched = { err };
          }
        }
        return { done: false, value: ev.logprobs ? { type: 'text', attempt, text: ev.text, logprobs: ev.logprobs } : { type: 'text', attempt, text: ev.text } };
      }
      case 'thinking':
        this.firstAt ??= this.c.now();
        this.thinking += ev.text;
        return { done: false, value: { type: 'thinking', attempt, text: ev.text } };
      case 'usage':
        this.usage = ev.usage;
        return { done: false, value: { type: 'usage', attempt, usage: ev.usage } };
      case 'finish':
        this.providerFinish = ev.reason;
        if (ev.rateLimit) this.rateLimit = ev.rateLimit;
        return this.read();
    }
  }

  /** Escalation signals fired on the last text: true when the stream is to be cut here. */
  private async afterSignals(results: SignalResult[]): Promise<boolean> {
    const fired = results.filter((r) => r.fired);
    const { escalation, hook } = this.c;
    if (fired.length > 0 && escalation && hook && this.verdict === undefined) {
      // Ask now, with the stream paused (unread, so backpressure holds the model): when
      // the answer will be replaced, every further token is wasted time; when the
      // escalation is declined, the user keeps a complete local answer.
      this.verdict = (await confirmEscalation(hook, fired, escalation.target, escalation.context)) ? 'agreed' : 'declined';
      if (this.verdict === 'agreed' && !this.c.requestSignal.aborted) {
        this.stoppedByWatcher = fired;
        return true;
      }
    }
    for (const f of fired) if (!this.firedEarly.some((e) => e.signal === f.signal)) this.firedEarly.push(f);
    return false;
  }

  private stop(): Promise<IteratorResult<StreamEvent>> {
    this.c.controller.abort();
    this.close();
    return this.onEnd();
  }

  /** A failure of the provider or of the watcher ends the answer (a finished provider stream ignores the close). */
  private fail(err: unknown): Promise<IteratorResult<StreamEvent>> {
    this.error = toNormalizedError(err, this.c.ref);
    this.close();
    return this.onEnd();
  }
}

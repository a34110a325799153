/**
 * The router loop: one request, planned once, tried candidate by candidate. This is the ONE
 * place that retries, fails over and escalates (provider SDK retries are off), so every
 * decision is visible in the event stream and the log.
 *
 * Per request:  decision → (attempt: start → thinking/text/usage… → cost → finish)
 *               [→ failover | escalate → next attempt]… → error? → done
 *
 * Timeouts (before the first byte and between chunks) belong to the providers (streamGuard),
 * which report them as `timeout` errors; the loop fails over on them like any other.
 *
 * Guarantees callers rely on:
 * - it never throws: every failure becomes an `error` event, and `done` is always the last event;
 * - every SpendGuard reservation is settled exactly once (success, failure, cancel, or the
 *   caller walking away from the iterator);
 * - cancelling the request signal aborts the attempt at the socket and ends with
 *   `finish: cancelled` then `done`.
 */
import type {
  AnswerWatcher,
  Candidate,
  ChatMessage,
  ConfigInvalid,
  CostBreakdown,
  EscalationHook,
  FinishReason,
  Logger,
  ModelRef,
  NormalizedError,
  Provider,
  ProviderEvent,
  Reservation,
  RouteRequest,
  RoutingDecision,
  SignalResult,
  SpendGuard,
  StreamEvent,
  Timing,
  Task,
  Usage,
} from '../types';
import { formatModelRef } from '../types';
import { noticeEvent } from '../reasons';
import { estimateInputTokens } from '../cost/tokens';
import type { BufferedIterator } from '../providers/streamGuard';
import { promptTooLargeError } from './contextFit';
import { DEFAULT_MAX_TOKENS } from './defaults';
import { FAILOVER_KINDS, cancelledError, configInvalidError, toNormalizedError } from './errors';

export interface RouterDeps {
  /** Classifies (when needed) and selects; see selection.ts. */
  plan(req: RouteRequest): Promise<RoutingDecision>;
  provider(id: string): Provider | undefined;
  /** Ollama keep_alive for a local model (the sidecar's residency plan, else settings `local.keepAlive`). */
  keepAliveFor?(model: string): string | number | undefined;
  spendGuard?: SpendGuard;
  escalation?: EscalationHook;
  /** Settings that fail closed and could not be read: no cloud candidate is tried (see parseConfig). */
  cloudRefused?: readonly ConfigInvalid[];
  logger: Logger;
  /** Monotonic clock in ms; performance.now by default. */
  now?: () => number;
}

/**
 * At most one escalation per request: the cascade is "small model, then big model"; a second
 * hop would multiply cost on exactly the questions no model answers well.
 */
const MAX_ESCALATIONS = 1;

/** The outcome of one attempt, decided on by the loop. */
type AttemptOutcome =
  /** `verdict`: whether escalation was already confirmed or declined mid-stream. */
  | { kind: 'answered'; fired: SignalResult[]; verdict?: 'agreed' | 'declined' }
  | { kind: 'cancelled' }
  /** Failed before its first token (or was refused by the budget before starting): try the next candidate. */
  | { kind: 'next'; error: NormalizedError }
  /** Failed in a way no other candidate fixes, or after the first token. */
  | { kind: 'fatal'; error: NormalizedError };

export function routeStream(req: RouteRequest, deps: RouterDeps): AsyncIterableIterator<StreamEvent> {
  return new RouteStream(routeEvents(req, deps));
}

/** The loop itself; its attempts hand their answer streams to RouteStream as TokenPhases. */
async function* routeEvents(req: RouteRequest, deps: RouterDeps): AsyncGenerator<StreamEvent | TokenPhase, void, undefined> {
  const log = deps.logger;
  const requestId = newRequestId();
  let attempts = 0;
  let finalRef: ModelRef | undefined;
  /**
   * Input size for the budget, counted once per request and only when a budget or an
   * escalation needs it, with the cost module's tokenizer so that the reservation and the
   * final bill count the same way.
   */
  let inputTokens: number | undefined;
  const inputTokensEstimate = (): number => (inputTokens ??= estimateInputTokens(req.messages, req.fim));
  const escalationContext = (decision: RoutingDecision): EscalationContext => escalationContextFor(req, decision.mode, inputTokensEstimate());
  try {
    yield* route();
  } catch (err) {
    // A bug or a broken hook: report it as an event, never as a throw.
    const error = toNormalizedError(err);
    log.error('route.internal_error', { requestId, message: error.message });
    yield { type: 'error', error };
  }
  yield { type: 'done', attempts, finalRef };

  async function* route(): AsyncGenerator<StreamEvent | TokenPhase, void, undefined> {
    if (req.signal.aborted) return;
    const decision = await deps.plan(req);
    const task = decision.task;
    log.info('route.decision', {
      requestId,
      task,
      taskReason: decision.taskReason,
      mode: decision.mode,
      candidates: decision.candidates.map((c) => formatModelRef(c.ref)),
      excluded: decision.excluded.map((e) => `${e.ref}: ${e.why}`),
    });
    yield { type: 'decision', decision };
    // Selection already leaves cloud providers out then; this holds whatever plan() returned.
    const refusal = deps.cloudRefused?.length ? configInvalidError(deps.cloudRefused) : undefined;
    const queue = refusal ? decision.candidates.filter((c) => c.locality !== 'cloud') : decision.candidates;
    if (queue.length === 0) {
      const error = noCandidateError(decision, refusal);
      log.warn('route.no_candidate', { requestId, kind: error.kind, message: error.message });
      yield { type: 'error', error };
      return;
    }

    let index = 0;
    let escalatedFrom: ModelRef | undefined;
    let escalations = 0;
    /** The answer standing if an escalation fails: the local one. */
    let previousAnswer: ModelRef | undefined;

    while (index < queue.length) {
      const candidate = queue[index]!;
      const attempt = attempts + 1;
      // A doubtful answer is cut short only when it can actually be escalated and the hook agrees.
      const targetIndex = decision.mode !== 'local' && escalations < MAX_ESCALATIONS ? findEscalationTarget(queue, index) : -1;
      const escalation = targetIndex >= 0 ? { target: queue[targetIndex]!, context: escalationContext(decision) } : undefined;
      const outcome: AttemptOutcome = yield* runAttempt(candidate, attempt, escalatedFrom, () => attempts++, task, escalation);

      if (outcome.kind === 'cancelled') {
        log.info('route.cancelled', { requestId, ref: formatModelRef(candidate.ref) });
        return;
      }
      if (outcome.kind === 'fatal') {
        log.error('route.error', errorFields(requestId, candidate.ref, outcome.error));
        yield { type: 'error', error: outcome.error };
        return;
      }
      if (outcome.kind === 'next') {
        const nextIndex = findNext(queue, index + 1, escalatedFrom !== undefined);
        if (nextIndex < 0) {
          log.error('route.exhausted', errorFields(requestId, candidate.ref, outcome.error));
          if (previousAnswer) {
            // The escalation failed; the local answer the user already has stands.
            finalRef = previousAnswer;
            yield noticeEvent(attempts, { code: 'notice_escalation_failed', error: outcome.error.message, model: formatModelRef(previousAnswer) });
            return;
          }
          // With cloud refused, the invalid setting is why nothing else was tried: it is the error to fix.
          yield { type: 'error', error: refusal ? { ...refusal, message: `${refusal.message} The local attempt failed: ${outcome.error.message}` } : outcome.error };
          return;
        }
        const next = queue[nextIndex]!;
        log.warn('route.failover', { ...errorFields(requestId, candidate.ref, outcome.error), to: formatModelRef(next.ref) });
        yield { type: 'failover', from: candidate.ref, to: next.ref, error: outcome.error };
        index = nextIndex;
        continue;
      }

      // Answered. Escalate when the escalation hook's signals fired, the mode and policy allow.
      finalRef = candidate.ref;
      const fired = outcome.fired;
      if (fired.length === 0 || !deps.escalation) return;
      const signals = fired.flatMap((f) => (f.reason ? [f.reason] : []));
      if (decision.mode === 'local') {
        log.info('route.escalation_blocked', { requestId, from: formatModelRef(candidate.ref), signals: fired.map((f) => f.signal), because: 'local-only mode' });
        yield noticeEvent(attempts, { code: 'notice_unreliable_local_only', signals }, fired);
        return;
      }
      if (targetIndex < 0) {
        yield noticeEvent(attempts, refusal ? { code: 'notice_unreliable_refused', signals, refusal: refusal.message } : { code: 'notice_unreliable_no_target', signals }, fired);
        return;
      }
      const nextIndex = targetIndex;
      const next = queue[nextIndex]!;
      const agreed =
        outcome.verdict !== undefined ? outcome.verdict === 'agreed' : await confirmEscalation(deps.escalation, fired, next, escalationContext(decision));
      if (!agreed || req.signal.aborted) {
        log.info('route.escalation_declined', { requestId, from: formatModelRef(candidate.ref), to: formatModelRef(next.ref) });
        return;
      }
      log.info('route.escalate', { requestId, from: formatModelRef(candidate.ref), to: formatModelRef(next.ref), signals: fired.map((f) => f.signal) });
      yield { type: 'escalate', from: candidate.ref, to: next.ref, reasons: fired };
      escalations++;
      escalatedFrom = candidate.ref;
      previousAnswer = candidate.ref;
      index = nextIndex;
    }
  }

  /** One attempt at one candidate; yields its events and returns how it ended. */
  async function* runAttempt(
    candidate: Candidate,
    attempt: number,
    escalatedFromRef: ModelRef | undefined,
    countAttempt: () => void,
    task: Task,
    /** Set when this attempt's answer could be escalated: where to, and the context for confirm. */
    escalation: { target: Candidate; context: EscalationContext } | undefined,
  ): AsyncGenerator<StreamEvent | TokenPhase, AttemptOutcome, undefined> {
    const { ref, locality } = candidate;
    const provider = deps.provider(ref.provider);
    if (!provider) return { kind: 'next', error: { kind: 'unknown', message: `No provider "${ref.provider}" is set up.`, provider: ref.provider, retryable: false } };
    if (req.signal.aborted) return { kind: 'cancelled' };

    let maxTokens = req.maxTokens ?? DEFAULT_MAX_TOKENS;
    let reservation: Reservation | undefined;
    if (deps.spendGuard) {
      try {
        reservation = await deps.spendGuard.reserve({
          workspaceId: req.workspaceId,
          task: task,
          ref,
          locality,
          inputTokensEstimate: inputTokensEstimate(),
          maxTokens,
          escalatedFrom: escalatedFromRef,
          requestId,
          thinking: req.thinking,
        });
      } catch (err) {
        // A refusal (or a broken guard) means no spending on this candidate: fail closed, try the next.
        const error = toNormalizedError(err, ref);
        log.warn('route.reserve_refused', errorFields(requestId, ref, error));
        return { kind: 'next', error };
      }
      maxTokens = reservation.maxTokens;
    }

    let settled = false;
    const settle = async (outcome: { usage?: Usage; finish: FinishReason; latencyMs: number; outputText?: string }): Promise<CostBreakdown | undefined> => {
      if (settled) return undefined;
      settled = true;
      if (!reservation) return undefined;
      try {
        return await reservation.settle(outcome);
      } catch (err) {
        log.error('route.settle_failed', { requestId, ref: formatModelRef(ref), message: toNormalizedError(err).message });
        return undefined;
      }
    };

    const now = deps.now ?? (() => performance.now());
    const controller = new AbortController();
    const onRequestAbort = (): void => controller.abort(req.signal.reason);
    // Not `once`: it is removed in `finally` anyway, and a `once` listener costs twice as much to add and remove.
    req.signal.addEventListener('abort', onRequestAbort);
    if (req.signal.aborted) controller.abort(req.signal.reason);
    const hook = deps.escalation;

    const startedAt = Date.now();
    let t0 = now();
    let streaming: TokenPhase | undefined;

    try {
      countAttempt();
      log.info('route.attempt', { requestId, attempt, ref: formatModelRef(ref), locality, escalatedFrom: escalatedFromRef && formatModelRef(escalatedFromRef) });
      yield { type: 'start', attempt, ref, locality, why: candidate.why, ...(candidate.reasons ? { reasons: candidate.reasons } : {}) };
      if (reservation?.notice) yield { type: 'notice', attempt, message: reservation.notice, ...(reservation.noticeReason ? { reason: reservation.noticeReason } : {}) };

      const watcher: AnswerWatcher | undefined = hook?.watch(task, ref, locality, req.languageId);
      const messages = withSystemPrompt(req.messages, hook?.systemPromptFor(task, locality));

      t0 = now();
      const events: AsyncIterable<ProviderEvent> = provider.stream({
        model: ref.model,
        messages,
        maxTokens,
        temperature: req.temperature,
        thinking: req.thinking,
        logprobs: watcher !== undefined && locality === 'local' && provider.capabilities.logprobs ? true : undefined,
        fim: req.fim,
        keepAlive: locality === 'local' ? deps.keepAliveFor?.(ref.model) : undefined,
        signal: controller.signal,
      });
      // The answer streams through the fast lane (TokenPhase); the loop resumes here when it ends.
      const phase = new TokenPhase(events, { attempt, ref, now, watcher, escalation, hook, requestSignal: req.signal, controller, observe: reservation?.observe?.bind(reservation) });
      streaming = phase;
      yield phase;
      const { text, thinking, usage, providerFinish, firstAt, stoppedByWatcher, firedEarly, verdict } = phase;
      let error = phase.error;
      const end = now();
      const timing: Timing = { startedAt, totalMs: end - t0 };
      if (firstAt !== undefined) {
        timing.ttftMs = firstAt - t0;
        // A non-streaming provider (the simple NPU shape) delivers everything at once: its
        // generation time is the whole request, not the instant after the only delta.
        const generationSeconds = (end - (provider.capabilities.streaming ? firstAt : t0)) / 1000;
        if (usage && usage.outputTokens > 0 && generationSeconds > 0) timing.tokensPerSecond = usage.outputTokens / generationSeconds;
      }

      const cancelled = req.signal.aborted;
      if (cancelled) error = undefined;
      let finish: FinishReason;
      if (cancelled || stoppedByWatcher.length > 0) finish = 'cancelled';
      else if (error) finish = 'error';
      else finish = providerFinish ?? 'stop';

      // No reservation, nothing to settle: no await either (it would cost promise hops on every answer's tail).
      const cost = reservation ? await settle({ usage, finish, latencyMs: timing.totalMs, outputText: thinking + text || undefined }) : undefined;
      settled = true;
      if (cost) yield { type: 'cost', attempt, cost };

      let fired = stoppedByWatcher;
      if (watcher && fired.length === 0 && !error && !cancelled) {
        fired = [...firedEarly];
        for (const r of watcher.onFinish(text, finish)) if (r.fired && !fired.some((f) => f.signal === r.signal)) fired.push(r);
      }

      log.info('route.finish', {
        requestId,
        attempt,
        ref: formatModelRef(ref),
        reason: finish,
        ttftMs: timing.ttftMs,
        totalMs: timing.totalMs,
        outputTokens: usage?.outputTokens,
        errorKind: error?.kind,
      });
      yield { type: 'finish', attempt, reason: finish, timing };

      if (cancelled) return { kind: 'cancelled' };
      if (error) {
        if (error.kind === 'cancelled') return { kind: 'fatal', error: cancelledError(ref) };
        return firstAt === undefined && FAILOVER_KINDS.has(error.kind) ? { kind: 'next', error } : { kind: 'fatal', error };
      }
      return { kind: 'answered', fired, verdict };
    } finally {
      req.signal.removeEventListener('abort', onRequestAbort);
      // The caller walked away mid-stream (or something threw): stop the socket, settle once.
      if (!settled) {
        controller.abort();
        await settle({ usage: streaming?.usage, finish: 'cancelled', latencyMs: now() - t0, outputText: (streaming && streaming.thinking + streaming.text) || undefined });
      }
    }
  }
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

interface TokenPhaseContext {
  attempt: number;
  ref: ModelRef;
  now: () => number;
  watcher: AnswerWatcher | undefined;
  /** Set when this attempt's answer could be escalated: where to, and the context for confirm. */
  escalation: { target: Candidate; context: EscalationContext } | undefined;
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
class TokenPhase implements AsyncIterator<StreamEvent> {
  text = '';
  thinking = '';
  usage: Usage | undefined;
  providerFinish: FinishReason | undefined;
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

/**
 * The router's stream as callers see it: the loop's own events, and during each attempt its
 * TokenPhase's, read straight from the phase (no generator in between).
 */
class RouteStream implements AsyncIterableIterator<StreamEvent> {
  private phase: TokenPhase | undefined;

  constructor(private readonly loop: AsyncGenerator<StreamEvent | TokenPhase, void, undefined>) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StreamEvent>> {
    return this.phase ? this.phase.next() : this.resume();
  }

  /** The caller walked away: the attempt's `finally` stops the socket and settles the reservation. */
  return(): Promise<IteratorResult<StreamEvent>> {
    this.phase?.close();
    this.phase = undefined;
    return this.loop.return(undefined).then((): IteratorResult<StreamEvent> => DONE);
  }

  private resume(): Promise<IteratorResult<StreamEvent>> {
    return this.loop.next().then(this.onLoop);
  }

  private readonly onLoop = (r: IteratorResult<StreamEvent | TokenPhase, void>): IteratorResult<StreamEvent> | Promise<IteratorResult<StreamEvent>> => {
    if (r.done) return DONE;
    const value = r.value;
    if (!(value instanceof TokenPhase)) return { done: false, value };
    this.phase = value;
    value.onEnd = () => {
      this.phase = undefined;
      return this.resume();
    };
    return value.next();
  };
}

/** Next candidate index from `from`, skipping local ones once the request has escalated. */
function findNext(queue: readonly Candidate[], from: number, cloudOnly: boolean): number {
  for (let i = from; i < queue.length; i++) if (!cloudOnly || queue[i]!.locality === 'cloud') return i;
  return -1;
}

/** From a local answer: the next cloud candidate. From a cloud answer: the next one in the list. */
function findEscalationTarget(queue: readonly Candidate[], current: number): number {
  return findNext(queue, current + 1, true);
}

/** Appends the escalation hook's instruction to the system prompt (or adds one). */
export function withSystemPrompt(messages: ChatMessage[], extra: string | undefined): ChatMessage[] {
  if (!extra) return messages;
  const i = messages.findIndex((m) => m.role === 'system');
  if (i < 0) return [{ role: 'system', content: extra }, ...messages];
  return messages.map((m, j) => (j === i ? { role: 'system', content: `${m.content}\n\n${extra}` } : m));
}

/** The request context handed to EscalationHook.confirm. */
function escalationContextFor(req: RouteRequest, mode: RoutingDecision['mode'], inputTokensEstimate: number): EscalationContext {
  return { mode, inputTokensEstimate, maxTokens: req.maxTokens ?? DEFAULT_MAX_TOKENS, workspaceId: req.workspaceId };
}

interface EscalationContext {
  mode: RoutingDecision['mode'];
  inputTokensEstimate: number;
  maxTokens: number;
  workspaceId: string;
}

/**
 * Calls the hook's confirm with the request context as an optional third argument (the
 * escalation module uses it for Local-only and the per-request cost ceiling).
 */
function confirmEscalation(hook: EscalationHook, reasons: SignalResult[], next: Candidate, context: EscalationContext): Promise<boolean> {
  const confirm = hook.confirm as (reasons: SignalResult[], next: Candidate, context?: EscalationContext) => Promise<boolean>;
  return confirm.call(hook, reasons, next, context).catch(() => false);
}

function noCandidateError(decision: RoutingDecision, refusal: NormalizedError | undefined): NormalizedError {
  // No window holds the prompt: say that with the sizes, whatever the mode.
  const tooLarge = promptTooLargeError(decision);
  if (tooLarge) return tooLarge;
  const shown = decision.excluded.slice(0, 4).map((e) => e.why);
  const reasons = shown.length > 0 ? ` Left out: ${shown.join('; ')}${decision.excluded.length > shown.length ? '; …' : ''}.` : '';
  if (refusal) return { ...refusal, message: `${refusal.message} No local model could take this ${decision.task} request.${reasons}` };
  if (decision.mode === 'local') {
    return {
      kind: 'local_only',
      message: `No local model can answer this ${decision.task} request, and Local-only mode forbids cloud models.${reasons} Install one (for example "ollama pull qwen2.5:7b") or change the mode.`,
      retryable: false,
    };
  }
  // A provider left out only for its missing key is one thing the user can do (the surface says how).
  const fix = decision.excluded.find((e) => e.fix)?.fix;
  return {
    kind: 'model_not_found',
    message: `No model is available for this ${decision.task} request.${reasons} Start Ollama, add an API key, or check the provider settings.`,
    retryable: false,
    ...(fix ? { fix } : {}),
  };
}

function errorFields(requestId: string, ref: ModelRef, error: NormalizedError): Record<string, unknown> {
  // The message is ours or the vendor's error text, never the prompt; keys are never in it (provider contract).
  return { requestId, ref: formatModelRef(ref), kind: error.kind, status: error.status, providerCode: error.providerCode, message: error.message };
}

let requestSeq = 0;
function newRequestId(): string {
  return `r${Date.now().toString(36)}-${(++requestSeq).toString(36)}`;
}

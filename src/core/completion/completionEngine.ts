/**
 * The inline completion engine, independent of VS Code: given a cursor position it answers with
 * ghost text or with the reason there is none.
 *
 * Per keystroke: settings and cursor checks → cache (typing into / backspacing in / revisiting a
 * suggestion) → the request in flight, when the user typed what it predicts → adaptive delay →
 * model check → one new streamed FIM request through the router (task "completion"), shaped
 * and stopped early. At most one request per document is on the wire; a newer position that it
 * does not predict aborts it at once.
 */
import { realTimers, type Timers } from '../timers';
import { formatModelRef, type Logger, type ModelInfo, type RouteRequest, type StreamEvent } from '../types';
import { adaptiveDelayMs, Ewma, TypingRhythm } from './adaptiveDelay';
import { CompletionCache, type CursorSnapshot } from './completionCache';
import { CompletionShaper } from './completionShaper';
import { analyzeCursor } from './cursorContext';
import { InflightRequest, type InflightResult } from './inflightRequest';
import { ModelCheck } from './modelCheck';
import { assemblePrompt } from './promptAssembly';
import { REASON_TEXT, reasonForError, type NoSuggestionReason } from './reasons';
import type { RecentDocuments } from './recentDocuments';

import { DEFAULT_COMPLETION_MODEL } from './defaults';

export { DEFAULT_COMPLETION_MODEL };
/** Low but non-zero: completions should be the likely continuation, not a creative one (Tabby/Continue use 0.1–0.2). */
export const COMPLETION_TEMPERATURE = 0.2;
/**
 * A request nobody waits for any more is aborted after this, unless a new position adopts it.
 * It covers VS Code's own pause between cancelling the old provider call and making the new one
 * (its inline-suggest debounce is tens of milliseconds).
 */
export const ORPHAN_GRACE_MS = 300;

export interface CompletionSettings {
  enabled: boolean;
  disabledLanguages: string[];
  model?: string;
  allowCloud: boolean;
  minDelayMs: number;
  maxDelayMs: number;
  maxPrefixTokens: number;
  maxSuffixTokens: number;
  maxTokens: number;
  /** Tokens of other recent files added as context; 0 turns it off. */
  contextTokens: number;
  /** Give up when no text arrived after this long. */
  timeoutMs: number;
}

export interface CompletionRequest extends CursorSnapshot {
  languageId: string;
  /** Workspace-relative path, for context headers. */
  filePath?: string;
}

export type CompletionOutcome =
  | {
      kind: 'suggestion';
      text: string;
      source: 'cache' | 'reuse' | 'model';
      model?: string;
      /** For model/reuse answers: the serial of the stream (1-based, per engine) and how much of its raw text was used. */
      stream?: { serial: number; rawChars: number; stoppedEarly: boolean };
    }
  | { kind: 'none'; reason: NoSuggestionReason; detail: string };

export interface CompletionStatus {
  generating: boolean;
  model?: string;
}

export interface EngineStats {
  calls: number;
  requests: number;
  /** Requests stopped before their answer was used (superseded, orphaned, timed out). */
  aborted: number;
  earlyStopped: number;
  cacheHits: number;
  reuses: number;
  suggestions: number;
  none: Partial<Record<NoSuggestionReason, number>>;
}

export interface EngineDeps {
  /** The router: Switchyard.stream. */
  stream: (req: RouteRequest) => AsyncIterable<StreamEvent>;
  /** Switchyard.listModels, for the model check; without it the request itself finds out. */
  listModels?: (signal?: AbortSignal) => Promise<ModelInfo[]>;
  /** Read on every call, so settings changes apply at once. */
  settings: () => CompletionSettings;
  logger: Logger;
  workspaceId: string;
  recent?: RecentDocuments;
  onStatus?: (status: CompletionStatus) => void;
  now?: () => number;
  /** Schedules the orphan grace (a test passes a manual clock); the real timers by default. */
  timers?: Timers;
}

export class CompletionEngine {
  readonly cache: CompletionCache;
  private readonly rhythm = new TypingRhythm();
  private readonly latency = new Ewma();
  private readonly modelCheck: ModelCheck;
  private readonly inflight = new Map<string, InflightRequest>();
  private readonly lastNoted = new Map<string, CursorSnapshot>();
  private serial = 0;
  /** Streams running right now (an aborted one may still be draining while its successor starts). */
  private active = 0;
  private readonly now: () => number;
  private readonly timers: Timers;
  readonly stats: EngineStats = { calls: 0, requests: 0, aborted: 0, earlyStopped: 0, cacheHits: 0, reuses: 0, suggestions: 0, none: {} };

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? Date.now;
    this.timers = deps.timers ?? realTimers;
    this.cache = new CompletionCache(this.now);
    this.modelCheck = new ModelCheck(deps.listModels, this.now);
  }

  /**
   * The editor changed (an edit, or a cursor move without one). Called from the document and
   * selection change events, before VS Code asks for the next suggestion: a request in flight
   * that does not predict the new position is aborted right here.
   */
  noteChange(at: CursorSnapshot, isEdit: boolean): void {
    if (isEdit) this.rhythm.noteKeystroke(this.now());
    this.lastNoted.set(at.docKey, at);
    const req = this.inflight.get(at.docKey);
    if (req && req.typedInto(at) === undefined) req.stop('superseded');
  }

  /** A document was closed: abort its request, drop its cache entries. */
  forget(docKey: string): void {
    this.inflight.get(docKey)?.stop('superseded');
    this.cache.clear(docKey);
    this.lastNoted.delete(docKey);
    this.deps.recent?.forget(docKey);
  }

  /** Settings or installed models changed. */
  invalidateModels(): void {
    this.modelCheck.invalidate();
  }

  /** Lists models ahead of the first keystroke, so the first completion does not pay for it. */
  async warmUp(): Promise<void> {
    const settings = this.deps.settings();
    if (settings.enabled) await this.modelCheck.check(this.modelRef(), settings.allowCloud);
  }

  modelRef(): string {
    return this.deps.settings().model || DEFAULT_COMPLETION_MODEL;
  }

  async complete(req: CompletionRequest, signal: AbortSignal): Promise<CompletionOutcome> {
    this.stats.calls++;
    const outcome = await this.decide(req, signal);
    if (outcome.kind === 'suggestion') {
      this.stats.suggestions++;
    } else {
      this.stats.none[outcome.reason] = (this.stats.none[outcome.reason] ?? 0) + 1;
      // Superseded positions are the normal case while typing: counted, not logged one by one.
      if (outcome.reason !== 'superseded' && outcome.reason !== 'mid-word') {
        this.deps.logger.info('completion.none', { reason: outcome.reason, why: REASON_TEXT[outcome.reason], detail: outcome.detail, languageId: req.languageId });
      }
    }
    return outcome;
  }

  private async decide(req: CompletionRequest, signal: AbortSignal): Promise<CompletionOutcome> {
    const settings = this.deps.settings();
    if (!settings.enabled) return none('disabled', 'switchyard.completion.enabled is false');
    if (settings.disabledLanguages.includes(req.languageId)) return none('disabled-language', `language "${req.languageId}"`);
    const ctx = analyzeCursor(req.before, req.after);
    if (ctx.skip) return none(ctx.skip, 'the next character continues the word');

    const hit = this.cache.lookup(req);
    if (hit) {
      this.stats.cacheHits++;
      return { kind: 'suggestion', text: hit.text, source: 'cache', ...(hit.model ? { model: hit.model } : {}) };
    }

    this.noteChange(req, false);
    const reused = await this.tryReuse(req, signal);
    if (reused) return reused;

    await sleep(
      adaptiveDelayMs({
        keyIntervalMs: this.rhythm.intervalMs,
        atTrigger: ctx.atTrigger,
        minMs: settings.minDelayMs,
        maxMs: Math.max(settings.minDelayMs, settings.maxDelayMs),
        ...(this.latency.value !== undefined ? { modelLatencyMs: this.latency.value } : {}),
      }),
      signal,
    );
    if (signal.aborted) return none('superseded', 'changed during the delay');

    // While we waited, another position may have filled the cache or started a request we can use.
    const late = this.cache.lookup(req);
    if (late) {
      this.stats.cacheHits++;
      return { kind: 'suggestion', text: late.text, source: 'cache', ...(late.model ? { model: late.model } : {}) };
    }
    const lateReuse = await this.tryReuse(req, signal);
    if (lateReuse) return lateReuse;

    const modelRef = this.modelRef();
    const verdict = await this.modelCheck.check(modelRef, settings.allowCloud);
    if (!verdict.ok) return none(verdict.reason, verdict.detail);
    if (signal.aborted) return none('superseded', 'changed during the model check');

    const started = this.start(req, settings, modelRef, ctx);
    return this.await(started, req, signal, 'model');
  }

  /** Attaches to the request in flight when this position is its own or typed into its prediction. */
  private async tryReuse(req: CompletionRequest, signal: AbortSignal): Promise<CompletionOutcome | undefined> {
    const inflight = this.inflight.get(req.docKey);
    if (!inflight || inflight.typedInto(req) === undefined) return undefined;
    const outcome = await this.await(inflight, req, signal, 'reuse');
    // The stream went somewhere the user did not (its text disagreed with what was typed, or it
    // ended before this position): this position still wants its own request.
    const diverged = outcome.kind === 'none' && (outcome.reason === 'superseded' || outcome.reason === 'empty') && inflight.origin.offset !== req.offset;
    if (diverged && !signal.aborted) return undefined;
    return outcome;
  }

  private start(req: CompletionRequest, settings: CompletionSettings, modelRef: string, ctx: ReturnType<typeof analyzeCursor>): InflightRequest {
    this.inflight.get(req.docKey)?.stop('superseded');
    const snippets = settings.contextTokens > 0 ? this.deps.recent?.snippets(req.languageId, req.docKey, settings.contextTokens) ?? [] : [];
    const prompt = assemblePrompt(req.before, req.after, settings, req.languageId, req.filePath, snippets);
    const request = new InflightRequest(++this.serial, { docKey: req.docKey, offset: req.offset, before: req.before, after: req.after }, new CompletionShaper(ctx, prompt.suffix));
    this.inflight.set(req.docKey, request);
    this.stats.requests++;
    // Waiters get the answer the moment the shape is complete (early stop), not after the
    // aborted stream has drained and the router has settled the request.
    let answerEarly!: (r: InflightResult) => void;
    const early = new Promise<InflightResult>((resolve) => (answerEarly = resolve));
    const full = this.run(request, settings, modelRef, req, prompt, answerEarly).finally(() => {
      request.finished = true;
      this.timers.clearTimeout(request.orphanTimer);
      if (this.inflight.get(req.docKey) === request) this.inflight.delete(req.docKey);
    });
    request.result = Promise.race([early, full]);
    return request;
  }

  private async run(
    request: InflightRequest,
    settings: CompletionSettings,
    modelRef: string,
    req: CompletionRequest,
    prompt: ReturnType<typeof assemblePrompt>,
    answerEarly: (r: InflightResult) => void,
  ): Promise<InflightResult> {
    const startedAt = this.now();
    const timeout = setTimeout(() => request.stop('timeout'), settings.timeoutMs);
    let failure: { reason: NoSuggestionReason; detail: string } | undefined;
    let sawText = false;
    this.active++;
    this.deps.onStatus?.({ generating: true, model: modelRef });
    this.deps.logger.info('completion.request', {
      model: modelRef,
      languageId: req.languageId,
      shape: analyzeCursor(req.before, req.after).shape,
      prefixTokens: prompt.prefixTokens,
      suffixTokens: prompt.suffixTokens,
      snippets: prompt.snippetCount,
    });
    try {
      const routeRequest: RouteRequest = {
        messages: [],
        task: 'completion',
        languageId: req.languageId,
        // Completions are pinned to the completion model; "local" mode makes the router refuse
        // any cloud call outright unless the user allowed cloud completion.
        mode: settings.allowCloud ? 'pinned' : 'local',
        pinned: modelRef,
        maxTokens: settings.maxTokens,
        temperature: COMPLETION_TEMPERATURE,
        fim: { prefix: prompt.prefix, suffix: prompt.suffix },
        workspaceId: this.deps.workspaceId,
        signal: request.controller.signal,
      };
      for await (const ev of this.deps.stream(routeRequest)) {
        if (ev.type === 'start') {
          request.model = formatModelRef(ev.ref);
          this.deps.onStatus?.({ generating: true, model: request.model });
        } else if (ev.type === 'text') {
          if (!sawText) {
            sawText = true;
            clearTimeout(timeout);
            this.latency.add(this.now() - startedAt);
          }
          if (request.stopCause) continue;
          if (request.shaper.push(ev.text)) {
            request.stop('early-stop');
            this.stats.earlyStopped++;
            answerEarly(this.answer(request, modelRef));
          } else {
            // The editor may have moved on while this delta was on its way.
            const latest = this.lastNoted.get(req.docKey);
            if (latest && request.typedInto(latest) === undefined) request.stop('superseded');
          }
        } else if (ev.type === 'error') {
          failure ??= { reason: reasonForError(ev.error.kind), detail: ev.error.message };
        }
      }
    } catch (e) {
      // Switchyard.stream never throws by contract; a seam used in tests or the bench might.
      failure ??= { reason: 'error', detail: (e as Error).message };
    } finally {
      clearTimeout(timeout);
      this.active--;
      if (this.active === 0) this.deps.onStatus?.({ generating: false });
    }

    const cause = request.stopCause;
    if (cause && cause !== 'early-stop') {
      this.stats.aborted++;
      return cause === 'timeout'
        ? { ok: false, reason: 'timeout', detail: `no text within ${settings.timeoutMs} ms from ${modelRef}` }
        : { ok: false, reason: 'superseded', detail: cause === 'orphaned' ? 'nobody waited for the answer' : 'the editor moved on' };
    }
    if (cause === 'early-stop') return this.answer(request, modelRef);
    if (failure) return { ok: false, ...failure };
    return this.answer(request, modelRef);
  }

  /** The shaped answer of a request, cached once. */
  private answer(request: InflightRequest, modelRef: string): InflightResult {
    if (!request.answer) {
      const shaped = request.shaper.result();
      if (shaped.text !== '') this.cache.store(request.origin, shaped.text, request.model ?? modelRef);
      request.answer = { ok: true, shaped, ...(request.model ? { model: request.model } : {}) };
    }
    return request.answer;
  }

  /** Waits for the request on behalf of one position; letting go of it starts the orphan grace. */
  private async await(request: InflightRequest, req: CompletionRequest, signal: AbortSignal, source: 'model' | 'reuse'): Promise<CompletionOutcome> {
    request.waiters++;
    this.timers.clearTimeout(request.orphanTimer);
    if (source === 'reuse') this.stats.reuses++;
    let result: InflightResult | 'cancelled';
    try {
      result = await raceAbort(request.result, signal);
    } finally {
      request.waiters--;
      if (request.waiters === 0 && !request.finished) {
        request.orphanTimer = this.timers.setTimeout(() => {
          if (request.waiters === 0) request.stop('orphaned');
        }, ORPHAN_GRACE_MS);
      }
    }
    if (result === 'cancelled') return none('superseded', 'the editor cancelled the request');
    if (!result.ok) return none(result.reason, result.detail);
    if (result.shaped.filtered) return none(result.shaped.filtered, `${result.model ?? 'the model'} answered ${JSON.stringify(request.shaper.received.slice(0, 80))}`);
    const typed = req.offset - request.origin.offset;
    const text = result.shaped.text;
    const typedText = req.before.slice(req.before.length - typed);
    if (typed < 0 || typed >= text.length || !text.startsWith(typedText)) return none('empty', 'the answer did not continue what was typed');
    return {
      kind: 'suggestion',
      text: text.slice(typed),
      source,
      ...(result.model ? { model: result.model } : {}),
      stream: { serial: request.id, rawChars: request.shaper.consumed, stoppedEarly: request.stopCause === 'early-stop' },
    };
  }
}

function none(reason: NoSuggestionReason, detail: string): CompletionOutcome {
  return { kind: 'none', reason, detail };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | 'cancelled'> {
  if (signal.aborted) return Promise.resolve('cancelled');
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve('cancelled');
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * The cancellation and timeout discipline every provider shares. A provider describes its
 * stream as a `StreamSource` — open the request, map each wire part to events, finish — and
 * `guardStream` runs it:
 *
 * - the caller's abort (or an early `break`) aborts the request's own signal at once, and
 *   the guard then yields `finish: cancelled` and nothing else. Opening the request (key
 *   lookup, version check, waiting for headers) is raced against the abort, so cancelling is
 *   prompt even before the first byte. Once streaming, the abort also cancels the body itself
 *   (the source iterator's `return()`, which cancels the body's reader): the signal alone is
 *   not enough, because Node's fetch follows it through a WeakRef to its Request, and once a
 *   GC has collected that Request the abort never reaches the socket and the pending read
 *   waits forever (nodejs/node#55428; a stall hung `switchyard ask` whenever a GC ran first).
 *   Cancelling the reader settles the pending read at once (the Streams spec resolves it as
 *   done) and fetch's cancel step destroys the connection, whatever the socket does;
 * - no data for `idleTimeoutMs` (before the first byte or between parts, the provider's
 *   `timeoutMs`) aborts the same way and throws a `timeout` error. Only time spent waiting on
 *   the socket counts: while the consumer holds an event (the router pausing a local answer to
 *   ask the user whether to escalate), the clock stops, so a slow answer from the user is not
 *   blamed on the provider;
 * - any other failure is classified once (errors.ts) and thrown as a SwitchyardError after the
 *   events that already streamed (the consumer keeps the partial text).
 *
 * It is one hand-written async iterator over the source's parts with a synchronous `map`, not
 * an async generator: every async layer costs microtask hops on every token, and a generator's
 * resume + await + yield costs about twice what one `.then` per part costs (0.68 vs 1.07 µs per
 * token on 400 in-memory parts; bench/router-overhead.ts shows it end to end). Parts the source
 * already holds (lines of a network chunk already read) and events already mapped are handed
 * out through `readBuffered` with no promise step at all.
 */
import type { ProviderEvent } from '../types';
import { SwitchyardError } from '../types';
import { type ErrorContext, type HttpFailure, classifyError } from './errors';

export interface GuardOptions {
  signal: AbortSignal;
  idleTimeoutMs: number;
  ctx: ErrorContext;
  /** The error answer behind an SDK error, as read off the wire (see capturingFetch). */
  failureOf?: (err: unknown) => HttpFailure | undefined;
}

export interface StreamSource<Part> {
  /** Sends the request; resolves once the answer's stream can be read. */
  open(signal: AbortSignal): Promise<AsyncIterable<Part>>;
  /**
   * Turns one wire part into events, pushed onto `out` (synchronous: it runs per token). When
   * it throws, the events it pushed before are still delivered ahead of the error.
   */
  map(part: Part, out: ProviderEvent[]): void;
  /** After the last part: the closing events (usage, finish), or a throw for a stream that ended wrong. */
  end(out: ProviderEvent[]): void;
  /**
   * True once the answer is complete on the wire (Ollama's `done` line, OpenAI's `[DONE]`): the
   * stream ends there, without waiting for the body's own end, as ollama-js does. The rest of
   * the body is left to the HTTP client (the connection stays reusable).
   */
  complete?(): boolean;
}

/** An async iterator that can also hand out, synchronously, what it already holds. */
export interface BufferedIterator<T> extends AsyncIterator<T> {
  /**
   * The next value when it is already here (no wait on the socket), else undefined: then call
   * `next()` (which also reports the end). Saves the promise step per token when a stream runs
   * ahead of its reader, and the value comes bare, without an IteratorResult around it (one
   * allocation less per token and layer). `T` must not include undefined.
   */
  readBuffered?(): T | undefined;
}

const STOPPED = Symbol('stopped');
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Runs `source` under the guard. Like a generator, the stream starts on the first `next()` and can be iterated once. */
export function guardStream<Part>(opts: GuardOptions, source: StreamSource<Part>): AsyncIterableIterator<ProviderEvent> {
  return new GuardedStream(opts, source);
}

class GuardedStream<Part> implements AsyncIterableIterator<ProviderEvent>, BufferedIterator<ProviderEvent> {
  /** The request's own signal: aborting it closes the socket. */
  private readonly inner = new AbortController();
  private it: AsyncIterator<Part> | undefined;
  /** Events mapped from the current part (or the closing ones); `at` is the next to hand out. */
  private out: ProviderEvent[] = [];
  private at = 0;
  private started = false;
  /** No more parts will be read: `out` holds the last events, then `failure` (if any) is thrown. */
  private finished = false;
  private failure: SwitchyardError | undefined;
  private cleanedUp = false;
  /** The source iterator's `return()` was called (the body cancelled): once is enough. */
  private bodyCancelled = false;
  /** The answer was read to its end (the source's iterator ended, or the source said it is complete). */
  private bodyEnded = false;
  private timedOut = false;
  /** Text or thinking went out before a failure: a broken stream, not a failed request. */
  private midStream = false;
  /** True while the consumer holds an event we handed out: not the provider's time. */
  private consumerHolds = false;
  private lastActivity = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** `inner.signal.aborted`, kept as a field: the per-token checks read it without the signal's getter. */
  private innerAborted = false;
  private readonly onAbort = (): void => this.abortInner(this.opts.signal.reason);

  constructor(
    private readonly opts: GuardOptions,
    private readonly source: StreamSource<Part>,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ProviderEvent>> {
    if (this.at < this.out.length) {
      // Cancelled between the events of one part: the rest of the part is dropped.
      if (!this.finished && this.opts.signal.aborted) return this.closed();
      return Promise.resolve(this.handOut());
    }
    if (this.finished) {
      const failure = this.failure;
      this.failure = undefined;
      return failure ? Promise.reject(failure) : Promise.resolve(DONE);
    }
    if (!this.started) return this.start();
    // Back to the socket: the idle window restarts now, not when the part arrived.
    this.consumerHolds = false;
    this.lastActivity = performance.now();
    if (this.innerAborted) return this.closed();
    return this.read();
  }

  /** The consumer stopped early (`break`): close the socket, hand out nothing more. */
  return(): Promise<IteratorResult<ProviderEvent>> {
    this.cleanUp();
    this.finished = true;
    this.out = [];
    this.failure = undefined;
    return Promise.resolve(DONE);
  }

  private start(): Promise<IteratorResult<ProviderEvent>> {
    this.started = true;
    const { signal, idleTimeoutMs } = this.opts;
    if (signal.aborted) {
      this.finished = true;
      this.out = [{ type: 'finish', reason: 'cancelled' }];
      return Promise.resolve(this.handOut());
    }
    this.lastActivity = performance.now();
    // One timer per idle window, re-armed lazily: cheaper than resetting a timer on every token.
    const check = (): void => {
      const idle = performance.now() - this.lastActivity;
      if (!this.consumerHolds && idle >= idleTimeoutMs) {
        this.timedOut = true;
        this.abortInner(new Error('idle timeout'));
      } else {
        this.timer = setTimeout(check, this.consumerHolds ? idleTimeoutMs : idleTimeoutMs - idle);
      }
    };
    this.timer = setTimeout(check, idleTimeoutMs);
    // Not `once`: cleanUp removes it anyway, and a `once` listener costs twice as much to add and remove.
    signal.addEventListener('abort', this.onAbort);
    // Opening (key lookup, version check, waiting for headers) is raced against the abort.
    const stopped = new Promise<typeof STOPPED>((resolve) => this.inner.signal.addEventListener('abort', () => resolve(STOPPED), { once: true }));
    let opening: Promise<AsyncIterable<Part>>;
    try {
      opening = this.source.open(this.inner.signal);
    } catch (err) {
      opening = Promise.reject(err);
    }
    return Promise.race([opening, stopped]).then(
      (opened) => {
        if (opened === STOPPED) {
          // Rejects later with the abort; or, when the abort did not reach the fetch (see the
          // top), opens after all: then its body is cancelled, which closes the socket.
          opening.then(cancelBody, () => undefined);
          return this.closed();
        }
        this.it = opened[Symbol.asyncIterator]();
        // Aborted while the answer opened (its headers and our abort in the same turn).
        if (this.innerAborted) return this.closed();
        return this.read();
      },
      (err: unknown) => this.closed({ err }),
    );
  }

  private read(): Promise<IteratorResult<ProviderEvent>> {
    return this.it!.next().then(this.onPart, this.onReadFailure);
  }

  /**
   * What is already here, handed out without a promise step: the rest of the current part's
   * events, or the events of parts the source holds already read (see BufferedIterator).
   * Undefined when the next event needs waiting (or closing): then `next()`.
   */
  readBuffered(): ProviderEvent | undefined {
    // (An abort of the caller's signal aborts `inner` at once, see onAbort; next() then closes.)
    if (this.at < this.out.length) return !this.finished && this.innerAborted ? undefined : this.handOutValue();
    const it = this.it as BufferedIterator<Part> | undefined;
    if (this.finished || !it?.readBuffered || this.innerAborted) return undefined;
    // No clock read while parts come from memory (it would be one per token, ~50 ns each): the
    // consumer still holds the event it had, and holds the next one from here on, so the idle
    // clock stays stopped. It restarts only when the consumer goes back to waiting.
    for (;;) {
      const part = it.readBuffered();
      if (part === undefined) break;
      if (this.take(part)) {
        if (!this.finished) return this.handOutValue();
        break;
      }
    }
    this.consumerHolds = false;
    this.lastActivity = performance.now();
    return undefined;
  }

  private readonly onPart = (r: IteratorResult<Part>): Promise<IteratorResult<ProviderEvent>> | IteratorResult<ProviderEvent> => {
    if (r.done) this.bodyEnded = !this.innerAborted;
    if (r.done || this.innerAborted) return this.closed();
    if (!this.take(r.value)) return this.read();
    return this.finished ? this.next() : this.handOut();
  };

  /** Maps one part into `out`; true when there is something to hand out (events, or the end after a failing part). */
  private take(part: Part): boolean {
    const out = this.out;
    // Emptied by popping, not with `out.length = 0`: on V8 the length setter is a slow builtin
    // call (~65 ns, once per token), popping the usual one event is ~5 ns.
    while (out.length > 0) out.pop();
    this.at = 0;
    try {
      this.source.map(part, out);
    } catch (err) {
      if (!this.midStream) this.midStream = out.some(isAnswerText);
      // The events the part produced before it broke still go out, ahead of the error.
      this.close({ err }, out);
      return true;
    }
    if (!this.midStream) this.midStream = out.some(isAnswerText);
    if (this.source.complete?.()) {
      this.bodyEnded = true;
      this.close(undefined, out);
      return true;
    }
    return out.length > 0;
  }

  private readonly onReadFailure = (err: unknown): Promise<IteratorResult<ProviderEvent>> => this.closed({ err });

  /** Closes (see `close`) and hands out what follows. */
  private closed(failed?: { err: unknown }): Promise<IteratorResult<ProviderEvent>> {
    this.close(failed);
    return this.next();
  }

  private handOut(): IteratorResult<ProviderEvent> {
    return { done: false, value: this.handOutValue() };
  }

  private handOutValue(): ProviderEvent {
    this.consumerHolds = true;
    return this.out[this.at++]!;
  }

  /**
   * Ends the stream once: after a failure, a cancel, a timeout or the last part. What is left
   * to hand out is the cancelled finish, or the events `before` and then the closing events or
   * the error.
   */
  private close(failed?: { err: unknown }, before: ProviderEvent[] = []): void {
    const out: ProviderEvent[] = [];
    if (!failed && !this.innerAborted) {
      try {
        this.source.end(out);
      } catch (err) {
        failed = { err };
      }
    }
    this.cleanUp();
    this.finished = true;
    this.at = 0;
    const { signal, ctx, failureOf } = this.opts;
    if (signal.aborted) {
      this.out = [{ type: 'finish', reason: 'cancelled' }];
      return;
    }
    if (this.timedOut || failed) {
      this.out = before;
      const err = failed?.err;
      this.failure = new SwitchyardError(classifyError(err, ctx, { timedOut: this.timedOut, httpFailure: failed && !this.timedOut ? failureOf?.(err) : undefined, midStream: this.midStream }));
      return;
    }
    this.out = before.length > 0 ? [...before, ...out] : out;
  }

  private abortInner(reason?: unknown): void {
    if (this.innerAborted) return;
    this.innerAborted = true;
    this.inner.abort(reason);
    // Streaming: cancel the body too, which settles a pending read now (see the top). Its
    // `onPart` then sees the end with `innerAborted` set and closes as cancelled or timed out.
    if (this.it && !this.bodyEnded) this.cancelIt();
  }

  private cancelIt(): void {
    if (this.bodyCancelled) return;
    this.bodyCancelled = true;
    this.it?.return?.().catch(() => undefined);
  }

  private cleanUp(): void {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    clearTimeout(this.timer);
    this.opts.signal.removeEventListener('abort', this.onAbort);
    // A body read to its end leaves nothing to close (and aborting costs an AbortError with its
    // stack, on every answer). Otherwise: the consumer stopped early, we were cancelled, or the
    // source failed; aborting closes the socket.
    if (this.bodyEnded) return;
    this.abortInner();
    this.cancelIt();
  }
}

/** Cancels the body of an answer nobody will read. */
function cancelBody(body: AsyncIterable<unknown>): void {
  body[Symbol.asyncIterator]().return?.().catch(() => undefined);
}

function isAnswerText(ev: ProviderEvent): boolean {
  return ev.type === 'text' || ev.type === 'thinking';
}

/**
 * The cancellation and timeout discipline every provider shares. A provider describes its
 * stream as a `StreamSource` — open the request, map each wire part to events, finish — and
 * `guardStream` runs it:
 *
 * - the caller's abort (or an early `break`) aborts the request's own signal at once, which
 *   closes the socket; the guard then yields `finish: cancelled` and nothing else. Opening the
 *   request (key lookup, version check, waiting for headers) is raced against the abort, so
 *   cancelling is prompt even before the first byte; once streaming, the aborted socket ends
 *   the SDK's read at once;
 * - no data for `idleTimeoutMs` (before the first byte or between parts) aborts and throws a
 *   `timeout` error. Only time spent waiting on the socket counts: while the consumer holds an
 *   event (the router pausing a local answer to ask the user whether to escalate), the clock
 *   stops, so a slow answer from the user is not blamed on the provider;
 * - any other failure is classified once (errors.ts) and thrown as a SwitchyardError after the
 *   events that already streamed (the consumer keeps the partial text).
 *
 * It is deliberately one async generator over the SDK's iterator with a synchronous `map`:
 * every extra async layer costs microtask hops on every token (see bench/providers.ts). A
 * hand-written iterator with `.then` chains was tried and measured slower than V8's async
 * generators (3.3 vs 2.3 ms per 400 in-memory tokens).
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
   * Turns one wire part into events, pushed onto `out` (synchronous: it runs per token). A part
   * may hold many lines (a network chunk): when one of them fails, `map` throws, and the events
   * it pushed before are still delivered ahead of the error.
   */
  map(part: Part, out: ProviderEvent[]): void;
  /** After the last part: the closing events (usage, finish), or a throw for a stream that ended wrong. */
  end(out: ProviderEvent[]): void;
}

const STOPPED = Symbol('stopped');

export async function* guardStream<Part>(opts: GuardOptions, source: StreamSource<Part>): AsyncGenerator<ProviderEvent> {
  const { signal } = opts;
  if (signal.aborted) {
    yield { type: 'finish', reason: 'cancelled' };
    return;
  }
  const inner = new AbortController();
  let timedOut = false;
  let lastActivity = performance.now();
  /** True while the consumer holds an event we yielded: not the provider's time. */
  let consumerHolds = false;
  // One timer per idle window, re-armed lazily: cheaper than resetting a timer on every token.
  const check = () => {
    const idle = performance.now() - lastActivity;
    if (!consumerHolds && idle >= opts.idleTimeoutMs) {
      timedOut = true;
      inner.abort(new Error('idle timeout'));
    } else {
      timer = setTimeout(check, consumerHolds ? opts.idleTimeoutMs : opts.idleTimeoutMs - idle);
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(check, opts.idleTimeoutMs);
  const onAbort = () => inner.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });

  let failure: unknown;
  let failed = false;
  let midStream = false;
  let it: AsyncIterator<Part> | undefined;
  const out: ProviderEvent[] = [];
  try {
    const stopped = new Promise<typeof STOPPED>((resolve) => inner.signal.addEventListener('abort', () => resolve(STOPPED), { once: true }));
    const opening = source.open(inner.signal);
    const opened = await Promise.race([opening, stopped]);
    if (opened === STOPPED) {
      opening.catch(() => undefined); // rejects later with the abort; nobody waits for it
    } else {
      it = opened[Symbol.asyncIterator]();
      for (;;) {
        const r = await it.next();
        if (r.done || inner.signal.aborted) break;
        let broken: { err: unknown } | undefined;
        try {
          source.map(r.value, out);
        } catch (err) {
          broken = { err };
        }
        consumerHolds = true;
        for (let i = 0; i < out.length; i++) {
          const ev = out[i]!;
          if (ev.type === 'text' || ev.type === 'thinking') midStream = true;
          yield ev;
          if (signal.aborted) break;
        }
        consumerHolds = false;
        // The idle window restarts when we go back to the socket, not when the part arrived.
        lastActivity = performance.now();
        out.length = 0;
        if (broken) throw broken.err;
        if (signal.aborted) break;
      }
      if (!inner.signal.aborted) source.end(out);
    }
  } catch (err) {
    failed = true;
    failure = err;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    // Closes the socket when the consumer stopped early, we were cancelled, or the source failed.
    inner.abort();
    it?.return?.().catch(() => undefined);
  }
  if (signal.aborted) {
    yield { type: 'finish', reason: 'cancelled' };
    return;
  }
  if (timedOut || failed) {
    throw new SwitchyardError(classifyError(failure, opts.ctx, { timedOut, httpFailure: failed && !timedOut ? opts.failureOf?.(failure) : undefined, midStream }));
  }
  for (const ev of out) yield ev;
}

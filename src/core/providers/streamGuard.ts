/**
 * The cancellation and timeout discipline every provider shares. A provider writes its stream
 * as a plain async generator over an inner AbortSignal; `guardStream` makes it behave:
 *
 * - the caller's abort (or an early `break`) aborts the inner signal at once, which closes the
 *   socket, and the guard yields `finish: cancelled` and nothing else — even if the SDK is still
 *   waiting for a chunk (the wait is raced against the abort, so cancelling is prompt);
 * - no data for `idleTimeoutMs` (before the first byte or between chunks) aborts and throws a
 *   `timeout` error;
 * - any other failure is classified once (errors.ts) and thrown as a SwitchyardError, after the
 *   text that already streamed (partial text is kept by the consumer).
 */
import type { ProviderEvent } from '../types';
import { SwitchyardError } from '../types';
import { type ErrorContext, type HttpFailure, classifyError } from './errors';

export interface GuardOptions {
  signal: AbortSignal;
  idleTimeoutMs: number;
  ctx: ErrorContext;
  /** The last non-2xx answer seen by this request's fetch (see capturingFetch). */
  failure?: () => HttpFailure | undefined;
}

export async function* guardStream(opts: GuardOptions, produce: (signal: AbortSignal) => AsyncIterable<ProviderEvent>): AsyncGenerator<ProviderEvent> {
  const { signal } = opts;
  if (signal.aborted) {
    yield { type: 'finish', reason: 'cancelled' };
    return;
  }
  const inner = new AbortController();
  let timedOut = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      inner.abort(new Error('idle timeout'));
    }, opts.idleTimeoutMs);
  };
  const onAbort = () => inner.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const stopped = new Promise<'stopped'>((resolve) => inner.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));

  let failure: unknown;
  let failed = false;
  let midStream = false;
  const it = produce(inner.signal)[Symbol.asyncIterator]();
  arm();
  try {
    for (;;) {
      const next = it.next();
      const r = await Promise.race([next, stopped]);
      if (r === 'stopped') {
        next.catch(() => undefined); // the aborted read rejects later; nobody waits for it
        break;
      }
      if (r.done || signal.aborted) break;
      arm();
      if (r.value.type === 'text' || r.value.type === 'thinking') midStream = true;
      yield r.value;
      if (signal.aborted) break;
    }
  } catch (err) {
    failed = true;
    failure = err;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    // Closes the socket when the consumer stopped early, we were cancelled, or the producer failed.
    inner.abort();
    it.return?.().catch(() => undefined);
  }
  if (signal.aborted) {
    yield { type: 'finish', reason: 'cancelled' };
    return;
  }
  if (timedOut || failed) {
    throw new SwitchyardError(classifyError(failure, opts.ctx, { timedOut, httpFailure: failed && !timedOut ? opts.failure?.() : undefined, midStream }));
  }
}

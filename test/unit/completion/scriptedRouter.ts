/**
 * A scripted stand-in for Switchyard.stream, for the engine's scheduling logic: each request
 * gets a channel the test pushes StreamEvents into, and the test can see whether the engine
 * aborted the request's signal. (The wire-level path — provider, socket abort — is covered
 * against the Ollama double in engineOverOllama.test.ts.)
 */
import type { RouteRequest, StreamEvent } from '../../../src/core/types';

export interface ScriptedCall {
  req: RouteRequest;
  push(ev: StreamEvent): void;
  text(t: string): void;
  /** finish + done. */
  end(): void;
  get aborted(): boolean;
}

export class ScriptedRouter {
  readonly calls: ScriptedCall[] = [];
  private waiting: ((c: ScriptedCall) => void)[] = [];

  readonly stream = (req: RouteRequest): AsyncIterable<StreamEvent> => {
    const queue: StreamEvent[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const call: ScriptedCall = {
      req,
      push(ev) {
        queue.push(ev);
        wake?.();
      },
      text(t) {
        call.push({ type: 'text', attempt: 1, text: t });
      },
      end() {
        call.push({ type: 'finish', attempt: 1, reason: 'stop', timing: { startedAt: 0, totalMs: 1 } });
        call.push({ type: 'done', attempts: 1, finalRef: { provider: 'ollama', model: 'qwen2.5-coder:1.5b' } });
      },
      get aborted() {
        return req.signal.aborted;
      },
    };
    this.calls.push(call);
    this.waiting.shift()?.(call);
    return (async function* () {
      yield { type: 'start', attempt: 1, ref: { provider: 'ollama', model: 'qwen2.5-coder:1.5b' }, locality: 'local', why: ['completion model'] } as StreamEvent;
      const onAbort = () => {
        // What the router does on abort: a cancelled finish, then done.
        queue.push({ type: 'finish', attempt: 1, reason: 'cancelled', timing: { startedAt: 0, totalMs: 1 } }, { type: 'done', attempts: 1 });
        wake?.();
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
      while (!ended) {
        while (queue.length === 0) await new Promise<void>((r) => (wake = r));
        const ev = queue.shift()!;
        if (ev.type === 'done') ended = true;
        yield ev;
      }
    })();
  };

  /** Resolves with the next call (or the n-th, when already made). */
  next(index = this.calls.length): Promise<ScriptedCall> {
    if (this.calls[index]) return Promise.resolve(this.calls[index]!);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

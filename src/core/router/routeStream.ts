/**
 * The router's stream as callers see it: the loop's own events, and during each attempt its
 * TokenPhase's, read straight from the phase (no generator in between).
 */
import type { StreamEvent } from '../types';
import { DONE, TokenPhase } from './tokenPhase';

export class RouteStream implements AsyncIterableIterator<StreamEvent> {
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

/**
 * Timers for src/core/timers.ts that tests can see into: every scheduled callback is listed
 * with its delay until it fires or is cleared. `manual` ones fire only when the test says so
 * (`fire`, `advance`), `delegating` ones also run on the real clock (for tests with real
 * processes that must still restart on time) — either way "nothing more will happen" is an
 * assertion about `pending()`, not a sleep. Plain Node, no vscode import.
 */
import { realTimers, type TimerHandle, type Timers } from '../../src/core/timers';

export interface ScheduledTimer {
  readonly id: number;
  readonly ms: number;
  readonly repeat: boolean;
  /** Time on the manual clock at which it fires next. */
  due: number;
  readonly callback: () => void;
}

export interface InspectableTimers extends Timers {
  /** Callbacks scheduled and neither fired (for one-shot timers) nor cleared. */
  pending(): ScheduledTimer[];
  /** Everything ever scheduled, in order. */
  readonly scheduled: ScheduledTimer[];
}

export interface ManualTimers extends InspectableTimers {
  /** Moves the manual clock forward, firing what falls due, in order. */
  advance(ms: number): void;
  readonly now: number;
}

export function manualTimers(): ManualTimers {
  let now = 0;
  let nextId = 1;
  const live = new Map<number, ScheduledTimer>();
  const scheduled: ScheduledTimer[] = [];
  const add = (callback: () => void, ms: number, repeat: boolean): TimerHandle => {
    const t: ScheduledTimer = { id: nextId++, ms, repeat, due: now + ms, callback };
    live.set(t.id, t);
    scheduled.push(t);
    return { id: t.id } as TimerHandle;
  };
  const clear = (handle: TimerHandle | undefined) => {
    if (handle) live.delete((handle as { id: number }).id);
  };
  return {
    setTimeout: (cb, ms) => add(cb, ms, false),
    setInterval: (cb, ms) => add(cb, ms, true),
    clearTimeout: clear,
    clearInterval: clear,
    pending: () => [...live.values()],
    scheduled,
    get now() {
      return now;
    },
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const next = [...live.values()].filter((t) => t.due <= until).sort((a, b) => a.due - b.due || a.id - b.id)[0];
        if (!next) break;
        now = next.due;
        if (next.repeat) next.due += Math.max(1, next.ms);
        else live.delete(next.id);
        next.callback();
      }
      now = until;
    },
  };
}

/** Real timers that also keep the list of what is pending. */
export function delegatingTimers(real: Timers = realTimers): InspectableTimers {
  let nextId = 1;
  const live = new Map<TimerHandle, ScheduledTimer>();
  const scheduled: ScheduledTimer[] = [];
  const add = (callback: () => void, ms: number, repeat: boolean): TimerHandle => {
    const t: ScheduledTimer = { id: nextId++, ms, repeat, due: ms, callback };
    const handle = (repeat ? real.setInterval : real.setTimeout)(() => {
      if (!repeat) live.delete(handle);
      callback();
    }, ms);
    live.set(handle, t);
    scheduled.push(t);
    return handle;
  };
  const clear = (handle: TimerHandle | undefined) => {
    if (!handle) return;
    const t = live.get(handle);
    live.delete(handle);
    (t?.repeat ? real.clearInterval : real.clearTimeout)(handle);
  };
  return {
    setTimeout: (cb, ms) => add(cb, ms, false),
    setInterval: (cb, ms) => add(cb, ms, true),
    clearTimeout: clear,
    clearInterval: clear,
    pending: () => [...live.values()],
    scheduled,
  };
}

/**
 * The timer functions a component schedules its delayed work with (a restart after a crash, an
 * orphaned request's grace period). Production uses the real ones; a test passes a manual clock
 * (test/harness/manualTimers.ts) to fire them on demand, so "nothing happens later" is checked by
 * looking at what is scheduled instead of by sleeping and hoping.
 */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(callback: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
}

/** Opaque; `unref` is there when the real timers made it (a fake may leave it out). */
export interface TimerHandle {
  unref?(): unknown;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout | undefined),
};

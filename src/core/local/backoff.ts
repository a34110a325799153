/**
 * Restart pacing for a managed server: exponential backoff, and a crash-loop guard that gives up
 * when the server keeps dying, instead of spinning forever and flooding the log.
 */

export interface BackoffOptions {
  /** First restart delay. 1 s is the requirements' retry base delay (§3). */
  baseDelayMs: number;
  /** Longest wait between restarts. */
  maxDelayMs: number;
  /** Crashes tolerated inside `windowMs`; one more and we give up. */
  maxCrashes: number;
  windowMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  baseDelayMs: 1_000,
  // 30 s: long enough not to hammer a broken install, short enough to recover while the user waits.
  maxDelayMs: 30_000,
  // Five deaths in two minutes is a loop (bad GPU driver, port taken by something else), not bad luck.
  maxCrashes: 5,
  windowMs: 120_000,
};

export type BackoffDecision = { restart: true; delayMs: number; attempt: number } | { restart: false; crashes: number };

export class CrashBackoff {
  private crashTimes: number[] = [];

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** Records a crash at `now` and says whether and when to restart. */
  onCrash(now: number): BackoffDecision {
    this.crashTimes = this.crashTimes.filter((t) => now - t < this.options.windowMs);
    this.crashTimes.push(now);
    const crashes = this.crashTimes.length;
    if (crashes > this.options.maxCrashes) return { restart: false, crashes };
    const delayMs = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (crashes - 1));
    return { restart: true, delayMs, attempt: crashes };
  }
}

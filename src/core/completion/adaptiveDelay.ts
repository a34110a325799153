/**
 * How long to wait after a keystroke before asking the model: long enough that the user has
 * probably paused (so the request is not thrown away by the next key), short enough that the
 * suggestion is there when they look. Three inputs, as in Tabby's adaptive debounce:
 * the user's own typing rhythm, the cursor context, and how slow the model currently is.
 */

/** Gaps longer than this are pauses (thinking, reading), not typing rhythm. */
export const PAUSE_GAP_MS = 1_000;
/** Rhythm assumed before any keystrokes are seen: ~6 chars/s, the middle of human typing speed. */
export const DEFAULT_KEY_INTERVAL_MS = 170;
/** Smoothing of the rhythm and latency averages (weight of the newest sample). */
const EWMA_WEIGHT = 0.2;
/** Waiting 1.5 typical key gaps means the next key is unlikely to be just about to come. */
const TYPING_GAP_FACTOR = 1.5;
/** After "(", ".", "=", a fresh line… a suggestion is wanted now, and typing tends to stop there. */
const TRIGGER_FACTOR = 0.5;
/**
 * A slow model wastes more on every request the next key throws away, and its answer comes late
 * anyway: wait an extra quarter of its recent latency (first text) before asking.
 */
const LATENCY_WEIGHT = 0.25;

export class Ewma {
  private current: number | undefined;
  constructor(private readonly weight = EWMA_WEIGHT) {}
  add(sample: number): void {
    this.current = this.current === undefined ? sample : this.current + this.weight * (sample - this.current);
  }
  get value(): number | undefined {
    return this.current;
  }
}

/** The user's typing rhythm, from the times of document edits. */
export class TypingRhythm {
  private last: number | undefined;
  private readonly interval = new Ewma();

  noteKeystroke(now: number): void {
    if (this.last !== undefined) {
      const gap = now - this.last;
      if (gap > 0 && gap < PAUSE_GAP_MS) this.interval.add(gap);
    }
    this.last = now;
  }

  get intervalMs(): number {
    return this.interval.value ?? DEFAULT_KEY_INTERVAL_MS;
  }
}

export interface DelayInputs {
  keyIntervalMs: number;
  atTrigger: boolean;
  /** Recent time to first text of the completion model, if any was measured. */
  modelLatencyMs?: number;
  minMs: number;
  maxMs: number;
}

export function adaptiveDelayMs(inputs: DelayInputs): number {
  const typing = inputs.keyIntervalMs * TYPING_GAP_FACTOR * (inputs.atTrigger ? TRIGGER_FACTOR : 1);
  const latency = (inputs.modelLatencyMs ?? 0) * LATENCY_WEIGHT;
  const delay = Math.round(typing + latency);
  return Math.min(inputs.maxMs, Math.max(inputs.minMs, delay));
}

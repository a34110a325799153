/**
 * Turns Ollama's /api/pull progress lines into what a progress bar needs: percent, speed and
 * time left. A model is several layers (weights, template, licence…), each reported by digest
 * with its own total/completed, so progress is summed over every layer seen so far.
 */
import type { PullStatus } from './ollamaAdmin';

/**
 * Speed is measured over a sliding window: long enough to smooth out the bursty chunks of a
 * registry download, short enough to follow a real change in bandwidth.
 */
export const SPEED_WINDOW_MS = 5_000;
const MAX_PERCENT_BEFORE_SUCCESS = 99;

export interface PullSnapshot {
  /** Ollama's own status text: "pulling manifest", "pulling 6a0746a1ec1a", "verifying sha256 digest"… */
  status: string;
  completedBytes: number;
  totalBytes: number;
  /** 0–100, undefined until a layer with a size has been announced. */
  percent?: number;
  bytesPerSecond?: number;
  /** Seconds left at the current speed; undefined while the speed is unknown. */
  etaSeconds?: number;
  done: boolean;
}

export class PullProgressTracker {
  private layers = new Map<string, { total: number; completed: number }>();
  private samples: { at: number; completed: number }[] = [];
  private last: PullSnapshot = { status: 'starting', completedBytes: 0, totalBytes: 0, done: false };

  /** Feeds one progress line received at time `now` (ms) and returns the new snapshot. */
  update(line: PullStatus, now: number): PullSnapshot {
    if (line.digest && typeof line.total === 'number') {
      const prev = this.layers.get(line.digest);
      // `completed` is missing on a layer's first line; it never goes backwards within a pull.
      const completed = Math.max(prev?.completed ?? 0, line.completed ?? 0);
      this.layers.set(line.digest, { total: line.total, completed: Math.min(completed, line.total) });
    }
    let total = 0;
    let completed = 0;
    for (const layer of this.layers.values()) {
      total += layer.total;
      completed += layer.completed;
    }
    this.samples.push({ at: now, completed });
    while (this.samples.length > 2 && now - this.samples[0]!.at > SPEED_WINDOW_MS) this.samples.shift();

    const first = this.samples[0]!;
    const elapsedMs = now - first.at;
    const bytesPerSecond = elapsedMs > 0 ? ((completed - first.completed) * 1000) / elapsedMs : undefined;
    const done = line.status === 'success';
    // A layer announced late grows the total; the bar must not jump back because of it.
    // 100 % is said only on "success": verifying and writing the manifest still take a moment.
    const raw = done ? 100 : total > 0 ? Math.min(MAX_PERCENT_BEFORE_SUCCESS, (completed / total) * 100) : undefined;
    const percent = raw === undefined ? this.last.percent : Math.max(raw, this.last.percent ?? 0);
    const snapshot: PullSnapshot = {
      status: line.status,
      completedBytes: completed,
      totalBytes: total,
      done,
      ...(percent !== undefined ? { percent } : {}),
      ...(bytesPerSecond !== undefined ? { bytesPerSecond } : {}),
      ...(bytesPerSecond && bytesPerSecond > 0 && total > 0 ? { etaSeconds: Math.max(0, (total - completed) / bytesPerSecond) } : {}),
    };
    this.last = snapshot;
    return snapshot;
  }

  get snapshot(): PullSnapshot {
    return this.last;
  }
}

const MB = 1_000_000;

/** "42% · 12.3 MB/s · 1m 05s left" — units in SI megabytes, as Ollama's own CLI shows them. */
export function describePull(s: PullSnapshot): string {
  const parts: string[] = [];
  if (s.percent !== undefined) parts.push(`${Math.floor(s.percent)}%`);
  if (s.totalBytes > 0) parts.push(`${(s.completedBytes / MB).toFixed(0)}/${(s.totalBytes / MB).toFixed(0)} MB`);
  if (s.bytesPerSecond !== undefined && !s.done) parts.push(`${(s.bytesPerSecond / MB).toFixed(1)} MB/s`);
  if (s.etaSeconds !== undefined && !s.done) parts.push(`${formatDuration(s.etaSeconds)} left`);
  if (parts.length === 0) parts.push(s.status);
  return parts.join(' · ');
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

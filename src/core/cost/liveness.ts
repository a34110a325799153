/**
 * Tells whether the process holding a reservation is still there, so that reservations of a
 * crashed or killed window stop blocking the budget.
 *
 * Each process touches a heartbeat file `live/<token>` while it runs. A reservation is dead when
 * its process is gone on this host (kill(pid, 0) says ESRCH: instant after SIGKILL), or when its
 * heartbeat is missing or stale (covers a reused pid and a ledger shared from another machine).
 * The random token, not the pid, names the process, so a recycled pid cannot revive a reservation.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';

/** How often a live process touches its heartbeat file. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** A heartbeat older than this (six missed beats) means the process is gone or frozen. */
export const HEARTBEAT_STALE_MS = 60_000;
/** Heartbeat files untouched this long are swept at start-up (a day: far beyond any staleness doubt). */
const HEARTBEAT_SWEEP_MS = 86_400_000;

export interface Holder {
  pid: number;
  host: string;
  proc: string;
}

export class Liveness {
  readonly token = randomUUID();
  readonly host = os.hostname();
  readonly pid = process.pid;
  private readonly liveDir: string;
  private readonly file: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    dir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.liveDir = path.join(dir, 'live');
    this.file = path.join(this.liveDir, this.token);
  }

  get self(): Holder {
    return { pid: this.pid, host: this.host, proc: this.token };
  }

  start(): void {
    fs.mkdirSync(this.liveDir, { recursive: true });
    this.sweep();
    fs.writeFileSync(this.file, String(this.pid));
    this.timer = setInterval(() => this.beat(), HEARTBEAT_INTERVAL_MS);
    // The heartbeat must never keep the CLI or a test process alive.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    fs.rmSync(this.file, { force: true });
  }

  isAlive(holder: Holder): boolean {
    if (holder.proc === this.token) return true;
    const file = path.join(this.liveDir, holder.proc);
    let alive: boolean;
    if (holder.host === this.host && !pidExists(holder.pid)) alive = false;
    else {
      try {
        alive = this.now() - fs.statSync(file).mtimeMs < HEARTBEAT_STALE_MS;
      } catch {
        alive = false;
      }
    }
    if (!alive) fs.rmSync(file, { force: true });
    return alive;
  }

  /** Removes heartbeat files of processes long gone (crashed without stop()). */
  private sweep(): void {
    const now = this.now();
    for (const name of fs.readdirSync(this.liveDir)) {
      const file = path.join(this.liveDir, name);
      try {
        if (now - fs.statSync(file).mtimeMs > HEARTBEAT_SWEEP_MS) fs.rmSync(file, { force: true });
      } catch {
        /* removed by another process meanwhile */
      }
    }
  }

  private beat(): void {
    try {
      const t = new Date(this.now());
      fs.utimesSync(this.file, t, t);
    } catch {
      // Deleted by hand or the directory was cleaned: recreate it.
      try {
        fs.mkdirSync(this.liveDir, { recursive: true });
        fs.writeFileSync(this.file, String(this.pid));
      } catch {
        /* the next beat tries again */
      }
    }
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

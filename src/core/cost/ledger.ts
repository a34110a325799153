/**
 * The usage ledger on disk: append-only JSON Lines files, one per calendar month
 * (`usage-2026-11.jsonl`), in a directory shared by every VS Code window and the CLI.
 *
 * Why a lock file and plain files rather than a database:
 * - no native modules may ship in the extension (so no better-sqlite3), and node:sqlite needs
 *   Node 22 while VS Code's extension host and our CLI target Node 20;
 * - the budget check is read-check-append: O_APPEND alone makes each append atomic but cannot
 *   stop two processes from both seeing room for one more request. So reserve and settle run
 *   under one cross-process lock (proper-lockfile: an atomic mkdir, portable to Windows and
 *   network drives, with mtime-based staleness so a SIGKILLed holder cannot block forever);
 * - inside the lock the work is synchronous and tiny: read the bytes other processes appended
 *   since our last offset, decide, append the section's lines with a single write(2). The
 *   in-memory aggregate is updated from exactly those new bytes, so a check costs O(new
 *   records), not O(year). A section that appended a usage line is fdatasync'd before the lock
 *   is released; the sync is asynchronous (libuv's thread pool), so the event loop keeps
 *   serving other requests meanwhile and queues them for the next section;
 * - one section is one lock round trip + one write(2) + at most one fdatasync, whatever it
 *   holds: the SpendGuard puts every reserve and settle queued in this process into one section
 *   (group commit, groupCommit.ts), which is what takes the ledger past 5,000 requests/s.
 *
 * Crash safety: a line is written whole in one write(2) call (usage lines also fdatasync'd)
 * before the lock is released, so a killed process leaves either the whole line or (power loss) a torn tail. A torn
 * tail is found under the lock (bytes after the last newline while nobody is writing), skipped,
 * and the next append starts with a newline so the fragment stays a lone unparsable line.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { SwitchyardError, type Logger } from '../types';
import { monthKey, previousMonthKey } from './periods';
import { parseRecord, serializeRecord, type LedgerRecord } from './ledgerRecords';

/** proper-lockfile's minimum staleness: a holder killed mid-section blocks others at most this long. */
export const LOCK_STALE_MS = 5_000;
/**
 * Retry schedule for a busy lock: short waits first (sections last well under a millisecond
 * to a few ms with fsync), capped at 25 ms, for long enough to outlast a stale lock.
 */
const LOCK_RETRIES = { retries: 1_000, minTimeout: 1, maxTimeout: 25, factor: 1.3, randomize: true };

const FILE_PREFIX = 'usage-';
const FILE_SUFFIX = '.jsonl';
const NEWLINE = 0x0a;
/** Bytes read per syscall while catching up with the tail. */
const READ_CHUNK_BYTES = 1 << 20;

export function ledgerFileName(month: string): string {
  return `${FILE_PREFIX}${month}${FILE_SUFFIX}`;
}

interface TrackedFile {
  fd: number;
  /** Bytes consumed (always at a line boundary, or past a torn fragment). */
  offset: number;
  /** The file's last byte is not a newline (a torn fragment): the next append must start with one. */
  needsNewline: boolean;
}

/**
 * The two syscalls whose order durability depends on, injectable so tests can observe (and
 * hold, or "crash" between) the write and the sync.
 */
export interface LedgerSyscalls {
  /** write(2) at the end of an O_APPEND file; returns the bytes written. */
  write(fd: number, bytes: Buffer, offset: number): number;
  fdatasync(fd: number): Promise<void>;
}

export const nodeSyscalls: LedgerSyscalls = {
  write: (fd, bytes, offset) => fs.writeSync(fd, bytes, offset),
  fdatasync: (fd) => new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()))),
};

export interface LedgerIo {
  /** Records appended by anyone since this process last read. */
  readNew(): LedgerRecord[];
  /**
   * Appends records with one write(2). Usage records are fdatasync'd (once per section, after
   * `fn` returns) before the lock is released
   * (they are the bill); a batch of only reservations or alerts is not: other processes see it
   * through the page cache at once, and a power loss that drops it also ended its process, whose
   * reservation would have expired anyway. This halves the fsyncs per request.
   */
  append(records: LedgerRecord[]): void;
}

export class LedgerFiles {
  private readonly files = new Map<string, TrackedFile>();
  private readonly lockTarget: string;
  /** Serializes this process's own sections; the file lock serializes processes. */
  private queue: Promise<unknown> = Promise.resolve();
  private tornLines = 0;
  /** Files written in the current section with a usage line: synced before the lock is released. */
  private readonly syncDue = new Set<number>();

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly sys: LedgerSyscalls = nodeSyscalls,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.lockTarget = path.join(dir, 'ledger');
  }

  /**
   * Runs `fn` holding the cross-process lock. `fn` must be synchronous: the lock is held for its
   * duration plus the fdatasync of what it appended, if that included usage lines. Resolves once
   * that is durable; rejects if the sync fails (the lines were written but may not survive power loss).
   */
  withLock<T>(fn: (io: LedgerIo) => T): Promise<T> {
    const run = this.queue.then(async () => {
      let release: () => Promise<void>;
      try {
        release = await lockfile.lock(this.lockTarget, {
          realpath: false,
          stale: LOCK_STALE_MS,
          retries: LOCK_RETRIES,
          onCompromised: (err) => this.logger.warn('ledger.lockCompromised', { error: String(err) }),
        });
      } catch (err) {
        throw new SwitchyardError({
          kind: 'budget',
          message:
            `The usage ledger in ${this.dir} stayed locked by another process (${String(err)}); no cloud call was made. ` +
            `If no Switchyard window or CLI is running, delete ${this.lockTarget}.lock.`,
          retryable: true,
        });
      }
      try {
        // One clock reading per section, so reading and appending agree on the month file even
        // if the section straddles midnight at the end of a month.
        const month = monthKey(this.now());
        this.syncDue.clear();
        const value = fn({ readNew: () => this.readNew(true, month), append: (records) => this.append(records, month) });
        for (const fd of [...this.syncDue]) await this.sys.fdatasync(fd);
        return value;
      } finally {
        this.syncDue.clear();
        await release().catch((err: unknown) => this.logger.warn('ledger.unlockFailed', { error: String(err) }));
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Reads what was appended since the last call, without the lock. A line still being written
   * has no newline yet and is left for next time, so this is safe for read-only views.
   */
  readNewUnlocked(): LedgerRecord[] {
    return this.readNew(false, monthKey(this.now()));
  }

  /** Every ledger month file present, oldest first (for reports). */
  monthFiles(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.startsWith(FILE_PREFIX) && f.endsWith(FILE_SUFFIX))
      .sort()
      .map((f) => path.join(this.dir, f));
  }

  /** Lines skipped because they were torn or not ours. */
  get skippedLines(): number {
    return this.tornLines;
  }

  /**
   * Forgets how far each file was read, so the next read starts from the beginning: after a
   * failed write the in-memory view is rebuilt from what is really on disk.
   */
  rewind(): void {
    for (const t of this.files.values()) {
      t.offset = 0;
      t.needsNewline = false;
    }
  }

  close(): void {
    for (const f of this.files.values()) fs.closeSync(f.fd);
    this.files.clear();
  }


  private tracked(month: string, create: boolean): TrackedFile | undefined {
    const file = path.join(this.dir, ledgerFileName(month));
    let t = this.files.get(file);
    if (t) return t;
    if (!create && !fs.existsSync(file)) return undefined;
    // 'a+': O_APPEND for writes (each write lands at the end, atomically with respect to other
    // appenders), positional reads for catching up with the tail.
    t = { fd: fs.openSync(file, 'a+'), offset: 0, needsNewline: false };
    this.files.set(file, t);
    return t;
  }

  /** Reads the previous and the current month's files: a request can start in one and settle in the next. */
  private readNew(underLock: boolean, current: string): LedgerRecord[] {
    const out: LedgerRecord[] = [];
    for (const month of [previousMonthKey(current), current]) {
      const t = this.tracked(month, false);
      if (t) this.readFile(t, underLock, out);
    }
    return out;
  }

  private readFile(t: TrackedFile, underLock: boolean, out: LedgerRecord[]): void {
    const size = fs.fstatSync(t.fd).size;
    if (size <= t.offset) return;
    let carry = '';
    let pos = t.offset;
    const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, size - t.offset));
    while (pos < size) {
      const n = fs.readSync(t.fd, buf, 0, Math.min(buf.length, size - pos), pos);
      if (n <= 0) break;
      const chunk = buf.subarray(0, n);
      const lastNl = chunk.lastIndexOf(NEWLINE);
      if (lastNl < 0) {
        carry += chunk.toString('utf8');
      } else {
        const text = carry + chunk.subarray(0, lastNl).toString('utf8');
        carry = chunk.subarray(lastNl + 1).toString('utf8');
        for (const line of text.split('\n')) {
          if (line.length === 0) continue;
          const rec = parseRecord(line);
          if (rec) out.push(rec);
          else this.skip(line);
        }
        t.offset = pos + lastNl + 1;
      }
      pos += n;
    }
    if (carry.length > 0 && underLock) {
      // Nobody is writing while we hold the lock: bytes after the last newline are a torn write.
      this.skip(carry);
      t.offset = size;
      t.needsNewline = true;
    }
  }

  private skip(line: string): void {
    this.tornLines++;
    this.logger.warn('ledger.skippedLine', { bytes: line.length });
  }

  private append(records: LedgerRecord[], month: string): void {
    if (records.length === 0) return;
    const t = this.tracked(month, true)!;
    // Catch up first so our own lines are not read back as news, and torn tails are detected.
    const before = fs.fstatSync(t.fd).size;
    if (before > t.offset) throw new Error('ledger: append without reading the tail first');
    const text = (t.needsNewline ? '\n' : '') + records.map(serializeRecord).join('');
    const bytes = Buffer.from(text, 'utf8');
    let written = this.sys.write(t.fd, bytes, 0);
    // A regular-file write is whole in practice; finish a short write rather than leave a fragment.
    while (written < bytes.length) written += this.sys.write(t.fd, bytes, written);
    if (records.some((r) => r.t === 'usage')) this.syncDue.add(t.fd);
    t.offset = before + bytes.length;
    t.needsNewline = false;
  }
}

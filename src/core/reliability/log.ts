/**
 * The guard's shared state on disk: one append-only JSON Lines file per local day
 * (`reliability/guard-2026-12-02.jsonl` in the state directory, src/core/stateDir.ts), written by
 * every VS Code window, the CLI and the gateway on the machine.
 *
 * Why no lock, when the ledger (cost/ledger.ts) takes proper-lockfile's around each section:
 * the ledger's lock costs a mkdir, a rmdir and an mtime timer per section, about a millisecond,
 * twenty times the guard's budget of 50 µs per request (bench/guard.ts). Here the file order is
 * the lock: each record is ONE write(2) on an O_APPEND descriptor, so records never interleave
 * and every process sees the same order. A claim for a slot is a record; whether it got the slot
 * is a pure function of the records before it (state.ts), so every process replaying the file
 * reaches the same verdict for it without ever talking to the others, and two processes can
 * never both take the last slot: the later claim sees the earlier one. A crashed process holds
 * nothing but leases that run out (defaults.ts LEASE_MS).
 *
 * Day files: the first writer of a new day appends a `seal` to the old file and then creates the
 * new one. Readers stop at the seal and go on with the next file, so a record that a slow writer
 * appended after the seal counts for nobody, its writer included, which then writes it again to
 * the new file (guard.ts). Files older than the day before are deleted on rotation.
 *
 * Partial lines (a reader overtaking a writer, or a torn tail after a power loss) are never
 * consumed: only text up to the last newline is read. A record glued to a torn tail fails to
 * parse for everyone alike; its writer sees it missing and writes it again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dayKey } from '../cost/periods';
import { parseGuardRecord, type GuardRecord } from './records';

const PREFIX = 'guard-';
const SUFFIX = '.jsonl';
const NEWLINE = 0x0a;
/** Read buffer: one syscall catches up with about 64 KiB (some 500 records). */
const READ_CHUNK_BYTES = 64 * 1024;
/** Day files kept: today's and yesterday's (minute windows and leases straddle midnight). */
const KEEP_FILES = 2;

export function guardFileName(day: string): string {
  return `${PREFIX}${day}${SUFFIX}`;
}

interface ReadCursor {
  file: string;
  fd: number;
  offset: number;
  carry: Buffer | undefined;
}

export class GuardLog {
  private reader: ReadCursor | undefined;
  private writer: { file: string; fd: number; day: string } | undefined;
  private readonly buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
  /** Lines that did not parse (torn or foreign). */
  skipped = 0;

  constructor(
    readonly dir: string,
    private readonly now: () => number,
  ) {}

  private files(): string[] {
    // Created on first use, and again if someone deleted it while we run.
    if (!fs.existsSync(this.dir)) fs.mkdirSync(this.dir, { recursive: true });
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.startsWith(PREFIX) && f.endsWith(SUFFIX))
      .sort();
  }

  /** Appends one record with one write(2). Returns the file it went to. */
  append(rec: GuardRecord): string {
    const w = this.writeTarget();
    fs.writeSync(w.fd, `${JSON.stringify(rec)}\n`);
    return w.file;
  }

  /** Every record appended by anyone since the last call, in the one file order. */
  readNew(): GuardRecord[] {
    const out: GuardRecord[] = [];
    if (!this.reader) {
      const files = this.files();
      if (files.length === 0) return out;
      this.openReader(files[Math.max(0, files.length - KEEP_FILES)]!);
    }
    for (;;) {
      const sealed = this.readFile(this.reader!, out);
      if (!sealed) return out;
      // Sealed: the next day's file exists (it is created after the seal), or is about to.
      const next = this.files().find((f) => f > this.reader!.file);
      if (!next) return out;
      this.closeReader();
      this.openReader(next);
    }
  }

  /** The file the reader is in (tests, status). */
  get readingFile(): string | undefined {
    return this.reader?.file;
  }

  close(): void {
    this.closeReader();
    if (this.writer) fs.closeSync(this.writer.fd);
    this.writer = undefined;
  }

  private openReader(file: string): void {
    this.reader = { file, fd: fs.openSync(path.join(this.dir, file), 'r'), offset: 0, carry: undefined };
  }

  private closeReader(): void {
    if (this.reader) fs.closeSync(this.reader.fd);
    this.reader = undefined;
  }

  /** Reads complete lines; true when a seal was reached (the rest of this file counts for nobody). */
  private readFile(c: ReadCursor, out: GuardRecord[]): boolean {
    for (;;) {
      const n = fs.readSync(c.fd, this.buf, 0, this.buf.length, c.offset);
      if (n <= 0) return false;
      const chunk = c.carry ? Buffer.concat([c.carry, this.buf.subarray(0, n)]) : this.buf.subarray(0, n);
      const base = c.offset - (c.carry?.length ?? 0);
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE, start); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
        const line = chunk.toString('utf8', start, nl);
        start = nl + 1;
        if (line.length === 0) continue;
        const rec = parseGuardRecord(line);
        if (!rec) {
          this.skipped++;
          continue;
        }
        if (rec.t === 'seal') {
          c.offset = base + start;
          c.carry = undefined;
          return true;
        }
        out.push(rec);
      }
      c.offset += n;
      c.carry = start < chunk.length ? Buffer.from(chunk.subarray(start)) : undefined;
      if (n < this.buf.length) return false;
    }
  }

  /** Today's file, rotating (seal, create, prune) when the day has changed since the newest file. */
  private writeTarget(): { file: string; fd: number; day: string } {
    const day = dayKey(this.now());
    // Our reader went past the file we write to: someone sealed it (our clock is behind theirs
    // at midnight), so what we append there counts for nobody. Write where they write.
    const overtaken = this.writer !== undefined && this.reader !== undefined && this.reader.file > this.writer.file;
    if (this.writer && this.writer.day >= day && !overtaken) return this.writer;
    const files = this.files();
    const newest = files[files.length - 1];
    const newestDay = newest?.slice(PREFIX.length, -SUFFIX.length);
    if (newest && newestDay! >= day) {
      // Another process rotated already (or our clock is behind theirs): write where they write.
      this.openWriter(newest, newestDay!);
      return this.writer!;
    }
    if (newest) {
      const fd = fs.openSync(path.join(this.dir, newest), 'a');
      fs.writeSync(fd, `${JSON.stringify({ t: 'seal', at: this.now() })}\n`);
      fs.closeSync(fd);
    }
    this.openWriter(guardFileName(day), day);
    for (const old of files.slice(0, Math.max(0, files.length + 1 - KEEP_FILES))) {
      if (old === this.reader?.file) continue;
      try {
        fs.rmSync(path.join(this.dir, old), { force: true });
      } catch {
        // Still open in another process on Windows: the next rotation removes it.
      }
    }
    return this.writer!;
  }

  private openWriter(file: string, day: string): void {
    if (this.writer) fs.closeSync(this.writer.fd);
    // 'a': O_APPEND|O_CREAT, so each write lands whole at the end whoever else appends.
    this.writer = { file, fd: fs.openSync(path.join(this.dir, file), 'a'), day };
  }
}

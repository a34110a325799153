/**
 * Moves the usage records of the ledgers Switchyard kept before the shared state directory (the
 * extension's globalStorage folder, the CLI's ~/.config/switchyard) into the new ledger, once.
 *
 * The rules, and why:
 * - It runs under the new ledger's own lock (the caller holds it), so two windows and a CLI
 *   starting at the same moment migrate once between them, and no reserve/settle interleaves.
 * - Records are copied verbatim into the month file of the same name, so a record lands where
 *   the budget check reads it (this and last month's files). A record already in the new ledger
 *   is not copied again; records are matched by identity (recordKey below), so re-running after
 *   a crash, or two old ledgers holding the same record, never count anything twice.
 * - Appends are fdatasync'd before the marker (`migrated.json` in the new directory) says a
 *   source is done; the marker is written to a temporary file and renamed. A crash before the
 *   marker leaves some records copied and the source not marked: the next start copies the rest
 *   and skips what is there. A torn last line (power loss) is not a record, so it is copied again,
 *   after a newline that keeps the fragment a lone unparsable line (as ledger.ts does).
 * - The old files stay where they are, unchanged, and a note is added next to them. Renaming them
 *   would fail on Windows while an older Switchyard still holds them open, would not stop a POSIX
 *   process appending through its open descriptor anyway, and would leave a downgraded version
 *   with an empty ledger (a fresh budget). Kept, they are also the user's backup. The marker lives
 *   in the new directory because "done" is a fact about that ledger: a test pointing
 *   SWITCHYARD_STATE_DIR at a temporary directory migrates into it without hiding the records
 *   from the real one.
 * - Records an older version appends to an old ledger after its migration are not picked up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseRecord, type LedgerRecord } from './ledgerRecords';

export const MIGRATION_MARKER = 'migrated.json';
/** Left next to the old files; never read by Switchyard. */
export const OLD_LEDGER_NOTE = 'MIGRATED-switchyard-ledger.txt';
const MARKER_VERSION = 1;
const LEDGER_FILE = /^usage-\d{4}-\d{2}\.jsonl$/;

export interface SourceResult {
  dir: string;
  files: number;
  /** Records appended to the new ledger. */
  copied: number;
  /** Records the new ledger already had. */
  present: number;
  /** Lines that were not records (torn or foreign). */
  skippedLines: number;
}

interface Marker {
  v: number;
  sources: Record<string, { time: string; files: string[]; copied: number; present: number }>;
}

export interface MigrationHooks {
  /** Fault injection for tests: called after a source's records are copied, before it is marked. */
  afterCopy?(source: string): void;
  now?: () => number;
}

/**
 * The identity of a record across ledgers. Usage lines share the reservation's id: an
 * "abandoned" line written by another process and the owner's late real one are both kept
 * (SpendState lets the real one replace the guess), so the outcome class is part of the key.
 */
export function recordKey(r: LedgerRecord): string {
  switch (r.t) {
    case 'reserve':
      return `reserve:${r.id}`;
    case 'usage':
      return `usage:${r.id}:${r.outcome === 'abandoned' ? 'abandoned' : 'settled'}`;
    case 'alert':
      return `alert:${r.key}`;
    // Progress lines of one reservation differ by how far it had got; each is its own record.
    case 'progress':
      return `progress:${r.id}:${r.deltas}:${r.time}`;
  }
}

/** The old ledger directories not yet migrated into `target` that hold ledger files (no lock needed: a cheap check for every start). */
export function pendingSources(target: string, sources: readonly string[]): string[] {
  const done = readMarker(target).sources;
  const self = canonical(target);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of sources) {
    const dir = canonical(s);
    if (dir === self || seen.has(dir) || done[dir]) continue;
    seen.add(dir);
    if (ledgerFilesIn(dir).length > 0) out.push(dir);
  }
  return out;
}

/** Copies the records of `sources` into the ledger in `target`. The caller holds the ledger lock. */
export function migrateLedgers(target: string, sources: readonly string[], hooks: MigrationHooks = {}): SourceResult[] {
  const now = hooks.now ?? Date.now;
  const pending = pendingSources(target, sources);
  if (pending.length === 0) return [];
  fs.mkdirSync(target, { recursive: true });
  const have = existingKeys(target);
  const results: SourceResult[] = [];
  for (const dir of pending) {
    const result: SourceResult = { dir, files: 0, copied: 0, present: 0, skippedLines: 0 };
    const files = ledgerFilesIn(dir);
    for (const name of files) {
      const fresh: string[] = [];
      for (const line of completeLines(fs.readFileSync(path.join(dir, name), 'utf8'))) {
        const rec = parseRecord(line);
        if (!rec) {
          result.skippedLines++;
          continue;
        }
        const key = recordKey(rec);
        if (have.has(key)) {
          result.present++;
          continue;
        }
        have.add(key);
        fresh.push(line);
      }
      appendLines(path.join(target, name), fresh);
      result.files++;
      result.copied += fresh.length;
    }
    hooks.afterCopy?.(dir);
    markDone(target, dir, files, result, now());
    leaveNote(dir, target, now());
    results.push(result);
  }
  return results;
}

function ledgerFilesIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir).filter((f) => LEDGER_FILE.test(f)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Lines ending in a newline; a last line without one is torn (or still being written) and not a record. */
function completeLines(text: string): string[] {
  const end = text.lastIndexOf('\n');
  return end < 0 ? [] : text.slice(0, end).split('\n').filter((l) => l.length > 0);
}

function existingKeys(target: string): Set<string> {
  const keys = new Set<string>();
  for (const name of ledgerFilesIn(target)) {
    for (const line of completeLines(fs.readFileSync(path.join(target, name), 'utf8'))) {
      const rec = parseRecord(line);
      if (rec) keys.add(recordKey(rec));
    }
  }
  return keys;
}

function appendLines(file: string, lines: string[]): void {
  if (lines.length === 0) return;
  const fd = fs.openSync(file, 'a+');
  try {
    const size = fs.fstatSync(fd).size;
    let torn = false;
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      torn = last[0] !== 0x0a;
    }
    const bytes = Buffer.from((torn ? '\n' : '') + lines.map((l) => `${l}\n`).join(''), 'utf8');
    let written = fs.writeSync(fd, bytes);
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function readMarker(target: string): Marker {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(target, MIGRATION_MARKER), 'utf8')) as Marker;
    if (parsed && typeof parsed === 'object' && parsed.sources && typeof parsed.sources === 'object') return parsed;
  } catch {
    // Missing, or unreadable: the latter only costs a re-run, which copies nothing already there.
  }
  return { v: MARKER_VERSION, sources: {} };
}

function markDone(target: string, dir: string, files: string[], r: SourceResult, now: number): void {
  const marker = readMarker(target);
  marker.v = MARKER_VERSION;
  marker.sources[dir] = { time: new Date(now).toISOString(), files, copied: r.copied, present: r.present };
  const file = path.join(target, MIGRATION_MARKER);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(marker, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Best effort: the old directory may be read-only; the marker in the new one is what counts. */
function leaveNote(dir: string, target: string, now: number): void {
  try {
    fs.appendFileSync(
      path.join(dir, OLD_LEDGER_NOTE),
      `${new Date(now).toISOString()} Switchyard copied the usage-*.jsonl files here into ${target}; it no longer reads or writes them. They are kept unchanged as a backup and may be deleted.\n`,
    );
  } catch {
    /* see above */
  }
}

/** Resolves symlinks so that one directory reached by two paths is migrated once. */
function canonical(dir: string): string {
  const abs = path.resolve(dir);
  try {
    return fs.realpathSync(abs);
  } catch {
    return abs;
  }
}

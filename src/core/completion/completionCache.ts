/**
 * A small LRU cache of suggestions keyed by position in a document, so that typing the
 * suggested text, backspacing inside it, or coming back to a position is answered without a
 * request.
 *
 * An entry remembers the cursor offset it was made at and a window of text on both sides. A
 * later cursor at offset + k still matches when the k characters in between are exactly the
 * first k characters of the suggestion (the user typed into it; backspacing just lowers k), and
 * the rest is shown. Edits elsewhere shift offsets or change the windows and simply miss.
 */

/** Suggestions kept. Lookups scan them, so this stays small (Tabby keeps a few dozen too). */
export const CACHE_MAX_ENTRIES = 100;
/** A suggestion older than this may not reflect other files the user has since changed. */
export const CACHE_TTL_MS = 5 * 60_000;
/** Characters of context compared on each side: enough to tell positions apart, cheap to compare. */
export const CACHE_WINDOW_CHARS = 2_000;

export interface CursorSnapshot {
  /** Identifies the document (its URI). */
  docKey: string;
  /** Absolute cursor offset in the document. */
  offset: number;
  /** Text before the cursor (at least CACHE_WINDOW_CHARS of it where the document has them). */
  before: string;
  /** Text after the cursor (likewise). */
  after: string;
}

interface Entry {
  docKey: string;
  offset: number;
  beforeTail: string;
  afterHead: string;
  text: string;
  model?: string;
  storedAt: number;
}

export interface CacheHit {
  /** The part of the suggestion not typed yet ("" only for a stored empty answer at the exact position). */
  text: string;
  /** How many of its characters the user has typed since it was made. */
  typed: number;
  model?: string;
}

export class CompletionCache {
  // Map iteration order is insertion order: re-inserting on use makes it an LRU.
  private readonly entries = new Map<string, Entry>();
  private nextId = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxEntries = CACHE_MAX_ENTRIES,
    private readonly ttlMs = CACHE_TTL_MS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  store(at: CursorSnapshot, text: string, model?: string): void {
    // One entry per position: a newer answer replaces the older one.
    for (const [id, e] of this.entries) {
      if (e.docKey === at.docKey && e.offset === at.offset && matchesWindows(e, at, 0)) this.entries.delete(id);
    }
    this.entries.set(String(this.nextId++), {
      docKey: at.docKey,
      offset: at.offset,
      beforeTail: at.before.slice(-CACHE_WINDOW_CHARS),
      afterHead: at.after.slice(0, CACHE_WINDOW_CHARS),
      text,
      ...(model ? { model } : {}),
      storedAt: this.now(),
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  lookup(at: CursorSnapshot): CacheHit | undefined {
    const now = this.now();
    let best: { id: string; entry: Entry; typed: number } | undefined;
    for (const [id, e] of this.entries) {
      if (now - e.storedAt > this.ttlMs) {
        this.entries.delete(id);
        continue;
      }
      if (e.docKey !== at.docKey) continue;
      const typed = at.offset - e.offset;
      if (typed < 0 || typed > e.text.length) continue;
      // Typed all of it: nothing left to offer from this entry.
      if (typed > 0 && typed === e.text.length) continue;
      if (!at.before.endsWith(e.text.slice(0, typed))) continue;
      if (!matchesWindows(e, at, typed)) continue;
      // Prefer the entry made closest to the cursor: its context is the freshest.
      if (!best || typed < best.typed) best = { id, entry: e, typed };
    }
    if (!best) return undefined;
    this.entries.delete(best.id);
    this.entries.set(best.id, best.entry);
    return { text: best.entry.text.slice(best.typed), typed: best.typed, ...(best.entry.model ? { model: best.entry.model } : {}) };
  }

  clear(docKey?: string): void {
    if (docKey === undefined) this.entries.clear();
    else for (const [id, e] of this.entries) if (e.docKey === docKey) this.entries.delete(id);
  }
}

/** Whether `at`, minus `typed` characters just before the cursor, has the entry's context around it. */
function matchesWindows(e: Entry, at: CursorSnapshot, typed: number): boolean {
  const beforeOrigin = at.before.slice(0, at.before.length - typed);
  if (!beforeOrigin.endsWith(e.beforeTail)) return false;
  // Same window length on both sides: an entry made near the end of the file has a short head.
  return at.after.slice(0, e.afterHead.length) === e.afterHead && (e.afterHead.length === CACHE_WINDOW_CHARS || at.after.length === e.afterHead.length);
}

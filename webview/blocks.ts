/**
 * Where a streaming Markdown answer can be cut into finished blocks (see webview/render.ts): each
 * finished block is rendered once and kept, so a frame costs O(new text). Pure, so it is
 * unit-tested under Node.
 */

const FENCE_LINE = /^ {0,3}(```|~~~)/;

/**
 * Finds block boundaries one after another in a text that only grows, resuming where it stopped:
 * each line is looked at once, so a frame's scan costs the new text, not the whole open block
 * (a 1 MB code block was rescanned from its start on every frame).
 *
 * A boundary is the index after a blank line that ends a block: outside a code fence, and
 * followed by a line that has begun, is not indented and is not a list item. An indented line
 * after a blank one still belongs to the block before it (a list item's next paragraph or nested
 * code), and a list stays one block across blank lines between its items (cut there, "1. a" and
 * "2. b" would render as two lists). The last blank line waits until the next line shows which it
 * is.
 */
export class BlockScanner {
  private lineStart: number;
  private inFence = false;

  /** `from` is a boundary itself (or 0): outside any fence. */
  constructor(private from = 0) {
    this.lineStart = from;
  }

  /** The next boundary after the last one returned, or undefined until more text arrives. */
  next(text: string): number | undefined {
    for (;;) {
      const end = text.indexOf('\n', this.lineStart);
      if (end < 0) return undefined; // An unfinished line decides nothing yet.
      const line = text.slice(this.lineStart, end);
      if (FENCE_LINE.test(line)) this.inFence = !this.inFence;
      else if (!this.inFence && this.lineStart > this.from && line.trim() === '') {
        const next = text.slice(end + 1, end + 12);
        if (undecided(next)) return undefined; // Look at this blank line again with more text.
        if (startsBlock(next)) {
          this.lineStart = this.from = end + 1;
          return end + 1;
        }
      }
      this.lineStart = end + 1;
    }
  }
}

/**
 * The index after the last boundary at or after `from` (see BlockScanner), or `from` when there
 * is none.
 */
export function lastBlockBoundary(text: string, from: number): number {
  const scanner = new BlockScanner(from);
  let boundary = from;
  for (let next = scanner.next(text); next !== undefined; next = scanner.next(text)) boundary = next;
  return boundary;
}

/** A list marker, or what may still become one when more text arrives ("1", "-"). */
const LIST_ITEM_START = /^(?:[-*+]|\d{1,9}[.)]?)(?:[ \t]|$)/;
/** Only the start of a marker so far, with nothing after it: the next characters decide. */
const PARTIAL_LIST_ITEM = /^(?:[-*+]|\d{1,9}[.)]?)$/;

/** The start of the line after a blank one: a new block starts flush left and is not a list item. */
function startsBlock(next: string): boolean {
  return next !== '' && !/^[ \t\n]/.test(next) && !LIST_ITEM_START.test(next);
}

/** Not yet known whether the line after a blank one starts a block. */
function undecided(next: string): boolean {
  return next === '' || PARTIAL_LIST_ITEM.test(next);
}

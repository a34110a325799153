/**
 * Where a streaming Markdown answer can be cut into finished blocks (see renderStreaming in
 * view.ts): each finished block is rendered once and kept, so a frame costs O(new text). Pure,
 * so it is unit-tested under Node.
 */

const FENCE_LINE = /^ {0,3}(```|~~~)/;

/**
 * The index after the last blank line at or after `from` that ends a block: outside a code fence,
 * and followed by a line that has begun, is not indented and is not a list item. An indented line
 * after a blank one still belongs to the block before it (a list item's next paragraph or nested
 * code), and a list stays one block across blank lines between its items (cut there, "1. a" and
 * "2. b" would render as two lists). The last blank line waits until the next line shows which it
 * is. Returns `from` when there is none.
 */
export function lastBlockBoundary(text: string, from: number): number {
  let boundary = from;
  let inFence = false;
  let lineStart = from;
  // Fences opened before `from` are closed: `from` itself was a boundary outside any fence.
  for (let i = from; i <= text.length; i++) {
    if (i === text.length || text[i] === '\n') {
      const line = text.slice(lineStart, i);
      if (FENCE_LINE.test(line)) inFence = !inFence;
      else if (line.trim() === '' && !inFence && lineStart > from && startsBlock(text.slice(i + 1, i + 12))) boundary = i + 1;
      lineStart = i + 1;
    }
  }
  return boundary;
}

/** A list marker, or what may still become one when more text arrives ("1", "-"). */
const LIST_ITEM_START = /^(?:[-*+]|\d{1,9}[.)]?)(?:[ \t]|$)/;

/** The start of the line after a blank one: a new block starts flush left and is not a list item. */
function startsBlock(next: string): boolean {
  return next !== '' && !/^[ \t\n]/.test(next) && !LIST_ITEM_START.test(next);
}

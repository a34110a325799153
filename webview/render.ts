/**
 * Draws one answer's Markdown so that a frame costs what changed, never the whole answer or the
 * whole open block (issue 15: one 200 KB line froze VS Code for ~5.8 s at a time, because the
 * open paragraph was re-rendered and laid out again on every frame):
 * - text up to a block boundary (blocks.ts) is rendered once and kept;
 * - the open last block is re-rendered per frame only while it is short; past
 *   MARKDOWN_BLOCK_MAX_CHARS it is shown as plain text, appended in pieces of PLAIN_PIECE_CHARS
 *   (a piece is its own block box, so appending lays out one piece, not one 200 KB line);
 * - at most MAX_CHARS_PER_FRAME of new text is drawn per frame, so a restored or truncated 2 MB
 *   answer is drawn over a few dozen frames instead of in one long task.
 */
import { BlockScanner } from './blocks';
import { showInvisibleText } from './invisible';
import { renderMarkdown } from './markdown';
import { t } from './strings';

/**
 * Longest block drawn as Markdown. Re-rendering and laying out a 10,000-character open paragraph
 * each frame stays within a few ms (bench/panel-render.ts); a block past it is plain text.
 */
export const MARKDOWN_BLOCK_MAX_CHARS = 10_000;
/** One plain-text piece: small enough that laying it out stays far below a frame. */
export const PLAIN_PIECE_CHARS = 2_000;
/** New text drawn per frame at most: ~30 frames for a 2 MB answer, each well under 50 ms. */
export const MAX_CHARS_PER_FRAME = 64_000;

interface PlainBlock {
  el: HTMLElement;
  /** Index in the answer's text up to which this block is drawn. */
  drawnTo: number;
  piece: HTMLElement | undefined;
  pieceChars: number;
}

export class BodyRenderer {
  private readonly stable = document.createElement('div');
  private readonly tail = document.createElement('div');
  /** Text before this index is in `stable`, drawn for good. */
  private stableChars = 0;
  /** Text before this index has been drawn (in `stable` or the tail). */
  private drawnChars = 0;
  private readonly scanner = new BlockScanner(0);
  private plain: PlainBlock | undefined;

  constructor(readonly body: HTMLElement) {
    body.textContent = '';
    this.stable.className = 'md-stable';
    this.tail.className = 'md-tail';
    body.append(this.stable, this.tail);
  }

  /** Draws up to MAX_CHARS_PER_FRAME more of `text` (which only grows); true if some is left. */
  draw(text: string): boolean {
    const end = Math.min(text.length, this.drawnChars + MAX_CHARS_PER_FRAME);
    if (end === this.drawnChars && this.drawnChars > 0) return false;
    const visible = end === text.length ? text : text.slice(0, end);
    let html = '';
    const flushHtml = () => {
      if (html) this.stable.insertAdjacentHTML('beforeend', html);
      html = '';
    };
    for (let cut = this.scanner.next(visible); cut !== undefined; cut = this.scanner.next(visible)) {
      if (this.plain) {
        this.appendPlain(this.plain, visible.slice(this.plain.drawnTo, cut), cut);
        this.stable.append(this.plain.el);
        this.plain = undefined;
        this.tail.textContent = '';
      } else if (cut - this.stableChars > MARKDOWN_BLOCK_MAX_CHARS) {
        flushHtml();
        const block = newPlainBlock(this.stableChars);
        this.appendPlain(block, visible.slice(this.stableChars, cut), cut);
        this.stable.append(block.el);
      } else {
        html += renderMarkdown(visible.slice(this.stableChars, cut));
      }
      this.stableChars = cut;
    }
    flushHtml();
    if (!this.plain && end - this.stableChars > MARKDOWN_BLOCK_MAX_CHARS) {
      this.plain = newPlainBlock(this.stableChars);
      this.tail.textContent = '';
      this.tail.append(this.plain.el);
    }
    if (this.plain) this.appendPlain(this.plain, visible.slice(this.plain.drawnTo, end), end);
    else this.tail.innerHTML = renderMarkdown(visible.slice(this.stableChars));
    this.drawnChars = end;
    return end < text.length;
  }

  private appendPlain(block: PlainBlock, text: string, drawnTo: number): void {
    let rest = text;
    while (rest.length > 0) {
      if (!block.piece || block.pieceChars >= PLAIN_PIECE_CHARS) {
        block.piece = document.createElement('div');
        block.piece.className = 'md-plain-piece';
        block.pieceChars = 0;
        block.el.append(block.piece);
      }
      let take = Math.min(rest.length, PLAIN_PIECE_CHARS - block.pieceChars);
      // Never split a surrogate pair between two pieces (half an emoji shows as garbage).
      if (take < rest.length && /[\uD800-\uDBFF]/.test(rest[take - 1]!)) take++;
      block.piece.append(showInvisibleText(rest.slice(0, take)));
      block.pieceChars += take;
      rest = rest.slice(take);
    }
    block.drawnTo = drawnTo;
  }
}

function newPlainBlock(from: number): PlainBlock {
  const el = document.createElement('div');
  el.className = 'md-plain';
  const note = document.createElement('div');
  note.className = 'md-plain-note';
  note.textContent = t('Long block: shown as plain text');
  el.append(note);
  return { el, drawnTo: from, piece: undefined, pieceChars: 0 };
}

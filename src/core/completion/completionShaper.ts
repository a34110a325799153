/**
 * Turns a model's streamed middle into the ghost text to show: stops the stream as soon as the
 * wanted shape is complete (one line, or the end of the block), and never returns text that the
 * code after the cursor already has.
 */
import type { CursorContext } from './cursorContext';
import { stripFimControl } from './fimTemplates';

/** A multi-line suggestion longer than this is rarely read, let alone accepted (Copilot-style UIs cap near here). */
export const MAX_SUGGESTION_LINES = 16;

const PURE_CLOSER_LINE = /^\s*(?:[)\]}]+[;,)]*|end|fi|done|esac)\s*$/;
const OPENERS = '([{';
const CLOSERS = ')]}';

export interface ShapedCompletion {
  text: string;
  /** Set when the model did answer but everything was filtered. */
  filtered?: 'duplicate-of-suffix' | 'empty';
}

export class CompletionShaper {
  /** Everything the model sent. */
  private wire = '';
  /** The same without FIM control tokens. */
  private raw = '';
  private cut: string | undefined;
  /** Characters received from the model, including any after the cut. */
  consumed = 0;
  private readonly suffixLines: string[];

  constructor(
    private readonly ctx: CursorContext,
    /** Text after the cursor (the FIM suffix). */
    private readonly after: string,
  ) {
    this.suffixLines = after.split('\n').slice(1).map((l) => l.trim()).filter((l) => l !== '');
  }

  /** Feeds a delta; returns true once enough text has arrived (the caller aborts the stream). */
  push(delta: string): boolean {
    if (this.cut !== undefined) return true;
    this.consumed += delta.length;
    this.wire += delta;
    // Defence in depth for every provider: an echoed leading control token is dropped, a later one ends the answer.
    const clean = stripFimControl(this.wire);
    this.raw = clean.text;
    if (clean.ended) {
      this.cut = this.shape(true) ?? this.raw;
      return true;
    }
    const shaped = this.shape(false);
    if (shaped !== undefined) {
      this.cut = shaped;
      return true;
    }
    return false;
  }

  /** Everything received so far, before shaping: what an in-flight stream is predicting. */
  get received(): string {
    return this.cut ?? this.raw;
  }

  get done(): boolean {
    return this.cut !== undefined;
  }

  /** The final ghost text (call when the stream ended or push returned true). */
  result(): ShapedCompletion {
    let text = this.cut ?? this.shape(true) ?? this.raw;
    text = text.replace(/\s+$/, '');
    if (text.trim() === '') return { text: '', filtered: 'empty' };
    const deduped = this.dedupSuffix(text);
    if (deduped.trim() === '') return { text: '', filtered: 'duplicate-of-suffix' };
    return { text: deduped };
  }

  /** The shaped text once the shape is complete (or `final`: whatever there is); undefined while incomplete. */
  private shape(final: boolean): string | undefined {
    const lines = this.raw.split('\n');
    const complete = final ? lines.length : lines.length - 1;

    if (this.ctx.shape === 'single-line') {
      if (complete >= 1 && lines.length > 1) return lines[0]!;
      return final ? lines[0]! : undefined;
    }

    const cursorIndent = width(this.ctx.indent);
    const freshLine = this.ctx.lineBefore.trim() === '';
    // A body line must be indented deeper than this; a line at or above it ends the block.
    const bodyIndent = freshLine ? width(this.ctx.lineBefore + leadingWs(lines[0]!)) : cursorIndent + 1;
    let depth = 0;
    for (let i = 0; i < complete; i++) {
      const line = lines[i]!;
      depth += bracketDelta(line);
      if (i === 0 || line.trim() === '') continue;
      if (i >= MAX_SUGGESTION_LINES) return lines.slice(0, i).join('\n');
      const dedent = width(leadingWs(line)) < bodyIndent;
      if (dedent || depth < 0) {
        // A closing line for the block just opened is kept unless the suffix already closes it.
        const keepCloser =
          !freshLine && PURE_CLOSER_LINE.test(line) && width(leadingWs(line)) >= cursorIndent && this.suffixLines[0] !== line.trim();
        return lines.slice(0, keepCloser ? i + 1 : i).join('\n');
      }
      // The model started writing the code that already follows the cursor.
      if (this.suffixLines.length > 0 && line.trim() === this.suffixLines[0]) return lines.slice(0, i).join('\n');
    }
    return final ? lines.slice(0, complete).join('\n') : undefined;
  }

  private dedupSuffix(text: string): string {
    if (this.after.trimStart().startsWith(text.trim())) return '';
    if (this.ctx.shape === 'single-line' || !text.includes('\n')) {
      // "foo(a, b)" before ")" → "foo(a, b": drop the overlap with the rest of the line, but only
      // drop closers that the text leaves unbalanced (the model re-typed the suffix's bracket).
      const rest = this.ctx.lineAfter.trimStart();
      for (let k = Math.min(rest.length, text.length); k > 0; k--) {
        const overlap = rest.slice(0, k);
        if (!text.endsWith(overlap)) continue;
        const hasBrackets = [...overlap].some((c) => CLOSERS.includes(c) || OPENERS.includes(c));
        if (!hasBrackets || bracketDelta(text) < 0) return text.slice(0, text.length - k);
      }
      return text;
    }
    // Multi-line: drop trailing lines that repeat the suffix's first lines.
    const lines = text.split('\n');
    const head = this.after.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    for (let n = Math.min(head.length, lines.length - 1); n > 0; n--) {
      const tail = lines.slice(lines.length - n).map((l) => l.trim());
      if (tail.every((l, i) => l === head[i])) return lines.slice(0, lines.length - n).join('\n');
    }
    return text;
  }
}

/** Tabs count as 4 columns: only comparisons between lines of one file matter. */
const TAB_WIDTH = 4;
function width(ws: string): number {
  let w = 0;
  for (const c of ws) {
    if (c === '\t') w += TAB_WIDTH;
    else if (c === ' ') w += 1;
    else break;
  }
  return w;
}

function leadingWs(line: string): string {
  return /^[ \t]*/.exec(line)![0];
}

/** Openers minus closers, skipping string literals roughly (quotes on one line). */
export function bracketDelta(line: string): number {
  let delta = 0;
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (OPENERS.includes(c)) delta++;
    else if (CLOSERS.includes(c)) delta--;
  }
  return delta;
}

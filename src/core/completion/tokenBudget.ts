/**
 * Sizes prompt text by tokens without tokenizing the whole document on every keystroke.
 *
 * A per-line estimate decides the common cases (small files fit; far-away lines are out) and the
 * real tokenizer (the shared cl100k tokenizer of src/core/cost/tokens.ts, one encoding in the
 * bundle) runs only over the lines that are kept once the text is over the cheap limit. The
 * model's own tokenizer differs a little from cl100k; the budget is a size limit, not a bill, so a
 * few percent either way is fine — what must never happen is a 10× miss, which a chars/N rule
 * makes on indentation-heavy code (spaces merge) or Chinese comments (about one token per char).
 */
import { tokenizer } from '../cost/tokens';

/** Typical code/English density for BPE vocabularies of the o200k/cl100k kind (OpenAI's "~4 chars per token" rule). */
const ASCII_CHARS_PER_TOKEN = 4;
/** CJK and other non-ASCII text: about one token per Chinese character (cl100k: 1–2, covered by the error factor below). */
const TOKENS_PER_NON_ASCII_CHAR = 1;
/**
 * The estimate can be off by about 2× either way (runs of spaces merge into one token; dense
 * punctuation splits into many): below half the budget by estimate, text surely fits.
 */
const ESTIMATE_ERROR_FACTOR = 2;

export function exactTokens(text: string): number {
  return tokenizer().countTokens(text);
}

/** Cheap upper-ish estimate: ASCII by length, everything else by character. */
export function estimateTokens(text: string): number {
  let nonAscii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) nonAscii++;
  return Math.ceil((text.length - nonAscii) / ASCII_CHARS_PER_TOKEN) + nonAscii * TOKENS_PER_NON_ASCII_CHAR;
}

export interface Fitted {
  text: string;
  /** Tokens of `text` (exact when the tokenizer ran, else the estimate). */
  tokens: number;
  /** Whether the tokenizer ran (false on the cheap path). */
  tokenized: boolean;
}

/** The longest tail of `text` (whole lines where possible) within `maxTokens`. For the prefix. */
export function fitTail(text: string, maxTokens: number): Fitted {
  return fit(text, maxTokens, 'tail');
}

/** The longest head of `text` (whole lines where possible) within `maxTokens`. For the suffix. */
export function fitHead(text: string, maxTokens: number): Fitted {
  return fit(text, maxTokens, 'head');
}

function fit(text: string, maxTokens: number, keep: 'tail' | 'head'): Fitted {
  if (maxTokens <= 0 || text.length === 0) return { text: '', tokens: 0, tokenized: false };
  const estimate = estimateTokens(text);
  if (estimate * ESTIMATE_ERROR_FACTOR <= maxTokens) return { text, tokens: estimate, tokenized: false };

  // Lines ordered from the cursor outwards, each keeping its own newline.
  const lines = splitKeepingNewlines(text);
  if (keep === 'tail') lines.reverse();

  // Over the cheap limit: count line by line from the cursor outwards with the real tokenizer,
  // stopping at the budget — only the lines that are kept (about maxTokens' worth) are tokenized.
  // The sum of per-line counts is at least the count of the joined text (merges only reduce),
  // so the result is within budget.
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const n = exactTokens(line);
    if (used + n > maxTokens) {
      // A single line longer than the whole budget (minified code): keep its part nearest the cursor.
      if (kept.length === 0) return cutLine(line, maxTokens, keep);
      break;
    }
    kept.push(line);
    used += n;
  }
  return { text: keep === 'tail' ? kept.reverse().join('') : kept.join(''), tokens: used, tokenized: true };
}

function cutLine(line: string, maxTokens: number, keep: 'tail' | 'head'): Fitted {
  const ids = tokenizer().encode(line);
  const part = keep === 'tail' ? ids.slice(ids.length - maxTokens) : ids.slice(0, maxTokens);
  return { text: tokenizer().decode(part), tokens: part.length, tokenized: true };
}

function splitKeepingNewlines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', start)) {
    out.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/**
 * Sizes prompt text by tokens without tokenizing the whole document on every keystroke.
 *
 * A per-line estimate decides the common cases (small files fit; far-away lines are out) and the
 * real tokenizer (gpt-tokenizer, o200k_base) runs only on the band of lines near the limit. The
 * model's own tokenizer differs a little from o200k; the budget is a size limit, not a bill, so a
 * few percent either way is fine — what must never happen is a 10× miss, which a chars/N rule
 * makes on indentation-heavy code (spaces merge) or Chinese comments (about one token per char).
 */
import { encode, decode } from 'gpt-tokenizer';

/** Typical code/English density for BPE vocabularies of the o200k/cl100k kind (OpenAI's "~4 chars per token" rule). */
const ASCII_CHARS_PER_TOKEN = 4;
/** CJK and other non-ASCII text: o200k spends about one token per Chinese character. */
const TOKENS_PER_NON_ASCII_CHAR = 1;
/**
 * The estimate can be off by about 2× either way (runs of spaces merge into one token; dense
 * punctuation splits into many). Below half the budget by estimate, text surely fits; beyond
 * twice the budget, lines are surely out.
 */
const ESTIMATE_ERROR_FACTOR = 2;

// Documents may contain model control tokens ("<|endoftext|>" in a tokenizer's own source):
// count them as ordinary text instead of throwing.
const ENCODE_OPTIONS = { disallowedSpecial: new Set<string>() };

export function exactTokens(text: string): number {
  return encode(text, ENCODE_OPTIONS).length;
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

  // Candidate band: everything whose estimate is within twice the budget.
  const candidate: string[] = [];
  let est = 0;
  for (const line of lines) {
    est += estimateTokens(line);
    if (est > maxTokens * ESTIMATE_ERROR_FACTOR && candidate.length > 0) break;
    candidate.push(line);
  }
  const join = (ls: string[]) => (keep === 'tail' ? [...ls].reverse().join('') : ls.join(''));
  const whole = exactTokens(join(candidate));
  if (whole <= maxTokens) return { text: join(candidate), tokens: whole, tokenized: true };

  // Near the limit: count line by line from the cursor outwards. The sum of per-line counts is at
  // least the count of the joined text (merges only reduce), so the result is within budget.
  const kept: string[] = [];
  let used = 0;
  for (const line of candidate) {
    const n = exactTokens(line);
    if (used + n > maxTokens) {
      // A single line longer than the whole budget (minified code): keep its part nearest the cursor.
      if (kept.length === 0) return cutLine(line, maxTokens, keep);
      break;
    }
    kept.push(line);
    used += n;
  }
  return { text: join(kept), tokens: used, tokenized: true };
}

function cutLine(line: string, maxTokens: number, keep: 'tail' | 'head'): Fitted {
  const ids = encode(line, ENCODE_OPTIONS);
  const part = keep === 'tail' ? ids.slice(ids.length - maxTokens) : ids.slice(0, maxTokens);
  return { text: decode(part), tokens: part.length, tokenized: true };
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

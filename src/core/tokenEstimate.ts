/**
 * THE prompt-size estimate: the classifier's long-context check, the router's context-window
 * fit check and Ollama's num_ctx, and the budget's pre-flight reservation all call
 * estimatePromptTokens(), so a prompt has one size everywhere (before, the classifier said
 * 524,298 tokens and the budget 393,184 for the same 2 MB prompt).
 *
 * It must be fast (it runs on every request, on prompts of megabytes: one pass over char codes,
 * no tokenizer to load — cl100k takes about a second to build and scales with the text) and
 * conservative: an undercount truncates a local prompt or lets a reservation come out below the
 * bill. So every class of character is weighted at or above what the BPE tokenizers of the
 * models we route to give it, with cl100k (the largest counts of them: Qwen, GLM, Llama 3, o200k
 * and Gemini vocabularies are bigger, so they need fewer tokens) as the reference. Measured
 * against cl100k on this repository's sources, README and zh-cn bundle, minified JS, base64,
 * hex, digits, punctuation and prose in ten languages (test/unit/tasks/tokenEstimate.test.ts):
 * never below cl100k except on the worst cases named below; about 1.3–1.7× on English and code,
 * 1.2–1.3× on Chinese, 2× on Cyrillic.
 *
 * Known undercounts, accepted: strings of rare ideographs (outside the few thousand in common
 * use, cl100k spends 2–3 byte tokens on each), random letters without digits (gibberish, ~2×
 * under) and consonant clusters around Polish diacritics (~2 % under). Weighting every
 * ideograph or letter for those would double every ordinary prompt.
 */
import type { ChatMessage } from './types';

/**
 * An ASCII word up to this long is one token: common English words and identifiers' parts are
 * single tokens in every vocabulary.
 */
const SHORT_WORD_LETTERS = 6;
/**
 * Longer ASCII letter runs are cut into pieces of about this many letters: non-English Latin
 * words (German compounds) tokenize in 3-letter pieces; English long words do better.
 */
const LONG_WORD_LETTERS_PER_TOKEN = 3;
/**
 * Digits: Qwen's tokenizer (the default local models) splits numbers into single digits;
 * cl100k groups three. One per digit is exact for Qwen.
 */
const TOKENS_PER_DIGIT = 1;
/**
 * A word of letters and digits mixed, this long or longer, is opaque (base64, hashes, keys):
 * no vocabulary has its pieces, and cl100k spends a token on every ~1.4 characters of base64.
 */
const OPAQUE_MIN_CHARS = 8;
const OPAQUE_CHARS_PER_TOKEN = 1.25;
/** ASCII punctuation and symbols: one each (BPE merges some pairs like "()" or "=>", never worse). */
const TOKENS_PER_SYMBOL = 1;
/** A run of spaces, tabs and newlines longer than one: about one token per this many characters (a newline counts as two). */
const WHITESPACE_CHARS_PER_TOKEN = 8;
/**
 * Chinese, Japanese and Korean: cl100k gives ~1.0–1.1 tokens per common character (55 for 57 in
 * the cost tests' sample), Qwen/GLM ~0.7. 1.25 stays above cl100k on our samples.
 */
const TOKENS_PER_CJK_CHAR = 1.25;
/** Latin letters with diacritics (é, ą, ż): split words, and are often 2 byte tokens themselves. */
const TOKENS_PER_LATIN_EXTENDED_CHAR = 2;
/** Greek, Cyrillic, Hebrew, Arabic (two UTF-8 bytes): cl100k gives about one token per two; we count one. */
const TOKENS_PER_TWO_BYTE_CHAR = 1;
/** Other scripts of three UTF-8 bytes (Devanagari, Thai…): cl100k gives about 1–1.2 per character. */
const TOKENS_PER_THREE_BYTE_CHAR = 1.5;
/** Emoji and other astral characters, per UTF-16 code unit (two per character): 1–3 tokens each in cl100k. */
const TOKENS_PER_SURROGATE = 1.5;

/**
 * Chat framing per message: ChatML's <|im_start|>, role, newline, <|im_end|>, newline (5); Llama 3's
 * header tokens are as many. OpenAI's cookbook counts 3 for its own models.
 */
export const TOKENS_PER_MESSAGE = 5;
/** Priming the reply (ChatML "<|im_start|>assistant\n", 3–4 tokens), or a FIM template's control tokens (3). */
export const TOKENS_REPLY_PRIMING = 5;
/**
 * What a chat template adds on its own: Qwen2.5's template puts in a default system prompt
 * ("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.", ~20 tokens) when
 * the request has none.
 */
export const TEMPLATE_ALLOWANCE = 24;

function isCjk(c: number): boolean {
  return (
    (c >= 0x4e00 && c <= 0x9fff) || // CJK Unified Ideographs
    (c >= 0x3400 && c <= 0x4dbf) || // Extension A
    (c >= 0x3040 && c <= 0x30ff) || // Hiragana, Katakana
    (c >= 0xac00 && c <= 0xd7af) || // Hangul syllables
    (c >= 0x3000 && c <= 0x303f) || // CJK punctuation
    (c >= 0xff00 && c <= 0xffef) // full-width forms
  );
}

/** Tokens of a run of ASCII letters. */
function letterRunTokens(letters: number): number {
  return letters <= SHORT_WORD_LETTERS ? 1 : Math.ceil(letters / LONG_WORD_LETTERS_PER_TOKEN);
}

/** Tokens of a word of letters and digits, given what its letter runs and digits count. */
function wordTokens(chars: number, counted: number, mixed: boolean): number {
  return mixed && chars >= OPAQUE_MIN_CHARS ? Math.max(counted, Math.ceil(chars / OPAQUE_CHARS_PER_TOKEN)) : counted;
}

/** Tokens of a run of whitespace (a newline counting as two characters). */
function whitespaceTokens(chars: number): number {
  return chars > 1 ? Math.ceil(chars / WHITESPACE_CHARS_PER_TOKEN) : 0;
}

/**
 * Tokens in one piece of text, conservatively (see above). One pass, no allocation: it runs on
 * every request (the classifier's bench is a few microseconds per prompt).
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  // The current run of ASCII letters; the current word (letters and digits) it is part of.
  let letters = 0;
  let wordChars = 0;
  let wordCounted = 0;
  let wordDigits = false;
  let wordLetters = false;
  let spaces = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const isLetter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    if (isLetter || (c >= 0x30 && c <= 0x39)) {
      if (spaces > 0) {
        tokens += whitespaceTokens(spaces);
        spaces = 0;
      }
      wordChars++;
      if (isLetter) {
        letters++;
        wordLetters = true;
      } else {
        if (letters > 0) wordCounted += letterRunTokens(letters);
        letters = 0;
        wordCounted += TOKENS_PER_DIGIT;
        wordDigits = true;
      }
      continue;
    }
    if (wordChars > 0) {
      if (letters > 0) wordCounted += letterRunTokens(letters);
      tokens += wordTokens(wordChars, wordCounted, wordDigits && wordLetters);
      letters = wordChars = wordCounted = 0;
      wordDigits = wordLetters = false;
    }
    if (c === 0x20) spaces++;
    else if (c === 0x0a || c === 0x0d || c === 0x09) spaces += 2;
    else {
      if (spaces > 0) {
        tokens += whitespaceTokens(spaces);
        spaces = 0;
      }
      if (c < 0x80) tokens += TOKENS_PER_SYMBOL;
      else if (c < 0x250) tokens += TOKENS_PER_LATIN_EXTENDED_CHAR;
      else if (c < 0x800) tokens += TOKENS_PER_TWO_BYTE_CHAR;
      else if (isCjk(c)) tokens += TOKENS_PER_CJK_CHAR;
      else if (c >= 0xd800 && c <= 0xdfff) tokens += TOKENS_PER_SURROGATE;
      else tokens += TOKENS_PER_THREE_BYTE_CHAR;
    }
  }
  if (wordChars > 0) {
    if (letters > 0) wordCounted += letterRunTokens(letters);
    tokens += wordTokens(wordChars, wordCounted, wordDigits && wordLetters);
  }
  tokens += whitespaceTokens(spaces);
  return Math.ceil(tokens);
}

/**
 * Input tokens of a request as the model will see it: every message with its framing, the
 * reply priming and the template's own additions; for fill-in-the-middle, prefix and suffix
 * with the template's control tokens.
 */
export function estimatePromptTokens(messages: readonly Pick<ChatMessage, 'content'>[], fim?: { prefix: string; suffix: string }): number {
  if (fim) return estimateTokens(fim.prefix) + estimateTokens(fim.suffix) + TOKENS_REPLY_PRIMING;
  let total = TOKENS_REPLY_PRIMING + TEMPLATE_ALLOWANCE;
  for (const m of messages) total += TOKENS_PER_MESSAGE + estimateTokens(m.content);
  return total;
}

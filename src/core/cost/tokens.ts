/**
 * Token estimates for when a provider reports no usage (and for the pre-flight reservation).
 *
 * Uses gpt-tokenizer's cl100k_base BPE, not characters ÷ 4: ÷ 4 counts Chinese at a quarter
 * of its real size (每个汉字 is about one token, not a quarter of one). Measured on Chinese
 * prose, cl100k gives ~1.0 token per character, o200k ~0.7 and Qwen/GLM tokenizers ~0.7, so
 * for Chinese our estimate errs 30–50 % high — the safe side for a budget and for "shown
 * cost never below the bill". English and code agree with o200k within a few percent.
 *
 * Why cl100k and not o200k: the extension VSIX must stay under 1 MB. Bundled and minified
 * (`npx esbuild --bundle --minify`), cl100k_base is 994 KB / 439 KB zipped; o200k_base is
 * 2.76 MB / 1.07 MB zipped, over the whole budget by itself; p50k_base (204 KB zipped) counts
 * Chinese at ~2.1 tokens per character, 3× too high. The encoding is required lazily, on the
 * first estimate, so activation does not pay for building its rank table.
 */
import type { ChatMessage } from '../types';

/**
 * Chat formatting overhead per message and for priming the reply, from OpenAI's cookbook
 * ("How to count tokens with tiktoken": 3 tokens per message, 3 for the assistant reply).
 */
export const TOKENS_PER_MESSAGE = 3;
export const TOKENS_REPLY_PRIMING = 3;

/** The one BPE encoding Switchyard ships; every module that needs tokens should use this one. */
export interface Tokenizer {
  countTokens(text: string): number;
  encode(text: string): number[];
  decode(tokens: readonly number[]): string;
}
let shared: Tokenizer | undefined;

/** The slice of gpt-tokenizer's encoding module we call (its own types need moduleResolution node16). */
interface Cl100k {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
  encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[];
  decode(tokens: Iterable<number>): string;
}

/**
 * Prompts and documents may contain model control tokens ("<|endoftext|>" in a tokenizer's own
 * source): count them as ordinary text. gpt-tokenizer's default throws on them.
 */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * The shared cl100k tokenizer, loaded on first use. Other modules (completion prompt trimming)
 * should take it from here: each additional gpt-tokenizer encoding imported anywhere adds
 * 0.2–1.1 MB zipped to the VSIX (the main 'gpt-tokenizer' entry pulls in o200k, 1.07 MB).
 */
export function tokenizer(): Tokenizer {
  if (!shared) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose, see above
    const cl100k = require('gpt-tokenizer/encoding/cl100k_base') as Cl100k;
    shared = {
      countTokens: (text) => cl100k.countTokens(text, AS_PLAIN_TEXT),
      encode: (text) => cl100k.encode(text, AS_PLAIN_TEXT),
      decode: (tokens) => cl100k.decode(tokens),
    };
  }
  return shared;
}

/** Tokens in a piece of text (the answer of a cancelled stream, a FIM prefix…). */
export function estimateTextTokens(text: string): number {
  return text.length === 0 ? 0 : tokenizer().countTokens(text);
}

/** Input tokens of a chat request, including the per-message formatting overhead. */
export function estimateInputTokens(messages: readonly ChatMessage[], fim?: { prefix: string; suffix: string }): number {
  if (fim) return estimateTextTokens(fim.prefix) + estimateTextTokens(fim.suffix) + TOKENS_REPLY_PRIMING;
  let total = TOKENS_REPLY_PRIMING;
  for (const m of messages) total += TOKENS_PER_MESSAGE + estimateTextTokens(m.content);
  return total;
}

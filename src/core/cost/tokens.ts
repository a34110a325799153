/**
 * Token counts for the cost module.
 *
 * A request's INPUT size (the pre-flight reservation, and the bill when a provider reports no
 * usage) is estimatePromptTokens() of src/core/tokenEstimate.ts, the one estimate the classifier
 * and the router's context-window check use too: one prompt, one size. It is conservative (at
 * or above cl100k's count, see there), so a reservation never comes out below the bill.
 *
 * Output text (the answer of a cancelled stream, a FIM prefix…) is counted exactly with
 * gpt-tokenizer's cl100k_base BPE, not characters ÷ 4: ÷ 4 counts Chinese at a quarter
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
import { estimatePromptTokens } from '../tokenEstimate';
import type { ChatMessage } from '../types';

export { TEMPLATE_ALLOWANCE, TOKENS_PER_MESSAGE, TOKENS_REPLY_PRIMING } from '../tokenEstimate';

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

/**
 * Input tokens of a request, framing included: the shared estimate (src/core/tokenEstimate.ts),
 * so the reservation counts the prompt exactly as the classifier and the context check did.
 */
export function estimateInputTokens(messages: readonly ChatMessage[], fim?: { prefix: string; suffix: string }): number {
  return estimatePromptTokens(messages, fim);
}

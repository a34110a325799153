/**
 * A quick, dependency-free token estimate for the classifier's long-context check, which runs on
 * every request and must stay far below a millisecond: the cost module's exact BPE count
 * (src/core/cost/tokens.ts, cl100k) takes about a second to load and scales with the text,
 * while this is one pass over char codes. Budgets use the exact count, never this one. Chinese,
 * Japanese and Korean characters are about one token each in the Qwen/GLM/GPT tokenizers;
 * other text averages about four characters per token (OpenAI's rule of thumb).
 */
const CHARS_PER_TOKEN_LATIN = 4;
/** Per-message framing (role markers, separators) that chat templates add: ~4 tokens in ChatML. */
const TOKENS_PER_MESSAGE = 4;

export function estimateTokens(text: string): number {
  let cjk = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // CJK Unified Ideographs, Hiragana/Katakana, Hangul syllables, full-width punctuation.
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3040 && c <= 0x30ff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef)) cjk++;
  }
  return cjk + Math.ceil((text.length - cjk) / CHARS_PER_TOKEN_LATIN);
}

export function estimateMessagesTokens(messages: readonly { content: string }[]): number {
  let total = 0;
  for (const m of messages) total += estimateTokens(m.content) + TOKENS_PER_MESSAGE;
  return total;
}

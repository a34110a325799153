/**
 * Usage normalization: vendor usage objects → our Usage (measured), or our own estimate when
 * the provider reported nothing (estimated: true), using the cost module's tokenizer so that
 * estimates agree with the budget's pre-flight reservation.
 */
import { estimateInputTokens, estimateTextTokens } from '../cost/tokens';
import type { ChatMessage, FinishReason, Usage } from '../types';

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** OpenAI-style usage (OpenAI, DashScope, Zhipu, Gemini, vLLM, Groq's x_groq.usage). */
export function usageFromOpenAI(u: unknown): Usage | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const o = u as Record<string, any>;
  const input = num(o.prompt_tokens) ?? num(o.input_tokens);
  const output = num(o.completion_tokens) ?? num(o.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const usage: Usage = { inputTokens: input ?? 0, outputTokens: output ?? 0, estimated: false };
  // DeepSeek-style servers say prompt_cache_hit_tokens; the others nest cached_tokens.
  const cached = num(o.prompt_tokens_details?.cached_tokens) ?? num(o.prompt_cache_hit_tokens) ?? num(o.input_tokens_details?.cached_tokens);
  const reasoning = num(o.completion_tokens_details?.reasoning_tokens) ?? num(o.output_tokens_details?.reasoning_tokens);
  if (cached !== undefined) usage.cachedInputTokens = cached;
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

/** Our estimate when nothing was reported: prompt (or FIM prefix+suffix) in, streamed text (and thinking) out. */
export function estimateUsage(messages: readonly ChatMessage[], fim: { prefix: string; suffix: string } | undefined, outputText: string, thinkingText = ''): Usage {
  const reasoning = estimateTextTokens(thinkingText);
  return {
    inputTokens: estimateInputTokens(messages, fim),
    outputTokens: estimateTextTokens(outputText) + reasoning,
    ...(reasoning ? { reasoningTokens: reasoning } : {}),
    estimated: true,
  };
}

/** Vendor finish words → ours. Zhipu says "sensitive", Gemini (native) "SAFETY"/"MAX_TOKENS". */
const FINISH: Record<string, FinishReason> = {
  stop: 'stop',
  eos: 'stop',
  end_turn: 'stop',
  load: 'stop',
  unload: 'stop',
  length: 'length',
  max_tokens: 'length',
  content_filter: 'content_filter',
  sensitive: 'content_filter',
  safety: 'content_filter',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
};

export function finishReasonOf(vendorWord: string): FinishReason {
  return FINISH[vendorWord.toLowerCase()] ?? 'stop';
}

/**
 * Ollama's num_ctx for one request. Without it Ollama runs the model with its own default
 * context (2048 before 0.6, 4096 since, whatever the model can hold) and silently drops the
 * start of a longer prompt; with too large a value it allocates the KV cache for the whole
 * window (gigabytes at 128K). So: prompt estimate + answer budget, rounded up, capped at the
 * model's context length.
 */
import { contextWindowOf } from '../router/contextWindows';

/**
 * Never ask for less than Ollama's own default (4096 since 0.6): small requests then run with
 * the context the model is loaded with anyway, and a chat and its follow-ups keep one size.
 */
export const MIN_NUM_CTX = 4_096;

/**
 * Rounded up to a power of two: Ollama reloads a model whenever num_ctx changes, so a
 * conversation that grows reloads at 8K, 16K, 32K… rather than on every turn; the price is at
 * most twice the KV cache the prompt needs.
 */
export function numCtxFor(neededTokens: number, contextLength: number | undefined): number {
  let n = MIN_NUM_CTX;
  while (n < neededTokens) n *= 2;
  return contextLength !== undefined && contextLength > 0 ? Math.min(n, contextLength) : n;
}

/** The model's context length: what /api/show said, else its family's documented default. */
export function ollamaContextLength(providerId: string, model: string, reported: number | undefined): number {
  return contextWindowOf({ ref: { provider: providerId, model }, reported }).tokens;
}

/**
 * The context-window check: a model is a candidate only if its window holds the prompt plus the
 * answer's budget, and when no model does, the request is refused before anything is sent (no
 * request to any provider, no budget reservation) with the numbers. Before this, a 2 MB prompt
 * (~500,000 tokens) went whole to qwen2.5:7b (32K) and ran until it was killed, or to a 128K
 * cloud model after reserving its cost.
 */
import type { Candidate, ContextTooSmall, NormalizedError, PromptTooLarge, RoutingDecision } from '../types';
import { formatModelRef } from '../types';
import type { ContextWindow } from './contextWindows';
import { type ExcludedReason, renderReason } from '../reasons';

export interface FitRequest {
  /** The prompt's size by estimatePromptTokens (src/core/tokenEstimate.ts). */
  promptTokens: number;
  /** The answer's budget: the request's max tokens, else DEFAULT_MAX_TOKENS. */
  answerTokens: number;
}

const n = (x: number): string => x.toLocaleString('en-US');

/** Keeps the candidates whose window holds prompt + answer; the others become typed exclusions. */
export function fitCandidates(
  candidates: readonly Candidate[],
  fit: FitRequest,
  windowOf: (c: Candidate) => ContextWindow,
): { kept: Candidate[]; excluded: RoutingDecision['excluded'] } {
  const needed = fit.promptTokens + fit.answerTokens;
  const kept: Candidate[] = [];
  const excluded: RoutingDecision['excluded'] = [];
  for (const c of candidates) {
    const window = windowOf(c);
    if (window.tokens >= needed) {
      kept.push(c);
      continue;
    }
    const model = formatModelRef(c.ref);
    const reason: ContextTooSmall = { code: 'context_too_small', model, window: window.tokens, needed };
    const because: ExcludedReason = { code: 'excl_context_too_small', window: window.tokens, source: window.source, needed, prompt: fit.promptTokens, answer: fit.answerTokens };
    excluded.push({ ref: model, why: renderReason(because), because, reason });
  }
  return { kept, excluded };
}

/**
 * The refusal when context windows left no candidate: undefined when no model was left out for
 * its window (then the request failed for another reason, said elsewhere).
 */
export function promptTooLargeError(decision: RoutingDecision): NormalizedError | undefined {
  const tooSmall = decision.excluded.flatMap((e) => (e.reason?.code === 'context_too_small' ? [e.reason] : []));
  if (decision.candidates.length > 0 || tooSmall.length === 0) return undefined;
  const largest = tooSmall.reduce((a, b) => (b.window > a.window ? b : a));
  const promptTokens = decision.promptTokens ?? largest.needed;
  const reason: PromptTooLarge = { code: 'prompt_too_large', promptTokens, answerTokens: largest.needed - promptTokens, largestWindow: largest.window, model: largest.model };
  const others = decision.excluded.filter((e) => e.reason?.code !== 'context_too_small').slice(0, 4);
  const also = others.length > 0 ? ` Also left out: ${others.map((e) => `${e.ref} (${e.why})`).join('; ')}.` : '';
  return {
    kind: 'context_length',
    message:
      `The prompt is about ${n(reason.promptTokens)} tokens; with ${n(reason.answerTokens)} for the answer it does not fit the largest context window available ` +
      `(${reason.model}, ${n(reason.largestWindow)} tokens). Nothing was sent. Shorten the prompt, or add a model with a larger window.${also}`,
    retryable: false,
    reason,
  };
}

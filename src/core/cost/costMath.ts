/**
 * Cost arithmetic: tokens × price, counted the way vendors bill. Kept free of I/O so every
 * rule here is checked directly against the price table in the unit tests.
 *
 * Billing rules applied:
 * - cached input tokens (part of inputTokens, as OpenAI's prompt_tokens includes cached_tokens)
 *   are billed at the cached rate where one exists, the rest at the input rate;
 * - reasoning tokens are billed as output. The Usage contract says providers include them in
 *   outputTokens; if a provider did not (reasoning > output), they are added, because a shown
 *   cost lower than the bill is the worst error this module can make;
 * - thinking mode uses the vendor's thinking output rate where it differs (Qwen);
 * - long-context tiers apply by input size (qwen-plus above 256K input tokens);
 * - a cost the provider reported itself wins over our arithmetic.
 */
import type { CostBreakdown, Usage } from '../types';
import type { ModelPrice } from './priceTable';
import type { ResolvedPrice } from './prices';

/** Prices are quoted per 1M tokens. */
export const TOKENS_PER_PRICE_UNIT = 1_000_000;

export interface Rates {
  input: number;
  output: number;
  cachedInput: number;
}

/** The per-1M rates that apply to a request with this much input, in or out of thinking mode. */
export function ratesFor(price: ModelPrice, inputTokens: number, thinking: boolean): Rates {
  let input = price.input;
  let output = price.output;
  let thinkingOutput = price.thinkingOutput;
  for (const tier of price.tiers ?? []) {
    if (inputTokens > tier.aboveInputTokens) {
      input = tier.input;
      output = tier.output;
      thinkingOutput = tier.thinkingOutput ?? thinkingOutput;
    }
  }
  return {
    input,
    output: thinking && thinkingOutput !== undefined ? thinkingOutput : output,
    cachedInput: price.cachedInput ?? input,
  };
}

/** Output tokens as billed: reasoning included exactly once. */
export function billedOutputTokens(usage: Usage): number {
  const reasoning = usage.reasoningTokens ?? 0;
  return reasoning > usage.outputTokens ? usage.outputTokens + reasoning : usage.outputTokens;
}

/** The cost of one finished attempt. `thinking` is whether thinking mode was requested. */
export function costOf(usage: Usage, resolved: ResolvedPrice, thinking: boolean): CostBreakdown {
  if (resolved.kind === 'local' || resolved.kind === 'unpriced' || resolved.kind === 'unpriced-allowed') {
    const total = usage.reportedCostUsd ?? 0;
    return {
      currency: 'USD',
      inputUsd: 0,
      outputUsd: 0,
      totalUsd: total,
      // An allowed model without a price is "0" only because we do not know better: say so.
      estimated: resolved.kind !== 'local' || usage.estimated,
      priceSource: usage.reportedCostUsd !== undefined ? 'provider-reported' : resolved.kind === 'local' ? 'local' : 'no price known',
    };
  }
  const inThinking = thinking || (usage.reasoningTokens ?? 0) > 0;
  const rates = ratesFor(resolved.price, usage.inputTokens, inThinking);
  const cached = Math.min(Math.max(usage.cachedInputTokens ?? 0, 0), usage.inputTokens);
  const inputUsd = ((usage.inputTokens - cached) * rates.input + cached * rates.cachedInput) / TOKENS_PER_PRICE_UNIT;
  const outputUsd = (billedOutputTokens(usage) * rates.output) / TOKENS_PER_PRICE_UNIT;
  const computed = inputUsd + outputUsd;
  if (usage.reportedCostUsd !== undefined) {
    // Keep the input/output split proportional so the panel's breakdown still adds up to the bill.
    const scale = computed > 0 ? usage.reportedCostUsd / computed : 0;
    return {
      currency: 'USD',
      inputUsd: computed > 0 ? inputUsd * scale : 0,
      outputUsd: computed > 0 ? outputUsd * scale : usage.reportedCostUsd,
      totalUsd: usage.reportedCostUsd,
      estimated: false,
      priceSource: 'provider-reported',
    };
  }
  return {
    currency: 'USD',
    inputUsd,
    outputUsd,
    totalUsd: computed,
    // Only counted tokens are an estimate: a price override is the user's own price, applied to
    // the provider's usage it is exact (priceSource still says "settings override").
    estimated: usage.estimated,
    priceSource: resolved.source,
  };
}

/** The most a call can cost: its whole input plus `maxTokens` of output, all at full rates. */
export function worstCaseUsd(resolved: ResolvedPrice, inputTokens: number, maxTokens: number, thinking: boolean): number {
  if (resolved.kind !== 'priced') return 0;
  const rates = ratesFor(resolved.price, inputTokens, thinking);
  return (inputTokens * rates.input + maxTokens * rates.output) / TOKENS_PER_PRICE_UNIT;
}

/** The largest max_tokens whose worst case fits in `roomUsd` (Infinity for a free model). */
export function maxTokensWithin(resolved: ResolvedPrice, inputTokens: number, roomUsd: number, thinking: boolean): number {
  if (resolved.kind !== 'priced') return Number.POSITIVE_INFINITY;
  const rates = ratesFor(resolved.price, inputTokens, thinking);
  const left = roomUsd * TOKENS_PER_PRICE_UNIT - inputTokens * rates.input;
  if (rates.output === 0) return left >= 0 ? Number.POSITIVE_INFINITY : 0;
  return Math.max(0, Math.floor(left / rates.output + FLOAT_SLACK_TOKENS));
}

/** Absorbs binary rounding of dollar fractions ($0.0415 is not exact) so 3900 does not come out as 3899. */
const FLOAT_SLACK_TOKENS = 1e-6;

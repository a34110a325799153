/**
 * Finds the price of one model: the user's override first, then the bundled table, and says
 * where the number came from. A cloud model with no known price resolves to `unpriced`, which
 * the spend guard refuses under a budget unless the user allowed it — never a silent zero.
 */
import type { Locality, ModelRef } from '../types';
import { formatModelRef } from '../types';
import { PRICE_TABLE, PRICE_TABLE_AS_OF, type ModelPrice } from './priceTable';
import { toUsd } from './currency';

export interface PriceOverride {
  input: number;
  output: number;
  cachedInput?: number;
}

export interface PriceContext {
  /** budget.priceOverrides: "provider/model" → USD per 1M tokens. */
  overrides: Readonly<Record<string, PriceOverride>>;
  /** budget.allowUnpriced: "provider/model" entries the user accepts without a price. */
  allowUnpriced: readonly string[];
  /** Maps a configured provider id to its vendor (providers.<id>.vendor); identity when unknown. */
  vendorOf(providerId: string): string | undefined;
}

export type ResolvedPrice =
  | { kind: 'local'; source: 'local' }
  /** USD per 1M tokens, already converted from the vendor's currency. */
  | { kind: 'priced'; price: ModelPrice; source: string; overridden: boolean }
  | { kind: 'unpriced-allowed'; source: string }
  | { kind: 'unpriced'; message: string };

/** Dated snapshots ("gpt-4o-2024-08-06", "qwen-plus-2025-01-25") and "-latest" bill like their base model. */
const SNAPSHOT_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$/;
/** Gemini's OpenAI-compatible endpoint lists models as "models/gemini-…". */
const GEMINI_MODELS_PREFIX = /^models\//;

export function resolvePrice(ref: ModelRef, locality: Locality, ctx: PriceContext): ResolvedPrice {
  if (locality === 'local') return { kind: 'local', source: 'local' };
  const key = formatModelRef(ref);
  const override = ctx.overrides[key];
  if (override) {
    return { kind: 'priced', price: { ...override, source: 'settings override' }, source: 'settings override', overridden: true };
  }
  const tableEntry = lookupTable(ref, ctx);
  if (tableEntry) {
    return { kind: 'priced', price: inUsd(tableEntry), source: `table ${PRICE_TABLE_AS_OF}`, overridden: false };
  }
  if (ctx.allowUnpriced.includes(key) || ctx.allowUnpriced.includes(ref.provider)) {
    return { kind: 'unpriced-allowed', source: 'no price (allowed in settings)' };
  }
  return {
    kind: 'unpriced',
    message:
      `No price is known for ${key}, so Switchyard cannot keep it within your budget. ` +
      `Set its price in switchyard.budget.priceOverrides (e.g. "${key}": {"input": 0.5, "output": 1.5} in USD per 1M tokens) ` +
      `or allow it without a price in switchyard.budget.allowUnpriced.`,
  };
}

function lookupTable(ref: ModelRef, ctx: PriceContext): ModelPrice | undefined {
  const vendor = ctx.vendorOf(ref.provider) ?? ref.provider;
  const model = ref.model.replace(GEMINI_MODELS_PREFIX, '');
  return PRICE_TABLE[`${vendor}/${model}`] ?? PRICE_TABLE[`${vendor}/${model.replace(SNAPSHOT_SUFFIX, '')}`];
}

/** Converts a CNY-billed entry (glm-4-plus) into USD with the bundled dated rate. */
function inUsd(price: ModelPrice): ModelPrice {
  if (!price.currency || price.currency === 'USD') return price;
  const setting = { currency: price.currency } as const;
  const conv = (n: number | undefined): number | undefined => (n === undefined ? undefined : toUsd(n, setting));
  return {
    ...price,
    input: toUsd(price.input, setting),
    output: toUsd(price.output, setting),
    cachedInput: conv(price.cachedInput),
    thinkingOutput: conv(price.thinkingOutput),
    tiers: price.tiers?.map((t) => ({ ...t, input: toUsd(t.input, setting), output: toUsd(t.output, setting), thinkingOutput: conv(t.thinkingOutput) })),
    currency: 'USD',
  };
}

/**
 * The bundled price table: what each cloud model costs per 1M tokens. Data only — the lookup
 * rules live in prices.ts. Keys are "<vendor>/<model>" where vendor is the quirk-table vendor of
 * the provider config (openai, groq, dashscope, zhipu, gemini, llama), so a provider the user
 * named "my-groq" still finds Groq's prices.
 *
 * Every number here comes from section 9 of docs/provider-wire-reference.md (itself from LiteLLM's
 * MIT-licensed model_prices_and_context_window.json and the vendors' pages) or, where noted, from
 * section 1 of the requirements. Prices change: the user can override any entry with
 * `switchyard.budget.priceOverrides`, and the cost line in the panel names the source.
 */

/** When the table was last checked against its sources (shown as "table 2026-11" in the panel). */
export const PRICE_TABLE_AS_OF = '2026-11';

export type PriceCurrency = 'USD' | 'CNY';

export interface PriceTier {
  /** The tier applies when the request's input is larger than this many tokens. */
  aboveInputTokens: number;
  input: number;
  output: number;
  thinkingOutput?: number;
}

export interface ModelPrice {
  /** Per 1M input tokens. */
  input: number;
  /** Per 1M output tokens (reasoning tokens included where the vendor bills them as output). */
  output: number;
  /** Per 1M input tokens served from the prompt cache; the input rate when absent. */
  cachedInput?: number;
  /** Per 1M output tokens when thinking is on, for vendors that price thinking mode differently (Qwen). */
  thinkingOutput?: number;
  /** Long-context tiers, cheapest first; the highest tier whose threshold the input exceeds applies. */
  tiers?: PriceTier[];
  /** The currency the vendor bills in; converted to USD with the dated table in currency.ts. */
  currency?: PriceCurrency;
  /** The model costs nothing at all (not merely a rate-limited free tier). */
  free?: boolean;
  /** A free tier that exists but cannot be detected from the API: we charge the paid price to stay safe. */
  freeTier?: string;
  source: string;
  note?: string;
}

const WIRE_REF = 'provider-wire-reference §9';
const LITELLM = `${WIRE_REF} (LiteLLM model_prices_and_context_window.json)`;
const REQUIREMENTS = 'requirements §1';

export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  // OpenAI: cached prompt tokens at half price; reasoning tokens are part of completion_tokens.
  'openai/gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25, source: WIRE_REF },
  'openai/gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075, source: WIRE_REF },

  // Groq: a free tier exists (30 req/min, 30,000 tokens/min) but the API does not say which tier a key is on.
  'groq/llama-3.3-70b-versatile': {
    input: 0.59,
    output: 0.79,
    freeTier: '30 requests/min, 30,000 tokens/min on the free plan',
    source: WIRE_REF,
  },
  'groq/llama-3.1-8b-instant': { input: 0.05, output: 0.08, source: WIRE_REF },

  // Alibaba DashScope (international region, USD). Thinking mode bills all output at the thinking rate.
  'dashscope/qwen-plus': {
    input: 0.4,
    output: 1.2,
    thinkingOutput: 4,
    tiers: [{ aboveInputTokens: 256_000, input: 1.2, output: 3.6 }],
    source: LITELLM,
    note: 'international region; Beijing prices are in CNY and differ',
  },
  'dashscope/qwen-turbo': { input: 0.05, output: 0.2, thinkingOutput: 0.5, source: LITELLM },
  'dashscope/qwen-max': { input: 1.6, output: 6.4, source: LITELLM, note: 'international region' },

  // Zhipu GLM.
  'zhipu/glm-4-flash': { input: 0, output: 0, free: true, source: `${WIRE_REF} (bigmodel.cn)` },
  'zhipu/glm-4.7-flash': {
    input: 0,
    output: 0,
    free: true,
    source: WIRE_REF,
    note: 'free first-party (concurrency 1); third-party hosts charge 0.06–0.07 / 0.40',
  },
  'zhipu/glm-4.7-flashx': { input: 0.07, output: 0.4, source: WIRE_REF },
  'zhipu/glm-4-plus': { input: 5, output: 5, currency: 'CNY', source: `${WIRE_REF} (bigmodel docs, ¥5 per 1M)` },

  // Google Gemini: thinking tokens are billed as output; a free tier exists but is not detectable.
  'gemini/gemini-2.0-flash': {
    input: 0.1,
    output: 0.4,
    cachedInput: 0.025,
    freeTier: '15 requests/min, 1,500 requests/day on the free tier',
    source: WIRE_REF,
    note: 'deprecated 2026-06-01 per LiteLLM',
  },
  'gemini/gemini-2.5-flash': { input: 0.3, output: 2.5, cachedInput: 0.03, source: WIRE_REF },

  // Third-party Llama API (OpenAI-compatible): "~$0.001 in / $0.002 out per 1K".
  'llama/Llama-3.3-70B-Instruct': { input: 1, output: 2, source: REQUIREMENTS },
};

/**
 * How many tokens (prompt + answer) each model can hold. What the provider itself reports wins
 * (Ollama's /api/show `<arch>.context_length`, read by OllamaProvider.listModels); then the
 * table below for cloud models; then a conservative default for the model's family; then
 * UNKNOWN_MODEL_CONTEXT_WINDOW. Data and lookup only — the fit check is contextFit.ts.
 *
 * Where a vendor has raised a model's window over time (qwen-turbo and qwen-plus went from 128K
 * to 1M; glm-4.7-flash is sold with 128K and 200K), the table keeps the smaller, long-standing
 * figure: a window set too high sends a prompt the model truncates or refuses, one set too low
 * only moves the request to a larger model.
 */
import type { ModelRef } from '../types';

export interface ContextWindow {
  tokens: number;
  /** "reported by ollama", "bundled table", "qwen2.5 family default", "default for an unknown model". */
  source: string;
}

/** Named in the reason a model is left out: "context window of 128,000 tokens (bundled table) …". */
const TABLE_SOURCE = 'bundled table';

/**
 * Cloud models by "<vendor>/<model>", the price table's keys (src/core/cost/priceTable.ts). The
 * numbers are the vendors' model pages as of 2026-11, not fetched at run time: re-check an entry
 * when its vendor changes the model, and add one with each model added to the price table.
 */
export const CLOUD_CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
  // OpenAI: 128K context for the 4o family.
  'openai/gpt-4o': 128_000,
  'openai/gpt-4o-mini': 128_000,
  // Groq: 131,072 for the Llama 3.x models it hosts.
  'groq/llama-3.3-70b-versatile': 131_072,
  'groq/llama-3.1-8b-instant': 131_072,
  // DashScope: qwen-long is the 10M-token document model; qwen-max 32K; Qwen2.5-Math is trained on 4K.
  'dashscope/qwen-long': 10_000_000,
  'dashscope/qwen-turbo': 131_072,
  'dashscope/qwen-plus': 131_072,
  'dashscope/qwen-max': 32_768,
  'dashscope/qwen2.5-coder-32b-instruct': 131_072,
  'dashscope/qwen2.5-math-72b-instruct': 4_096,
  'dashscope/qwen-vl-plus': 8_192,
  'dashscope/qwen-audio-turbo': 8_192,
  // Zhipu GLM: 128K.
  'zhipu/glm-4-flash': 128_000,
  'zhipu/glm-4.7-flash': 128_000,
  'zhipu/glm-4.7-flashx': 128_000,
  'zhipu/glm-4-plus': 128_000,
  // Gemini Flash: 1,048,576.
  'gemini/gemini-2.0-flash': 1_048_576,
  'gemini/gemini-2.5-flash': 1_048_576,
  'llama/Llama-3.3-70B-Instruct': 128_000,
};

/**
 * Local model families (Ollama names, also matched in the names LM Studio / llama.cpp servers
 * report), most specific first: the context length each family is trained for, as its model
 * card (and Ollama's /api/show) states. Used when the server does not say.
 */
export const FAMILY_CONTEXT_WINDOWS: readonly { prefix: string; tokens: number }[] = [
  { prefix: 'qwen2.5vl', tokens: 128_000 },
  { prefix: 'qwen2.5-coder', tokens: 32_768 },
  { prefix: 'qwen2.5', tokens: 32_768 },
  { prefix: 'qwen2-math', tokens: 4_096 },
  { prefix: 'qwen3', tokens: 40_960 },
  { prefix: 'llama3.1', tokens: 131_072 },
  { prefix: 'llama3.2', tokens: 131_072 },
  { prefix: 'llama3.3', tokens: 131_072 },
  { prefix: 'deepseek-coder-v2', tokens: 163_840 },
  { prefix: 'deepseek-r1', tokens: 131_072 },
  { prefix: 'glm4', tokens: 131_072 },
  { prefix: 'llava', tokens: 4_096 },
  { prefix: 'codellama', tokens: 16_384 },
  { prefix: 'starcoder2', tokens: 16_384 },
];

/**
 * A model nobody can tell us about (a custom endpoint's model, an NPU service): the context
 * most small models are run with, the classifier's long-context threshold too.
 */
export const UNKNOWN_MODEL_CONTEXT_WINDOW = 8_192;

/** Dated snapshots and "-latest" have their base model's window (as in prices.ts). */
const SNAPSHOT_SUFFIX = /-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$/;

export interface WindowQuery {
  ref: ModelRef;
  /** The provider config's vendor (groq, dashscope…), which the table is keyed by. */
  vendor?: string;
  /** What the provider reported for this model (Ollama /api/show), if anything. */
  reported?: number;
}

export function contextWindowOf(q: WindowQuery): ContextWindow {
  if (q.reported && q.reported > 0) return { tokens: q.reported, source: `reported by ${q.ref.provider}` };
  const model = q.ref.model.replace(/^models\//, '');
  const vendor = q.vendor && q.vendor !== 'custom' ? q.vendor : q.ref.provider;
  const table = CLOUD_CONTEXT_WINDOWS[`${vendor}/${model}`] ?? CLOUD_CONTEXT_WINDOWS[`${vendor}/${model.replace(SNAPSHOT_SUFFIX, '')}`];
  if (table) return { tokens: table, source: TABLE_SOURCE };
  const name = model.toLowerCase().slice(model.lastIndexOf('/') + 1);
  const family = FAMILY_CONTEXT_WINDOWS.find((f) => name.startsWith(f.prefix));
  if (family) return { tokens: family.tokens, source: `${family.prefix} family default` };
  return { tokens: UNKNOWN_MODEL_CONTEXT_WINDOW, source: 'default for an unknown model' };
}

/**
 * What one vendor's OpenAI-compatible service does differently from the common server
 * (compatible/server.ts): where it lives, how it streams usage and reasoning, its ids, headers
 * and error bodies. Each vendor's file in ../vendors/ fills one of these in from
 * /work/shared/docs/provider-wire-reference.md; the common server asks it, never a vendor name.
 */
import type { ErrorReply } from '../http';

export type VendorName = 'openai' | 'groq' | 'dashscope' | 'zhipu' | 'gemini' | 'llama' | 'ollama-openai' | 'custom';

/** Where a vendor puts usage in a stream. */
export type UsagePlacement =
  | 'usage_chunk_with_opt_in' // OpenAI, DashScope, vLLM, Ollama /v1: a `choices:[]` chunk only with stream_options.include_usage
  | 'finish_chunk' // Zhipu: `usage` on the chunk that carries finish_reason, always
  | 'x_groq' // Groq: `x_groq.usage` on the finish chunk, always (plus the opt-in usage chunk)
  | 'every_chunk'; // Gemini: cumulative `usage` on every chunk

export type ErrorPreset =
  | 'auth'
  | 'missing_auth'
  | 'rate_limit'
  /** Out of credit: OpenAI insufficient_quota, Zhipu 1113 (balance exhausted), DashScope Arrearage. Never worth a retry. */
  | 'quota'
  | 'daily_limit'
  | 'model_not_found'
  | 'context_length'
  | 'content_filter'
  | 'overloaded'
  | 'server'
  | 'logprobs_unsupported'
  | 'thinking_non_stream';

/** What an error preset may be told about the situation it reports. */
export interface ErrorContext {
  model?: string;
  /** The key the client sent (OpenAI masks it in its 401 message). */
  key?: string;
  /**
   * Seconds until the client may try again, when the double knows it (a counted quota): goes
   * into the vendor's own place for it (retry-after, Gemini's RetryInfo, the "try again in" text).
   */
  retryAfterSeconds?: number;
  /** Which counted window ran out (a counted quota's 429 names it the vendor's way). */
  window?: QuotaWindow;
}

/** A counted window of a scripted quota (compatible/quota.ts). */
export interface QuotaWindow {
  kind: 'requests' | 'tokens';
  per: 'minute' | 'day';
  limit: number;
  used: number;
  requested: number;
}

/**
 * How a vendor names its rate-limit counters on every response (OpenAI and Groq; the others send
 * none). `requests`/`tokens` say which window each header pair reports.
 */
export interface RateLimitHeaderStyle {
  /** Groq: x-ratelimit-limit-requests is requests per day; OpenAI: per minute. */
  requests: 'minute' | 'day';
  /** Both: x-ratelimit-limit-tokens is tokens per minute. */
  tokens: 'minute' | 'day';
  /** Resolution of the Go-style reset durations: Groq rounds to 10 ms ("7.66s"), OpenAI to 1 ms ("12ms"). */
  resetResolutionMs: number;
}

export interface VendorDouble {
  name: VendorName;
  /** The path prefix the real service lives under; the returned baseUrl includes it. */
  basePath: string;
  defaultModel: string;
  /** `owned_by` on /models. */
  owner: string;
  usage: UsagePlacement;
  /** Field of `delta` that carries parsed reasoning text. */
  reasoningField: 'reasoning_content' | 'reasoning' | null;
  /** How the request asks for reasoning, and whether reasoning is on. */
  thinkingMode(body: any): 'field' | 'inline' | 'none';
  logprobs: 'supported' | 'rejected' | 'ignored';
  obfuscation: boolean;
  /** Headers sent on every response (request ids etc.). */
  everyResponseHeaders(): Record<string, string>;
  /** The vendor's x-ratelimit-* headers, when it sends them. */
  rateLimitHeaders?: RateLimitHeaderStyle;
  /** Whether the vendor's 429 carries a `retry-after` header (Groq; Gemini puts it in the body, Zhipu sends none). */
  retryAfterHeader: boolean;
  /** Chunks lack `object` (older Zhipu). */
  omitObject: boolean;
  /** /models lists ids with this prefix (Gemini says "models/gemini-2.5-flash"). */
  modelIdPrefix: string;
  idFor(): string;
  /** The vendor's real error reply for a situation. */
  error(preset: ErrorPreset, ctx: ErrorContext): ErrorReply;
  /** The body of a 404 for a path the service does not have. */
  notFound(path: string): unknown;
  /** Usage as the vendor words it: cached and reasoning counts only where it reports them. */
  usageObject(prompt: number, completion: number, reasoning: number, cached?: number): Record<string, unknown>;
  /** Top-level fields of every stream chunk (OpenAI's service_tier and system_fingerprint). */
  chunkFields?: Record<string, unknown>;
  /** Every chunk says `usage: null` when the opt-in usage chunk was asked for (OpenAI). */
  nullUsageWhenOptedIn?: boolean;
  /** Extra fields of the first chunk (Groq's x_groq.id). */
  firstChunkExtra?(id: string): Record<string, unknown>;
  /** Extra fields of the finish chunk carrying usage, for usage placement "x_groq". */
  finishChunkUsage?(id: string, prompt: number, completion: number): Record<string, unknown>;
  /** Headers of a non-streamed answer only (DashScope repeats the id as x-request-id). */
  nonStreamHeaders?(id: string): Record<string, string>;
  /** Reasoning is refused on a non-streamed call (DashScope's thinking_non_stream 400). */
  thinkingNeedsStream?: boolean;
}

let seq = 0;
/** A unique, time-ordered id fragment for response ids. */
export const nextId = (): string => `${Date.now().toString(36)}${(++seq).toString(36)}`;
/** A running number, for vendors whose ids are digits. */
export const nextSeq = (): number => ++seq;

/** OpenAI's error shape `{error:{message,type,param,code}}`, shared by every vendor that copies it. */
export function openAiError(
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
  headers?: Record<string, string>,
): ErrorReply {
  return { status, body: { error: { message, type, param, code } }, headers };
}

/** OpenAI's usage: always both details objects. */
export function openAiUsage(prompt: number, completion: number, reasoning: number, cached?: number): Record<string, unknown> {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached ?? 0 },
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}

/** The three counts only (Groq, Gemini, vLLM, Ollama /v1). */
export function plainUsage(prompt: number, completion: number): Record<string, unknown> {
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** The 404 body of OpenAI and the services that copy it. */
export function openAiNotFound(path: string): unknown {
  return { error: { message: `Invalid URL (POST ${path})`, type: 'invalid_request_error', param: null, code: null } };
}

/**
 * What most OpenAI-compatible servers do alike (vLLM, llama.cpp, DashScope's compatible mode, the
 * Llama API, Ollama's /v1): logprobs, no obfuscation field, no extra headers, no retry-after,
 * `object` present, bare model ids, chatcmpl- ids and OpenAI's 404 body. A vendor spreads this
 * and then states only where it differs.
 */
export const COMPATIBLE_DEFAULTS = {
  logprobs: 'supported',
  obfuscation: false,
  everyResponseHeaders: () => ({}),
  retryAfterHeader: false,
  omitObject: false,
  modelIdPrefix: '',
  idFor: () => `chatcmpl-${nextId()}`,
  notFound: openAiNotFound,
} satisfies Partial<VendorDouble>;

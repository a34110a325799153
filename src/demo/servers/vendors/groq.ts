/**
 * Groq (wire reference §5): `x_groq` on the first and finish chunks with usage always on the
 * finish chunk, reasoning in `delta.reasoning`, logprobs refused with 400, rate-limit counters on
 * every response (x-ratelimit-limit-requests is per day, -tokens per minute) and retry-after
 * (seconds) on 429 only.
 */
import { type ErrorContext, type ErrorPreset, type QuotaWindow, type VendorDouble, nextId, openAiNotFound, plainUsage } from '../compatible/vendor';
import { formatGoDuration } from '../compatible/quota';
import type { ErrorReply } from '../http';

/** Groq's usage block: the three counts with its queue and compute times (seconds). */
function groqUsage(prompt: number, completion: number) {
  return {
    queue_time: 0.017,
    prompt_tokens: prompt,
    prompt_time: 0.002,
    completion_tokens: completion,
    completion_time: 0.05,
    total_tokens: prompt + completion,
    total_time: 0.052,
  };
}

const UPGRADE = 'Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing';

/** "on tokens per minute (TPM)", "on requests per day (RPD)": Groq's name for a window. */
function windowName(w: QuotaWindow): string {
  return `${w.kind} per ${w.per} (${w.kind === 'tokens' ? 'T' : 'R'}P${w.per === 'minute' ? 'M' : 'D'})`;
}

/** A counted quota's 429: the message, retry-after and the exhausted counter the way Groq sends them. */
function countedRateLimit(model: string, w: QuotaWindow, retryAfterSeconds: number): ErrorReply {
  const wait = formatGoDuration(retryAfterSeconds * 1000, 10);
  return {
    status: 429,
    body: {
      error: {
        message: `Rate limit reached for model \`${model}\` in organization \`org_01test\` service tier \`on_demand\` on ${windowName(w)}: Limit ${w.limit}, Used ${w.used}, Requested ${w.requested}. Please try again in ${wait}. ${UPGRADE}`,
        type: w.kind,
        code: 'rate_limit_exceeded',
      },
    },
  };
}

function groqError(preset: ErrorPreset, ctx: ErrorContext): ErrorReply {
  const model = ctx.model ?? 'unknown-model';
  switch (preset) {
    case 'auth':
    case 'missing_auth':
      return { status: 401, body: { error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' } } };
    case 'rate_limit':
      if (ctx.window) return countedRateLimit(model, ctx.window, ctx.retryAfterSeconds ?? 1);
      return {
        status: 429,
        body: {
          error: {
            message: `Rate limit reached for model \`${model}\` in organization \`org_01test\` service tier \`on_demand\` on tokens per minute (TPM): Limit 12000, Used 11423, Requested 1560. Please try again in 7.66s. ${UPGRADE}`,
            type: 'tokens',
            code: 'rate_limit_exceeded',
          },
        },
        headers: { 'retry-after': '8', 'x-ratelimit-reset-tokens': '7.66s', 'x-ratelimit-remaining-tokens': '0' },
      };
    case 'daily_limit':
    case 'quota':
      return {
        status: 429,
        body: {
          error: {
            message: `Rate limit reached for model \`${model}\` in organization \`org_01test\` service tier \`on_demand\` on requests per day (RPD): Limit 1000, Used 1000, Requested 1. Please try again in 1m26.4s. ${UPGRADE}`,
            type: 'requests',
            code: 'rate_limit_exceeded',
          },
        },
        headers: { 'retry-after': '87', 'x-ratelimit-reset-requests': '1m26.4s', 'x-ratelimit-remaining-requests': '0' },
      };
    case 'model_not_found':
      return { status: 404, body: { error: { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found' } } };
    case 'context_length':
      return { status: 400, body: { error: { message: 'Please reduce the length of the messages or completion.', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } } };
    case 'overloaded':
      return { status: 498, body: { error: { message: 'Flex tier capacity exceeded. This is a temporary error due to high demand.', type: 'invalid_request_error', code: 'capacity_exceeded' } } };
    case 'logprobs_unsupported':
      return { status: 400, body: { error: { message: "property 'logprobs' is unsupported", type: 'invalid_request_error' } } };
    case 'content_filter':
    case 'thinking_non_stream':
      return { status: 400, body: { error: { message: 'Bad request', type: 'invalid_request_error' } } };
    default:
      return { status: 500, body: { error: { message: 'Internal Server Error', type: 'internal_server_error' } } };
  }
}

export const groq: VendorDouble = {
  name: 'groq',
  basePath: '/openai/v1',
  defaultModel: 'llama-3.3-70b-versatile',
  owner: 'Meta',
  usage: 'x_groq',
  reasoningField: 'reasoning',
  // reasoning_format parsed (or include_reasoning) → delta.reasoning; raw → <think> in content; hidden → nothing.
  thinkingMode: (b) =>
    b.reasoning_format === 'parsed' || b.include_reasoning === true ? 'field' : b.reasoning_format === 'hidden' || b.include_reasoning === false ? 'none' : 'inline',
  logprobs: 'rejected',
  obfuscation: false,
  // Static counters unless a quota is scripted (then compatible/quota.ts reports the live ones).
  everyResponseHeaders: () => ({
    'x-ratelimit-limit-requests': '1000',
    'x-ratelimit-limit-tokens': '12000',
    'x-ratelimit-remaining-requests': '999',
    'x-ratelimit-remaining-tokens': '11000',
    'x-ratelimit-reset-requests': '2m59.56s',
    'x-ratelimit-reset-tokens': '7.66s',
    'x-request-id': `req_${nextId()}`,
  }),
  rateLimitHeaders: { requests: 'day', tokens: 'minute', resetResolutionMs: 10 },
  retryAfterHeader: true,
  omitObject: false,
  modelIdPrefix: '',
  idFor: () => `chatcmpl-${nextId()}`,
  error: groqError,
  notFound: openAiNotFound,
  usageObject: plainUsage,
  firstChunkExtra: (id) => ({ x_groq: { id: `req_${id}` } }),
  finishChunkUsage: (id, prompt, completion) => ({ x_groq: { id: `req_${id}`, usage: groqUsage(prompt, completion) } }),
};

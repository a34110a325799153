/**
 * OpenAI (wire reference §4): rate-limit counters on every response, obfuscation and
 * `usage: null` on stream chunks, the key masked in its 401, insufficient_quota on a spent account.
 */
import { type ErrorPreset, type ErrorContext, type VendorDouble, nextId, openAiError as oa, openAiNotFound, openAiUsage } from '../compatible/vendor';
import type { ErrorReply } from '../http';

/** Masks a key the way OpenAI's 401 message does ("sk-ab*****xyz"). */
function maskKey(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}*****${key.slice(-4)}`;
}

/** OpenAI's error replies; Meta's Llama API copies them (vendors/llama.ts). */
export function openAiVendorError(preset: ErrorPreset, ctx: ErrorContext): ErrorReply {
  const model = ctx.model ?? 'unknown-model';
  switch (preset) {
    case 'auth':
      return oa(401, `Incorrect API key provided: ${maskKey(ctx.key ?? '')}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
    case 'missing_auth':
      return oa(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        'invalid_request_error',
        null,
      );
    case 'rate_limit':
      return ctx.window ? countedRateLimit(model, ctx) : oa(
        429,
        `Rate limit reached for ${model} in organization org-test on tokens per min (TPM): Limit 200000, Used 199500, Requested 1200. Please try again in 210ms. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        'tokens',
        'rate_limit_exceeded',
        null,
        { 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '210ms', 'x-ratelimit-reset-requests': '6ms' },
      );
    case 'quota':
    case 'daily_limit':
      return oa(
        429,
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        'insufficient_quota',
        'insufficient_quota',
      );
    case 'model_not_found':
      return oa(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    case 'context_length':
      return oa(
        400,
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 130021 tokens. Please reduce the length of the messages.",
        'invalid_request_error',
        'context_length_exceeded',
        'messages',
      );
    case 'content_filter':
      return oa(400, 'Your request was rejected as a result of our safety system.', 'invalid_request_error', 'content_policy_violation');
    case 'overloaded':
      return oa(503, 'The engine is currently overloaded, please try again later', 'server_error', null);
    case 'logprobs_unsupported':
    case 'thinking_non_stream':
      return oa(400, 'Unsupported parameter', 'invalid_request_error', 'unsupported_parameter');
    default:
      return oa(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null);
  }
}

/** A counted quota's 429 in OpenAI's words ("on requests per min (RPM): Limit 3, Used 3, Requested 1"). */
function countedRateLimit(model: string, ctx: ErrorContext): ErrorReply {
  const w = ctx.window!;
  const what = `${w.kind} per ${w.per === 'minute' ? 'min' : 'day'} (${w.kind === 'tokens' ? 'T' : 'R'}P${w.per === 'minute' ? 'M' : 'D'})`;
  return oa(
    429,
    `Rate limit reached for ${model} in organization org-test on ${what}: Limit ${w.limit}, Used ${w.used}, Requested ${w.requested}. Please try again in ${ctx.retryAfterSeconds ?? 1}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
    w.kind,
    'rate_limit_exceeded',
  );
}

export const openai: VendorDouble = {
  name: 'openai',
  basePath: '/v1',
  defaultModel: 'gpt-4o-mini',
  owner: 'system',
  usage: 'usage_chunk_with_opt_in',
  reasoningField: null, // OpenAI chat completions never stream reasoning text, only count it
  thinkingMode: () => 'none',
  logprobs: 'supported',
  obfuscation: true,
  // Static counters unless a quota is scripted (then compatible/quota.ts reports the live ones).
  everyResponseHeaders: () => ({
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-limit-tokens': '200000',
    'x-ratelimit-remaining-requests': '9999',
    'x-ratelimit-remaining-tokens': '199000',
    'x-ratelimit-reset-requests': '6ms',
    'x-ratelimit-reset-tokens': '300ms',
    'x-request-id': `req_${nextId()}`,
    'openai-processing-ms': '42',
  }),
  rateLimitHeaders: { requests: 'minute', tokens: 'minute', resetResolutionMs: 1 },
  retryAfterHeader: true,
  omitObject: false,
  modelIdPrefix: '',
  idFor: () => `chatcmpl-${nextId()}`,
  error: openAiVendorError,
  notFound: openAiNotFound,
  usageObject: openAiUsage,
  chunkFields: { service_tier: 'default', system_fingerprint: 'fp_test' },
  nullUsageWhenOptedIn: true,
};

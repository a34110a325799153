/**
 * Gemini's OpenAI-compatible endpoint (wire reference §6): error bodies are a JSON *array* of
 * Google RPC errors, the wait is `details[@type=RetryInfo].retryDelay` (no retry-after header),
 * usage is cumulative on every chunk, and /models says "models/<id>".
 */
import { type ErrorContext, type ErrorPreset, type VendorDouble, nextId, plainUsage } from '../compatible/vendor';
import type { ErrorReply } from '../http';

/** The retryDelay of the captured free-tier 429 (wire reference §6), when no counted quota says better. */
const GEMINI_RETRY_DELAY = '32s';

function geminiError(status: number, statusText: string, message: string, details?: unknown[]): ErrorReply {
  return { status, body: [{ error: { code: status, message, status: statusText, ...(details ? { details } : {}) } }] };
}

/** Google's Duration JSON form: seconds with an "s", fractions as needed ("32s", "1.5s"). */
function googleDuration(seconds: number): string {
  return `${Number(seconds.toFixed(3))}s`;
}

function geminiVendorError(preset: ErrorPreset, ctx: ErrorContext): ErrorReply {
  const model = ctx.model ?? 'unknown-model';
  switch (preset) {
    case 'auth':
    case 'missing_auth':
      return geminiError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
      ]);
    case 'rate_limit':
    case 'daily_limit':
    case 'quota': {
      const perDay = ctx.window ? ctx.window.per === 'day' : preset !== 'rate_limit';
      const tokens = ctx.window?.kind === 'tokens';
      return geminiError(
        429,
        'RESOURCE_EXHAUSTED',
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
        [
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [
              {
                quotaMetric: `generativelanguage.googleapis.com/generate_content_free_tier_${tokens ? 'input_token_count' : 'requests'}`,
                quotaId: `Generate${tokens ? 'ContentInputTokens' : 'Requests'}Per${perDay ? 'Day' : 'Minute'}PerProjectPerModel-FreeTier`,
                quotaDimensions: { location: 'global', model },
                quotaValue: ctx.window ? String(ctx.window.limit) : perDay ? '250' : '10',
              },
            ],
          },
          { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: ctx.retryAfterSeconds !== undefined ? googleDuration(ctx.retryAfterSeconds) : GEMINI_RETRY_DELAY },
        ],
      );
    }
    case 'model_not_found':
      return geminiError(
        404,
        'NOT_FOUND',
        `models/${model} is not found for API version v1main, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
      );
    case 'context_length':
      return geminiError(400, 'INVALID_ARGUMENT', 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).');
    case 'overloaded':
      return geminiError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
    case 'content_filter':
    case 'logprobs_unsupported':
    case 'thinking_non_stream':
      return geminiError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unknown name "logprobs": Cannot find field.');
    default:
      return geminiError(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
  }
}

export const gemini: VendorDouble = {
  name: 'gemini',
  basePath: '/v1beta/openai',
  defaultModel: 'gemini-2.5-flash',
  owner: 'google',
  usage: 'every_chunk',
  reasoningField: null, // thoughts are not returned without extra_body include_thoughts
  thinkingMode: () => 'none',
  logprobs: 'ignored',
  obfuscation: false,
  everyResponseHeaders: () => ({}),
  retryAfterHeader: false,
  omitObject: false,
  modelIdPrefix: 'models/',
  idFor: () => nextId(),
  error: geminiVendorError,
  notFound: (path) => [{ error: { code: 404, message: `Not found: ${path}`, status: 'NOT_FOUND' } }],
  usageObject: plainUsage,
};

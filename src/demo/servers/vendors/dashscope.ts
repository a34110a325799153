/**
 * Alibaba DashScope / Model Studio compatible mode (wire reference §7): `enable_thinking` with
 * `reasoning_content` (stream only), `request_id` in error bodies, Arrearage on an account in
 * debt, no rate-limit headers.
 */
import { type ErrorContext, type ErrorPreset, type VendorDouble, COMPATIBLE_DEFAULTS, nextId, openAiUsage } from '../compatible/vendor';
import type { ErrorReply } from '../http';

const ds = (status: number, message: string, type: string, code: string): ErrorReply => ({
  status,
  body: { error: { message, type, param: null, code }, request_id: `${nextId()}-ds` },
});

function dashscopeError(preset: ErrorPreset, ctx: ErrorContext): ErrorReply {
  const model = ctx.model ?? 'unknown-model';
  switch (preset) {
    case 'auth':
    case 'missing_auth':
      return ds(401, 'Incorrect API key provided. For details, see: https://help.aliyun.com/zh/model-studio/error-code#apikey-error', 'invalid_request_error', 'invalid_api_key');
    case 'rate_limit':
      return ds(429, 'Requests rate limit exceeded, please try again later.', 'limit_requests', 'limit_requests');
    case 'daily_limit':
      return ds(429, 'Allocated quota exceeded, please increase your quota limit.', 'limit_requests', 'limit_requests');
    case 'quota':
      return ds(400, 'Access denied, please make sure your account is in good standing. For details, see: https://help.aliyun.com/zh/model-studio/error-code#overdue-payment', 'Arrearage', 'Arrearage');
    case 'model_not_found':
      return ds(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
    case 'context_length':
      return ds(400, 'Range of input length should be [1, 129024]', 'invalid_request_error', 'invalid_parameter_error');
    case 'content_filter':
      return ds(400, 'Input data may contain inappropriate content.', 'data_inspection_failed', 'data_inspection_failed');
    case 'thinking_non_stream':
      return ds(400, 'parameter.enable_thinking must be set to false for non-streaming calls', 'invalid_request_error', 'invalid_parameter_error');
    case 'overloaded':
      return ds(503, 'The service is temporarily unavailable, please try again later.', 'ServiceUnavailable', 'ServiceUnavailable');
    case 'logprobs_unsupported':
      return ds(400, '<400> InternalError.Algo.InvalidParameter: logprobs is not supported', 'invalid_request_error', 'invalid_parameter_error');
    default:
      return ds(500, 'An internal error has occured, please try again later or contact service support.', 'internal_error', 'internal_error');
  }
}

export const dashscope: VendorDouble = {
  ...COMPATIBLE_DEFAULTS,
  name: 'dashscope',
  basePath: '/compatible-mode/v1',
  defaultModel: 'qwen-plus',
  owner: 'system',
  usage: 'usage_chunk_with_opt_in',
  reasoningField: 'reasoning_content',
  thinkingMode: (b) => (b.enable_thinking === true ? 'field' : 'none'),
  error: dashscopeError,
  usageObject: openAiUsage,
  nonStreamHeaders: (id) => ({ 'x-request-id': id }),
  thinkingNeedsStream: true,
};

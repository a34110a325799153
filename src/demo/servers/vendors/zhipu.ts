/**
 * Zhipu GLM (wire reference §8): thinking on by default, usage on the finish chunk, chunks
 * without `object`, numeric-string error codes with Chinese messages (1302 concurrency, 1304
 * daily, 1113 balance exhausted, 1305 overload) and no retry-after.
 */
import { type ErrorPreset, type ErrorContext, type VendorDouble, nextSeq, openAiNotFound, plainUsage } from '../compatible/vendor';
import type { ErrorReply } from '../http';

function zhipuError(status: number, code: string, message: string): ErrorReply {
  return { status, body: { error: { code, message } } };
}

function zhipuVendorError(preset: ErrorPreset, _ctx: ErrorContext): ErrorReply {
  switch (preset) {
    case 'auth':
      return zhipuError(401, '401', '令牌已过期或验证不正确');
    case 'missing_auth':
      return zhipuError(401, '1001', 'Header中未收到Authorization参数，无法进行身份验证。');
    case 'rate_limit':
      return zhipuError(429, '1302', '您当前使用该API的并发数过高，请降低并发，或联系客服增加限额。');
    case 'daily_limit':
      return zhipuError(429, '1304', '该API已达今日调用次数限额，如有更多需求，请联系客服购买。');
    case 'quota':
      return zhipuError(429, '1113', '您的账户已欠费，请充值后重试。');
    case 'overloaded':
      return zhipuError(429, '1305', '当前API请求过多，请稍后重试。');
    case 'content_filter':
      return zhipuError(400, '1301', '系统检测到输入或生成内容可能包含不安全或敏感内容，请您避免输入易产生敏感内容的提示语，感谢您的配合。');
    case 'model_not_found':
      return zhipuError(400, '1211', '模型不存在，请检查模型代码。');
    case 'context_length':
      return zhipuError(400, '1261', 'Prompt 超长');
    default:
      return zhipuError(500, '500', '服务内部错误');
  }
}

export const zhipu: VendorDouble = {
  name: 'zhipu',
  basePath: '/api/paas/v4',
  defaultModel: 'glm-4-flash',
  owner: 'z-ai',
  usage: 'finish_chunk',
  reasoningField: 'reasoning_content',
  // GLM-4.5+ think by default; only `thinking:{type:"disabled"}` turns it off.
  thinkingMode: (b) => (b.thinking?.type === 'disabled' ? 'none' : 'field'),
  logprobs: 'ignored',
  obfuscation: false,
  everyResponseHeaders: () => ({}),
  retryAfterHeader: false,
  omitObject: true,
  modelIdPrefix: '',
  idFor: () => `2025${Date.now()}${nextSeq()}`,
  error: zhipuVendorError,
  notFound: openAiNotFound,
  usageObject: (prompt, completion, _reasoning, cached) => ({
    ...plainUsage(prompt, completion),
    ...(cached !== undefined ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
  }),
};

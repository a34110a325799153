/**
 * A self-hosted OpenAI-compatible server (vLLM, llama.cpp's server): `reasoning_content`
 * unless the chat template turns thinking off, and vLLM's top-level error object. The demo's
 * cloud model is one of these (src/demo/demoServers.ts), so this file is in dist/demo.js.
 */
import { type ErrorContext, type ErrorPreset, type VendorDouble, COMPATIBLE_DEFAULTS, plainUsage } from '../compatible/vendor';
import type { ErrorReply } from '../http';

/** vLLM's error shape: a top-level object, not wrapped in "error". */
function vllmError(preset: ErrorPreset, ctx: ErrorContext): ErrorReply {
  const model = ctx.model ?? 'unknown-model';
  switch (preset) {
    case 'auth':
    case 'missing_auth':
      return { status: 401, body: { error: 'Unauthorized' } };
    case 'model_not_found':
      return { status: 404, body: { object: 'error', message: `The model \`${model}\` does not exist.`, type: 'NotFoundError', param: null, code: 404 } };
    case 'context_length':
      return {
        status: 400,
        body: { object: 'error', message: "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens. Please reduce the length of the messages or completion.", type: 'BadRequestError', param: null, code: 400 },
      };
    default:
      return { status: 500, body: { object: 'error', message: 'Internal server error', type: 'InternalServerError', param: null, code: 500 } };
  }
}

export const custom: VendorDouble = {
  ...COMPATIBLE_DEFAULTS,
  name: 'custom',
  basePath: '/v1',
  defaultModel: 'local-model',
  owner: 'vllm',
  usage: 'usage_chunk_with_opt_in',
  reasoningField: 'reasoning_content', // vLLM and llama.cpp server
  thinkingMode: (b) => (b.chat_template_kwargs?.enable_thinking === false ? 'none' : 'field'),
  error: vllmError,
  usageObject: plainUsage,
};

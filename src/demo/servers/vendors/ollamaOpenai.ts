/**
 * Ollama's /v1 (wire reference §1), served by the Ollama double (servers/ollama.ts) through the
 * common server: reasoning in `reasoning` from `reasoning_effort`, no auth, a plain-text 404.
 */
import { type ErrorContext, type ErrorPreset, type VendorDouble, COMPATIBLE_DEFAULTS, openAiError as oa, plainUsage } from '../compatible/vendor';
import type { ErrorReply } from '../http';

function ollamaOpenAiError(preset: ErrorPreset, ctx: ErrorContext): ErrorReply {
  const model = ctx.model ?? 'unknown-model';
  switch (preset) {
    case 'model_not_found':
      return oa(404, `model "${model}" not found, try pulling it first`, 'not_found_error', null);
    case 'overloaded':
      return oa(503, 'server busy, please try again.  maximum pending requests exceeded', 'api_error', null);
    case 'server':
      return oa(500, 'llama runner process has terminated: exit status 2', 'api_error', null);
    default:
      return oa(400, `invalid request: ${preset}`, 'invalid_request_error', null);
  }
}

export const ollamaOpenai: VendorDouble = {
  name: 'ollama-openai',
  basePath: '/v1',
  defaultModel: 'qwen2.5-coder:7b',
  owner: 'library',
  usage: 'usage_chunk_with_opt_in',
  reasoningField: 'reasoning',
  thinkingMode: (b) => {
    const effort = b.reasoning_effort ?? b.reasoning?.effort;
    return effort && effort !== 'none' ? 'field' : 'none';
  },
  ...COMPATIBLE_DEFAULTS,
  // Ollama's own ids are short random numbers, not OpenAI's.
  idFor: () => `chatcmpl-${Math.floor(Math.random() * 1000)}`,
  error: ollamaOpenAiError,
  notFound: () => '404 page not found',
  usageObject: plainUsage,
};

/** Meta's Llama API, OpenAI-compatible endpoint: OpenAI's shapes without its extras (no rate-limit headers, no obfuscation). */
import { type VendorDouble, COMPATIBLE_DEFAULTS, plainUsage } from '../compatible/vendor';
import { openAiVendorError } from './openai';

export const llama: VendorDouble = {
  ...COMPATIBLE_DEFAULTS,
  name: 'llama',
  basePath: '/compat/v1',
  defaultModel: 'Llama-3.3-70B-Instruct',
  owner: 'meta',
  usage: 'usage_chunk_with_opt_in',
  reasoningField: null,
  thinkingMode: () => 'none',
  error: openAiVendorError,
  usageObject: plainUsage,
};

/**
 * The per-vendor quirk table of the OpenAI-compatible family: one provider implementation
 * (openaiCompatible.ts) reads everything that differs between vendors from here. Each entry
 * follows /work/shared/docs/provider-wire-reference.md (section in brackets).
 */
import type { ProviderConfig } from '../config';

export type VendorName = ProviderConfig['vendor'];

export interface VendorQuirks {
  /** Human name used in messages. */
  label: string;
  /** Named endpoints; `region` in settings picks one, an explicit baseUrl wins over all. */
  regions: Readonly<Record<string, string>>;
  /** Region used when the settings name none. */
  defaultRegion: string;
  /** Sends `stream_options: {include_usage: true}` (where the vendor accepts it and needs it for usage). */
  streamUsageOptIn: boolean;
  /** Where usage arrives in a stream: documentation for readers; the parser takes the last `usage`/`x_groq.usage` it sees. */
  usageArrives: 'usage chunk (opt-in)' | 'finish chunk' | 'x_groq.usage on finish chunk' | 'every chunk, cumulative';
  /** `logprobs: true` is accepted (Groq answers 400). */
  logprobs: boolean;
  /** /completions exists, so fill-in-the-middle can work (with `suffix` or a raw template: completion/fimRequest.ts). */
  fim: boolean;
  /** /completions applies the model's own FIM template to `prompt` + `suffix` (Ollama /v1); others may ignore or reject `suffix`. */
  appliesSuffix?: boolean;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Request fields that ask for (or turn off) reasoning. `undefined` = leave the model's default. */
  thinkingParams(thinking: boolean | undefined): Record<string, unknown>;
  /** Reasoning text arrives in `delta.reasoning_content` or `delta.reasoning`. */
  reasoningField: 'reasoning_content' | 'reasoning';
  /** The vendor can stream reasoning text at all. */
  thinking: boolean;
  /** /models ids carry this prefix (Gemini: "models/"). */
  modelIdPrefix: string;
  /** Models offered when the settings list none. */
  defaultModels: readonly string[];
}

const none = () => ({});

export const VENDORS: Readonly<Record<VendorName, VendorQuirks>> = {
  // [4] usage only with stream_options; reasoning never streamed, only counted; max_tokens is deprecated for o-series.
  openai: {
    label: 'OpenAI',
    regions: { default: 'https://api.openai.com/v1' },
    defaultRegion: 'default',
    streamUsageOptIn: true,
    usageArrives: 'usage chunk (opt-in)',
    logprobs: true,
    fim: false,
    maxTokensField: 'max_completion_tokens',
    // Only reasoning models accept reasoning_effort; gpt-4o answers 400 to it, so send it only when asked.
    thinkingParams: (t) => (t === true ? { reasoning_effort: 'medium' } : {}),
    reasoningField: 'reasoning_content',
    thinking: false,
    modelIdPrefix: '',
    defaultModels: ['gpt-4o-mini', 'gpt-4o'],
  },
  // [5] x_groq.usage on the finish chunk without opt-in; logprobs → 400; delta.reasoning with reasoning_format "parsed".
  groq: {
    label: 'Groq',
    regions: { default: 'https://api.groq.com/openai/v1' },
    defaultRegion: 'default',
    streamUsageOptIn: false,
    usageArrives: 'x_groq.usage on finish chunk',
    logprobs: false,
    fim: false,
    maxTokensField: 'max_tokens',
    // reasoning_format is rejected by non-reasoning models, so it is only sent when reasoning is asked for.
    thinkingParams: (t) => (t === true ? { reasoning_format: 'parsed' } : {}),
    reasoningField: 'reasoning',
    thinking: true,
    modelIdPrefix: '',
    defaultModels: ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant'],
  },
  // [7] keys are bound to their region; enable_thinking; reasoning_content before content.
  dashscope: {
    label: 'Qwen (DashScope)',
    regions: {
      beijing: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
      singapore: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
      us: 'https://dashscope-us.aliyuncs.com/compatible-mode/v1',
    },
    defaultRegion: 'beijing',
    streamUsageOptIn: true,
    usageArrives: 'usage chunk (opt-in)',
    logprobs: true,
    fim: false,
    maxTokensField: 'max_tokens',
    thinkingParams: (t) => (t === undefined ? {} : { enable_thinking: t }),
    reasoningField: 'reasoning_content',
    thinking: true,
    modelIdPrefix: '',
    defaultModels: ['qwen-turbo', 'qwen-plus', 'qwen-max'],
  },
  // [8] bigmodel.cn (China) and z.ai (international) keys differ; usage on the finish chunk; no stream_options; max_tokens only.
  zhipu: {
    label: 'Zhipu GLM',
    regions: {
      bigmodel: 'https://open.bigmodel.cn/api/paas/v4',
      zai: 'https://api.z.ai/api/paas/v4',
      'bigmodel-coding': 'https://open.bigmodel.cn/api/coding/paas/v4',
      'zai-coding': 'https://api.z.ai/api/coding/paas/v4',
    },
    defaultRegion: 'bigmodel',
    streamUsageOptIn: false,
    usageArrives: 'finish chunk',
    logprobs: false,
    fim: false,
    maxTokensField: 'max_tokens',
    thinkingParams: (t) => (t === undefined ? {} : { thinking: { type: t ? 'enabled' : 'disabled' } }),
    reasoningField: 'reasoning_content',
    thinking: true,
    modelIdPrefix: '',
    defaultModels: ['glm-4-flash', 'glm-4-plus'],
  },
  // [6] array error bodies with RetryInfo; usage repeated on chunks (take the last); unknown fields → 400.
  gemini: {
    label: 'Gemini',
    regions: { default: 'https://generativelanguage.googleapis.com/v1beta/openai' },
    defaultRegion: 'default',
    streamUsageOptIn: false,
    usageArrives: 'every chunk, cumulative',
    logprobs: false,
    fim: false,
    maxTokensField: 'max_tokens',
    // Thoughts are not streamed through the compatibility API; "none" turns thinking (and its cost) off on 2.5 Flash.
    thinkingParams: (t) => (t === true ? { reasoning_effort: 'medium' } : {}),
    reasoningField: 'reasoning_content',
    thinking: false,
    modelIdPrefix: 'models/',
    defaultModels: ['gemini-2.5-flash', 'gemini-2.0-flash'],
  },
  // Meta's Llama API, OpenAI-compatible endpoint.
  llama: {
    label: 'Llama API',
    regions: { default: 'https://api.llama.com/compat/v1' },
    defaultRegion: 'default',
    streamUsageOptIn: true,
    usageArrives: 'usage chunk (opt-in)',
    logprobs: false,
    fim: false,
    maxTokensField: 'max_tokens',
    thinkingParams: none,
    reasoningField: 'reasoning_content',
    thinking: false,
    modelIdPrefix: '',
    defaultModels: ['Llama-3.3-70B-Instruct', 'Llama-3.3-8B-Instruct'],
  },
  // [1, Ollama /v1] `reasoning` (not reasoning_content); reasoning_effort maps to think; /v1/completions takes suffix.
  'ollama-openai': {
    label: 'Ollama (OpenAI-compatible)',
    regions: { default: 'http://127.0.0.1:11434/v1' },
    defaultRegion: 'default',
    streamUsageOptIn: true,
    usageArrives: 'usage chunk (opt-in)',
    logprobs: true,
    fim: true,
    appliesSuffix: true,
    maxTokensField: 'max_tokens',
    thinkingParams: (t) => (t === undefined ? {} : { reasoning_effort: t ? 'medium' : 'none' }),
    reasoningField: 'reasoning',
    thinking: true,
    modelIdPrefix: '',
    defaultModels: [],
  },
  // LM Studio, vLLM, llama.cpp server, an NPU runtime speaking OpenAI: reasoning_content (vLLM/llama.cpp), usage with opt-in.
  custom: {
    label: 'OpenAI-compatible server',
    // LM Studio's default address; any other server needs an explicit baseUrl.
    regions: { default: 'http://127.0.0.1:1234/v1' },
    defaultRegion: 'default',
    streamUsageOptIn: true,
    usageArrives: 'usage chunk (opt-in)',
    logprobs: true,
    fim: true,
    maxTokensField: 'max_tokens',
    // vLLM and llama.cpp pass chat_template_kwargs to Qwen3-style templates; other servers ignore it.
    thinkingParams: (t) => (t === undefined ? {} : { chat_template_kwargs: { enable_thinking: t } }),
    reasoningField: 'reasoning_content',
    thinking: true,
    modelIdPrefix: '',
    defaultModels: [],
  },
};

/** The base URL a provider config resolves to: explicit baseUrl, else the named region, else the vendor's default. */
export function resolveBaseUrl(config: Pick<ProviderConfig, 'vendor' | 'region' | 'baseUrl'>): string {
  if (config.baseUrl) return config.baseUrl.replace(/\/+$/, '');
  const quirks = VENDORS[config.vendor];
  const region = config.region ?? quirks.defaultRegion;
  const url = quirks.regions[region];
  if (!url) {
    throw new Error(`Unknown region "${region}" for ${quirks.label}: use one of ${Object.keys(quirks.regions).map((r) => `"${r}"`).join(', ')}, or set baseUrl.`);
  }
  return url;
}

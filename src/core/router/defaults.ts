/**
 * What Switchyard does with no settings at all, as data: the providers it knows, and per task
 * the ordered list of models to try. Local models come first in every list (the product's
 * promise: local first, cloud for the hard rest); the cloud part follows the requirements'
 * task map (code → Qwen2.5-Coder, math → Qwen2.5-Math, …) with free tiers before paid ones.
 *
 * A model written without a tag ("ollama/qwen2.5-coder") matches any installed tag of it, so
 * a user who pulled qwen2.5-coder:14b gets it without editing settings.
 */
import { DEFAULT_PROVIDER_TIMEOUT_MS, type ProviderConfig } from '../config';
import type { Task } from '../types';

/**
 * Provider ids shipped by default. Cloud vendors are listed so that adding a key is all a user
 * has to do; until then selection leaves them out with the reason "no API key".
 */
export const DEFAULT_PROVIDERS: Readonly<Record<string, ProviderConfig>> = {
  // Base URL filled in by createSwitchyard from settings / OLLAMA_HOST (default 127.0.0.1:11434).
  ollama: provider({ kind: 'ollama', vendor: 'custom', locality: 'local', models: [] }),
  groq: provider({ kind: 'openai-compatible', vendor: 'groq', models: ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant'], apiKeyEnv: 'GROQ_API_KEY' }),
  // Zhipu's mainland endpoint (bigmodel.cn): glm-4-flash is free there; "zai" is the international one.
  zhipu: provider({ kind: 'openai-compatible', vendor: 'zhipu', region: 'bigmodel', models: ['glm-4-flash', 'glm-4.7-flash', 'glm-4-plus'], apiKeyEnv: 'ZHIPU_API_KEY' }),
  // DashScope keys are bound to a region; Beijing is where most of our (Chinese-speaking) users have accounts.
  dashscope: provider({ kind: 'openai-compatible', vendor: 'dashscope', region: 'beijing', models: ['qwen-turbo', 'qwen-plus', 'qwen-long', 'qwen2.5-coder-32b-instruct', 'qwen2.5-math-72b-instruct', 'qwen-vl-plus', 'qwen-audio-turbo'], apiKeyEnv: 'DASHSCOPE_API_KEY' }),
  gemini: provider({ kind: 'openai-compatible', vendor: 'gemini', models: ['gemini-2.0-flash', 'gemini-2.5-flash'], apiKeyEnv: 'GEMINI_API_KEY' }),
  openai: provider({ kind: 'openai-compatible', vendor: 'openai', models: ['gpt-4o-mini', 'gpt-4o'], apiKeyEnv: 'OPENAI_API_KEY' }),
};

/** The environment variable the CLI reads a vendor's key from when the provider names none. */
export const VENDOR_KEY_ENV: Readonly<Partial<Record<ProviderConfig['vendor'], string>>> = {
  groq: 'GROQ_API_KEY',
  zhipu: 'ZHIPU_API_KEY',
  dashscope: 'DASHSCOPE_API_KEY',
  gemini: 'GEMINI_API_KEY',
  openai: 'OPENAI_API_KEY',
  llama: 'LLAMA_API_KEY',
};

/** Local general models tried after the task's specialists, smallest-footprint last. */
const LOCAL_GENERAL = ['ollama/qwen2.5:7b', 'ollama/qwen2.5', 'ollama/llama3.1:8b', 'ollama/llama3.2:3b', 'ollama/llama3.2'];
/** Free or cheapest cloud chat models: Zhipu glm-4-flash (free), Groq (free tier), Gemini Flash (free tier), then paid. */
const CLOUD_GENERAL = ['zhipu/glm-4-flash', 'groq/llama-3.3-70b-versatile', 'gemini/gemini-2.0-flash', 'dashscope/qwen-turbo', 'openai/gpt-4o-mini'];

export const DEFAULT_TASK_CANDIDATES: Readonly<Record<Task, readonly string[]>> = {
  chat: [...LOCAL_GENERAL, ...CLOUD_GENERAL],
  code: ['ollama/qwen2.5-coder:7b', 'ollama/qwen2.5-coder', 'ollama/deepseek-coder-v2', ...LOCAL_GENERAL, 'dashscope/qwen2.5-coder-32b-instruct', 'groq/llama-3.3-70b-versatile', 'zhipu/glm-4-flash', 'gemini/gemini-2.5-flash', 'openai/gpt-4o-mini'],
  math: ['ollama/qwen2.5:7b', 'ollama/qwen2-math', 'ollama/qwen2.5', 'ollama/deepseek-r1', 'dashscope/qwen2.5-math-72b-instruct', 'zhipu/glm-4.7-flash', 'gemini/gemini-2.5-flash', 'groq/llama-3.3-70b-versatile', 'openai/gpt-4o-mini'],
  reasoning: ['ollama/qwen3', 'ollama/deepseek-r1', ...LOCAL_GENERAL, 'zhipu/glm-4.7-flash', 'gemini/gemini-2.5-flash', 'dashscope/qwen-plus', 'groq/llama-3.3-70b-versatile', 'openai/gpt-4o'],
  summarize: [...LOCAL_GENERAL, 'zhipu/glm-4-flash', 'gemini/gemini-2.0-flash', 'dashscope/qwen-turbo', 'groq/llama-3.1-8b-instant', 'openai/gpt-4o-mini'],
  // Qwen and GLM are trained on far more Chinese than Llama: they lead translation.
  translate: ['ollama/qwen2.5:7b', 'ollama/qwen2.5', 'ollama/glm4', 'ollama/llama3.2', 'dashscope/qwen-turbo', 'zhipu/glm-4-flash', 'gemini/gemini-2.0-flash', 'openai/gpt-4o-mini'],
  classify: ['ollama/llama3.2:3b', 'ollama/qwen2.5:7b', 'ollama/qwen2.5', 'groq/llama-3.1-8b-instant', 'zhipu/glm-4-flash', 'openai/gpt-4o-mini'],
  creative: [...LOCAL_GENERAL, 'gemini/gemini-2.0-flash', 'dashscope/qwen-plus', 'zhipu/glm-4-flash', 'groq/llama-3.3-70b-versatile', 'openai/gpt-4o-mini'],
  // Past a small local context: models with 128K–1M windows (qwen-long 10M, gemini 1M, glm-4-flash 128K).
  long_context: ['ollama/qwen2.5:7b', 'dashscope/qwen-long', 'gemini/gemini-2.0-flash', 'zhipu/glm-4-flash', 'openai/gpt-4o-mini'],
  vision: ['ollama/qwen2.5vl', 'ollama/llava', 'dashscope/qwen-vl-plus', 'gemini/gemini-2.0-flash', 'openai/gpt-4o-mini'],
  audio: ['dashscope/qwen-audio-turbo', 'gemini/gemini-2.0-flash'],
  // Inline completion needs a small, fast local coder with fill-in-the-middle; never cloud by default.
  completion: ['ollama/qwen2.5-coder:1.5b', 'ollama/qwen2.5-coder:3b', 'ollama/qwen2.5-coder'],
};

/** Tasks for which selection does not append unlisted cloud providers as a last resort. */
export const TASKS_WITHOUT_CLOUD_FALLBACK: ReadonlySet<Task> = new Set<Task>(['completion']);

/** How long selection trusts a local provider's list of installed models (a pull takes longer). */
export const INSTALLED_MODELS_TTL_MS = 10_000;

/** Output token cap when a request gives none: enough for a long code answer, bounded for the budget. */
export const DEFAULT_MAX_TOKENS = 2_048;

function provider(p: Omit<ProviderConfig, 'enabled' | 'timeoutMs'> & Partial<Pick<ProviderConfig, 'enabled' | 'timeoutMs'>>): ProviderConfig {
  return { enabled: true, timeoutMs: DEFAULT_PROVIDER_TIMEOUT_MS, ...p };
}

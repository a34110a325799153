/** Workspace settings the UI tests share. */
import type { OllamaServer } from '../servers/ollama';
import type { OpenAICompatibleServer } from '../servers/openaiCompatible';

/**
 * The Ollama double (not managed by Switchyard) and the Groq double as a cloud provider, with
 * every chat-like task trying the local model first and Groq second; `extra` adds or overrides.
 */
export function localThenGroqSettings(
  ollama: OllamaServer,
  groq: OpenAICompatibleServer,
  models: { local: string; cloud: string },
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const chain = [`ollama/${models.local}`, `groq/${models.cloud}`];
  return {
    'switchyard.local.manageOllama': false,
    'switchyard.providers': {
      ollama: { kind: 'ollama', baseUrl: ollama.url },
      groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, models: [models.cloud], locality: 'cloud' },
    },
    'switchyard.tasks': { chat: chain, code: chain, math: chain, reasoning: chain, creative: chain },
    ...extra,
  };
}

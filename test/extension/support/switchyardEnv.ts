/**
 * Shared set-up for the panel/commands/settings/status-bar suites: an Ollama double and a Groq
 * double on 127.0.0.1 inside the extension host, user settings pointing Switchyard at them, and
 * the key for the Groq double stored through the extension's own KeyStore (SecretStorage).
 */
import * as vscode from 'vscode';
import { startOllamaServer, type OllamaServer } from '../../servers/ollama';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../../servers/openaiCompatible';
import { waitFor } from '../../harness/waitFor';
import type { SwitchyardExtensionApi } from '../../../src/extension';
import { TASKS } from '../../../src/core/types';

export const EXTENSION_ID = 'switchyard-dev.switchyard';
export const LOCAL_MODEL = 'qwen2.5:7b';
export const CLOUD_MODEL = 'llama-3.3-70b-versatile';
export const GROQ_KEY = 'gsk_test_key_0123456789';

export interface SwitchyardEnv {
  api: SwitchyardExtensionApi;
  ollama: OllamaServer;
  groq: OpenAICompatibleServer;
  groqOrigin: string;
  close(): Promise<void>;
}

export const settings = () => vscode.workspace.getConfiguration('switchyard');

/** Every task: local first, then the Groq double. */
export function taskMap(): Record<string, string[]> {
  return Object.fromEntries(TASKS.filter((t) => t !== 'completion').map((t) => [t, [`ollama/${LOCAL_MODEL}`, `groq/${CLOUD_MODEL}`]]));
}

export async function startSwitchyardEnv(): Promise<SwitchyardEnv> {
  const ollama = await startOllamaServer({ models: [LOCAL_MODEL], reply: { text: 'Hello from the local model.' } });
  const groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: GROQ_KEY, models: [CLOUD_MODEL], reply: { text: 'Hello from the cloud model.' } });
  const api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as SwitchyardExtensionApi;
  const g = vscode.ConfigurationTarget.Global;
  await settings().update('local.manageOllama', false, g);
  await settings().update(
    'providers',
    {
      ollama: { kind: 'ollama', baseUrl: ollama.url },
      // The double listens on loopback, which counts as local; it stands in for the cloud.
      groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, models: [CLOUD_MODEL], locality: 'cloud' },
    },
    g,
  );
  await settings().update('tasks', taskMap(), g);
  // One state directory serves the whole extension-host run, and each file provokes groq errors
  // on purpose (stalls, refusals): the breaker and retries would carry those into the next file.
  // The reliability layer's own behaviour is tested with its defaults in test/unit/reliability.
  await settings().update('reliability.breaker', { minRequests: 1_000, consecutiveConnectFailures: 1_000 }, g);
  await settings().update('reliability.retry', { maxAttempts: 1 }, g);
  await waitFor(() => api.services.config().providers['ollama']?.baseUrl === ollama.url, 'the provider settings to reach the extension');
  const groqOrigin = new URL(groq.baseUrl).origin;
  await api.services.keys.setKey('groq', groqOrigin, GROQ_KEY);
  await api.services.setWorkspaceMode('auto');
  return {
    api,
    ollama,
    groq,
    groqOrigin,
    async close() {
      await api.session.stop();
      for (const key of ['providers', 'tasks', 'local.manageOllama', 'budget.priceOverrides', 'budget.globalDailyLimit', 'reliability.breaker', 'reliability.retry']) {
        await settings().update(key, undefined, g);
      }
      await api.services.keys.removeKey('groq', groqOrigin).catch(() => undefined);
      await ollama.close();
      await groq.close();
    },
  };
}

/** Requests that generated text (not model listings or version probes). */
export function chatRequests(server: { requests: { path: string }[] }): { path: string; body?: any; headers?: any; aborted?: boolean }[] {
  return server.requests.filter((r) => /\/(api\/chat|chat\/completions)$/.test(r.path));
}

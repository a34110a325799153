/**
 * A running gateway for tests: the Ollama double (local) and a Groq double (cloud, priced) as
 * providers, the budget ledger and the token in a temporary state directory, a settings file the
 * config routes write to, and a listening server on a free port.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../../src/core/config';
import { silentLogger } from '../../../src/core/types';
import { type GatewayCore, openGatewayCore } from '../../../src/gateway/core';
import { type Gateway, type GatewayOptions, startGateway } from '../../../src/gateway/server';
import { SettingsFile, parseGatewaySettings } from '../../../src/gateway/settings';
import { loadOrCreateToken, tokenPath } from '../../../src/gateway/token';
import { type OllamaReply, type OllamaServer, startOllamaServer } from '../../servers/ollama';
import { type ChatReply, type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';

export const LOCAL = 'ollama/qwen2.5-coder:7b';
export const CLOUD = 'groq/llama-3.3-70b-versatile';
export const GROQ_KEY = 'gsk-gateway-test-key';

export interface Harness {
  gw: Gateway;
  core: GatewayCore;
  url: string;
  token: string;
  tokenFile: string;
  settingsPath: string;
  dir: string;
  ollama: OllamaServer;
  groq: OpenAICompatibleServer;
  /** Chat/generate requests the doubles received (what reached a model). */
  modelCalls(): number;
  close(): Promise<void>;
}

export interface HarnessOptions {
  settings?: Record<string, unknown>;
  gateway?: Record<string, unknown>;
  ollamaReply?: OllamaReply;
  groqReply?: ChatReply;
  limits?: GatewayOptions['limits'];
  env?: Record<string, string>;
  /** Share another harness's state directory (its ledger and token): two gateways, one cap. */
  stateDir?: string;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const dir = o.stateDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-gateway-')));
  const ollama = await startOllamaServer({ models: [{ name: 'qwen2.5-coder:7b', capabilities: ['completion', 'insert'] }], reply: o.ollamaReply ?? { text: 'Hello from the local model.' } });
  const groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: GROQ_KEY, models: ['llama-3.3-70b-versatile'], reply: o.groqReply ?? { text: 'Hello from the cloud model.' } });
  const raw = {
    providers: {
      ollama: { kind: 'ollama', baseUrl: ollama.url },
      groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
    },
    tasks: { chat: [LOCAL, CLOUD], code: [LOCAL, CLOUD], math: [LOCAL, CLOUD], completion: [LOCAL] },
    escalation: { policy: 'off' },
    ...o.settings,
    gateway: { aliases: { 'gpt-4': 'auto', 'gpt-4o': CLOUD }, ...o.gateway },
  };
  const settingsPath = path.join(dir, `config-${path.basename(await fs.mkdtemp(path.join(dir, 'c-')))}.json`);
  await fs.writeFile(settingsPath, JSON.stringify(raw, null, 2));
  const env = { SWITCHYARD_STATE_DIR: dir, SWITCHYARD_KEY_GROQ: GROQ_KEY, ...o.env };
  const core = openGatewayCore({ config: parseConfig(raw).config, env, logger: silentLogger });
  const tokenFile = tokenPath(env);
  const token = await loadOrCreateToken(tokenFile);
  const gw = await startGateway({ core, settings: parseGatewaySettings(raw), settingsFile: new SettingsFile(settingsPath), token, tokenFile, port: 0, limits: o.limits });
  return {
    gw,
    core,
    url: gw.url,
    token,
    tokenFile,
    settingsPath,
    dir,
    ollama,
    groq,
    modelCalls: () =>
      ollama.requests.filter((r) => r.path === '/api/chat' || r.path === '/api/generate').length + groq.requests.filter((r) => r.path.endsWith('/completions')).length,
    async close() {
      await gw.close(0);
      await core.close();
      await Promise.all([ollama.close(), groq.close()]);
      if (!o.stateDir) await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every line `data: …` of an SSE body, parsed ([DONE] kept as the string). */
export function sseEvents(text: string): unknown[] {
  return text
    .split('\n\n')
    .map((block) => block.trim())
    .filter((block) => block.startsWith('data: '))
    .map((block) => {
      const data = block.slice('data: '.length);
      return data === '[DONE]' ? data : JSON.parse(data);
    });
}

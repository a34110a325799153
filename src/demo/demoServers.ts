/**
 * The demo's two servers, on 127.0.0.1: a local model behind the real Ollama protocol and a
 * "cloud" model behind the real OpenAI-compatible protocol, both with canned answers. They are
 * the test doubles' own servers (src/demo/servers/, which test/servers/ re-exports), so the demo
 * exercises exactly the wire code the tests pin.
 *
 * The canned routing: the local model answers any prompt confidently, except a hard one (the
 * hard sample, or any prompt with a DEMO_HARD_MARKERS word), to which it replies with the single
 * word UNCERTAIN that Switchyard's escalation prompt asks an unsure model for — so the router
 * escalates to the demo cloud model, whose answer is billed at the demo prices.
 */
import {
  DEMO_CLOUD_KEY,
  DEMO_CLOUD_MODEL,
  DEMO_HARD_MARKERS,
  DEMO_LOCAL_MODEL,
  type DemoEndpoints,
} from '../core/demo';
import type { RecordedRequest } from './servers/http';
import { startOllamaServer, type OllamaReply } from './servers/ollama';
import { startCompatibleServer, type ChatReply } from './servers/compatible/server';
import { custom } from './servers/vendors/custom';

export const DEMO_LOCAL_ANSWER =
  '[demo] A new array of the same length, holding what your callback returned for each element; the original array is left unchanged. ' +
  '(A canned answer from the demo local model demo/local-small: no real model ran.)';
export const DEMO_CLOUD_ANSWER =
  '[demo] Nobody can yet: that there are infinitely many twin primes is the open twin prime conjecture. ' +
  'Zhang (2013) and the Polymath project proved that infinitely many prime pairs differ by at most 246. ' +
  '(A canned answer from the demo cloud model demo/cloud-large: no real model ran, and its cost is demo money.)';
/** The word the escalation prompt asks an unsure local model to reply with (src/core/escalation). */
const UNCERTAIN = 'UNCERTAIN';

export interface DemoServers extends DemoEndpoints {
  close(): Promise<void>;
}

/** The user's last message in an Ollama or OpenAI request body (chat or generate). */
export function lastUserText(rec: RecordedRequest): string {
  const body = rec.body as { messages?: { role?: string; content?: unknown }[]; prompt?: unknown } | undefined;
  const user = body?.messages?.filter((m) => m.role === 'user').at(-1)?.content;
  if (typeof user === 'string') return user;
  if (Array.isArray(user)) return user.map((p) => (typeof p === 'object' && p && 'text' in p ? String((p as { text: unknown }).text) : '')).join(' ');
  return typeof body?.prompt === 'string' ? body.prompt : '';
}

export function isHardPrompt(text: string): boolean {
  const lower = text.toLowerCase();
  return DEMO_HARD_MARKERS.some((m) => lower.includes(m));
}

/** The demo local model's canned reply: UNCERTAIN to a hard prompt, the easy answer otherwise. */
export function demoLocalReply(rec: RecordedRequest): OllamaReply {
  return { text: isHardPrompt(lastUserText(rec)) ? UNCERTAIN : DEMO_LOCAL_ANSWER };
}

export function demoCloudReply(): ChatReply {
  return { text: DEMO_CLOUD_ANSWER };
}

/** Starts both servers on free ports (or the given ones). */
export async function startDemoServers(ports: { local?: number; cloud?: number } = {}): Promise<DemoServers> {
  const local = await startOllamaServer({ models: [{ name: DEMO_LOCAL_MODEL, family: 'demo', parameterSize: 'demo' }], reply: demoLocalReply, port: ports.local });
  let cloud;
  try {
    cloud = await startCompatibleServer(custom, { apiKey: DEMO_CLOUD_KEY, models: [DEMO_CLOUD_MODEL], reply: demoCloudReply, port: ports.cloud });
  } catch (err) {
    await local.close();
    throw err;
  }
  return {
    localUrl: local.url,
    cloudBaseUrl: cloud.baseUrl,
    close: async () => {
      await Promise.all([local.close(), cloud.close()]);
    },
  };
}

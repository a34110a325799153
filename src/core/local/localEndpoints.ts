/**
 * Health of the other local inference servers: OpenAI-compatible ones on this machine (LM Studio,
 * vLLM, llama.cpp server, an NPU service speaking /v1) and the simple NPU shape of the
 * requirements (`POST /api/npu/infer`). They are found by probing, and take part in routing as
 * local providers exactly like Ollama (allowed in Local-only mode: no byte leaves the machine).
 */
import type { ProviderConfig } from '../config';
import { originOf } from '../net/keyOrigin';
import { localityOf } from '../net/locality';
import type { KeyStore, Logger } from '../types';
import { PROBE_TIMEOUT_MS } from './ollamaAdmin';
import type { EndpointState } from './sidecarState';

/** The configured providers that are local, non-Ollama endpoints, with their base URL. */
export function localEndpointsOf(providers: Record<string, ProviderConfig>): { id: string; kind: EndpointState['kind']; baseUrl: string }[] {
  const out: { id: string; kind: EndpointState['kind']; baseUrl: string }[] = [];
  for (const [id, p] of Object.entries(providers)) {
    if (!p.enabled || p.kind === 'ollama' || !p.baseUrl) continue;
    // An explicit locality "cloud" wins (a tunnel to a remote box on localhost); otherwise the URL decides.
    const onThisMachine = localityOf(p.baseUrl) === 'local';
    const local = p.locality ? p.locality === 'local' && onThisMachine : onThisMachine;
    if (local) out.push({ id, kind: p.kind, baseUrl: p.baseUrl.replace(/\/+$/, '') });
  }
  return out;
}

/** The NPU service's root: users may paste the full infer URL; the probe needs the origin part. */
function npuRoot(baseUrl: string): string {
  return baseUrl.replace(/\/api\/npu(\/infer|\/health)?$/, '');
}

export interface ProbeDeps {
  keys?: KeyStore;
  logger: Logger;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Clock of `checkedAt` (the sidecar's, so freshness is judged on one clock); Date.now by default. */
  now?: () => number;
}

/**
 * One health probe.
 * - OpenAI-compatible: GET {baseUrl}/models — every such server has it, and it costs nothing.
 * - Simple NPU: GET /api/npu/health where the service has it; else the requirements' 1-token
 *   request (`POST /api/npu/infer {prompt:"ping", max_tokens:1}`, §3 health checks).
 */
export async function probeEndpoint(ep: { id: string; kind: EndpointState['kind']; baseUrl: string }, deps: ProbeDeps): Promise<EndpointState> {
  const f = deps.fetch ?? fetch;
  const origin = originOf(ep.baseUrl);
  const key = await deps.keys?.getKey(ep.id, origin).catch(() => undefined);
  const headers: Record<string, string> = { accept: 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) };
  const base: Omit<EndpointState, 'status'> = { providerId: ep.id, kind: ep.kind, baseUrl: ep.baseUrl, checkedAt: (deps.now ?? Date.now)() };
  const call = (url: string, init: RequestInit = {}) => f(url, { ...init, headers: { ...headers, ...(init.body ? { 'content-type': 'application/json' } : {}) }, signal: AbortSignal.timeout(deps.timeoutMs ?? PROBE_TIMEOUT_MS) });
  try {
    let res: Response;
    let models: string[] | undefined;
    if (ep.kind === 'openai-compatible') {
      res = await call(`${ep.baseUrl}/models`);
      if (res.ok) {
        const body = (await res.json().catch(() => undefined)) as { data?: { id?: unknown }[] } | undefined;
        models = (body?.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
      }
    } else {
      const root = npuRoot(ep.baseUrl);
      res = await call(`${root}/api/npu/health`);
      if (res.status === 404 || res.status === 405) {
        res = await call(`${root}/api/npu/infer`, { method: 'POST', body: JSON.stringify({ prompt: 'ping', max_tokens: 1, temperature: 0 }) });
      }
    }
    if (res.ok) return { ...base, status: 'ready', ...(models ? { models } : {}) };
    if (res.status === 401 || res.status === 403) {
      // Where to set the key is the surface's to say (`fix`): the CLI names the variable, VS Code its command.
      return { ...base, status: 'down', reason: `${ep.id} answers but refuses our token (HTTP ${res.status}): its key is missing or wrong.`, fix: { action: 'set_key', provider: ep.id, origin } };
    }
    return { ...base, status: 'down', reason: `${ep.id} answered HTTP ${res.status} to its health probe.` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return { ...base, status: 'down', reason: `${ep.id} is not reachable at ${ep.baseUrl} (${cause}).` };
  }
}

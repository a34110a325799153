/**
 * The observable state of the local side: one record for the managed Ollama and one per other
 * local endpoint (NPU service, LM Studio, vLLM, llama.cpp server). The status bar tooltip and the
 * panel render it; the router asks it whether a local provider is up.
 */
import type { Fix } from '../types';
import type { OllamaFeatures } from './ollamaVersion';

export type SidecarStatus =
  /** Not looked at yet: nothing is probed or started at activation. */
  | 'unknown'
  /** Probing, or `ollama serve` was spawned and we wait for it to answer. */
  | 'starting'
  | 'ready'
  /** Ready, and a model is being loaded into memory (a warm-up or a first request). */
  | 'loading'
  /** Not answering (stopped, crashed, crash loop, remote host unreachable, or management off). */
  | 'down'
  /** Ollama is not installed: no server answers and no `ollama` binary was found. */
  | 'missing';

export interface OllamaSidecarState {
  status: SidecarStatus;
  baseUrl: string;
  version?: string;
  features?: OllamaFeatures;
  /** True when Switchyard started this server (and so will stop it on exit). */
  owned: boolean;
  pid?: number;
  binaryPath?: string;
  /** Why it is down/missing, in a sentence the user can act on. */
  reason?: string;
  /** Set when missing: where to get Ollama. */
  installUrl?: string;
  /** The model being loaded while status is "loading". */
  loadingModel?: string;
  /** Restarts after crashes in the current window. */
  restarts: number;
}

export interface EndpointState {
  providerId: string;
  kind: 'openai-compatible' | 'npu-simple';
  baseUrl: string;
  status: 'unknown' | 'ready' | 'down';
  reason?: string;
  /** What fixes a down endpoint, when one thing does (its key: the surface words where to set it). */
  fix?: Fix;
  /** Models the endpoint lists (OpenAI-compatible /models), when it does. */
  models?: string[];
  checkedAt?: number;
}

export interface SidecarSnapshot {
  ollama: OllamaSidecarState;
  endpoints: EndpointState[];
}

/** True when requests can be sent now; "loading" counts, the request simply waits for the load. */
export function isUsable(status: SidecarStatus | EndpointState['status']): boolean {
  return status === 'ready' || status === 'loading';
}

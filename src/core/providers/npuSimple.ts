/**
 * The simple NPU inference service from the requirements: `POST {base}/api/npu/infer
 * {prompt, max_tokens, temperature}` → `{success, result, model}`, not streamed, so the whole
 * answer arrives as one text event and usage is our estimate. A token, if stored for the
 * service's origin, is sent as `Authorization: Bearer`. NPU runtimes that speak the OpenAI
 * protocol use the OpenAI-compatible provider (vendor "custom") instead.
 */
import type { ProviderConfig } from '../config';
import { type FetchLike, keyForEndpoint, originBoundFetch, originOf } from '../net/keyOrigin';
import type { ChatMessage, KeyStore, Locality, ModelInfo, Provider, ProviderCapabilities, ProviderEvent, ProviderRequest } from '../types';
import { SwitchyardError } from '../types';
import { type ErrorContext, classifyError, classifyHttpFailure, providerFailure } from './errors';
import { bodyText } from './lineSplitter';
import { type StreamSource, guardStream } from './streamGuard';
import { estimateUsage } from './usage';

export interface NpuSimpleOptions {
  id: string;
  config: ProviderConfig;
  baseUrl: string;
  locality: Locality;
  keyStore: KeyStore;
  fetch: FetchLike;
}

export const NPU_INFER_PATH = '/api/npu/infer';
export const NPU_HEALTH_PATH = '/api/npu/health';

export class NpuSimpleProvider implements Provider {
  readonly id: string;
  readonly kind = 'npu-simple' as const;
  readonly locality: Locality;
  readonly capabilities: ProviderCapabilities = { streaming: false, thinking: false, logprobs: false, fim: false, embeddings: false, usageInStream: false };
  readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly opts: NpuSimpleOptions) {
    this.id = opts.id;
    this.locality = opts.locality;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = originBoundFetch(opts.fetch, originOf(this.baseUrl));
  }

  private ctx(model?: string, token?: string): ErrorContext {
    return { providerId: this.id, label: `NPU service "${this.id}"`, vendor: 'npu', model, endpoint: this.baseUrl, local: this.locality === 'local', secrets: token ? [token] : [], timeoutMs: this.opts.config.timeoutMs };
  }

  private async headers(): Promise<{ headers: Record<string, string>; token?: string }> {
    const token = await keyForEndpoint(this.opts.keyStore, this.id, this.baseUrl);
    return { headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, token };
  }

  stream(req: ProviderRequest): AsyncIterable<ProviderEvent> {
    const ctx = this.ctx(req.model);
    return guardStream({ signal: req.signal, idleTimeoutMs: this.opts.config.timeoutMs, ctx }, this.source(req, ctx));
  }

  /** The whole answer is one JSON body: `open` reads it, and the "stream" is that one answer. */
  private source(req: ProviderRequest, ctx: ErrorContext): StreamSource<string> {
    return {
      open: async (signal) => {
        if (req.fim) throw providerFailure('bad_request', `${ctx.label} has no fill-in-the-middle endpoint; use an Ollama coder model for completions.`, ctx);
        const { headers, token } = await this.headers();
        if (token) (ctx.secrets as string[]).push(token);
        const res = await this.fetchImpl(this.baseUrl + NPU_INFER_PATH, {
          method: 'POST',
          headers,
          body: JSON.stringify({ prompt: flattenMessages(req.messages), max_tokens: req.maxTokens, temperature: req.temperature }),
          signal,
        });
        const text = await bodyText(res, signal);
        let body: any = text;
        try {
          body = JSON.parse(text);
        } catch {
          if (res.ok) throw providerFailure('bad_response', `${ctx.label} answered with something that is not JSON.`, ctx);
        }
        if (!res.ok) throw new SwitchyardError(classifyHttpFailure({ status: res.status, headers: res.headers, body }, ctx));
        if (body?.success !== true) throw providerFailure('server', `${ctx.label} failed: ${typeof body?.error === 'string' ? body.error : 'success was not true'}.`, ctx);
        if (typeof body.result !== 'string') throw providerFailure('bad_response', `${ctx.label} answered without a "result" text.`, ctx);
        const result: string = body.result;
        return (async function* () {
          yield result;
        })();
      },
      map: (result, out) => {
        if (result) out.push({ type: 'text', text: result });
        out.push({ type: 'usage', usage: estimateUsage(req.messages, undefined, result) });
        out.push({ type: 'finish', reason: 'stop' });
      },
      end: () => undefined,
    };
  }

  /** The configured models, or the one the service's health endpoint names. */
  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const toInfo = (model: string): ModelInfo => ({ ref: { provider: this.id, model }, locality: this.locality });
    if (this.opts.config.models.length) return this.opts.config.models.map(toInfo);
    const ctx = this.ctx();
    try {
      const { headers } = await this.headers();
      const res = await this.fetchImpl(this.baseUrl + NPU_HEALTH_PATH, { headers, signal });
      const body = (await res.json().catch(() => undefined)) as { model?: unknown } | undefined;
      if (!res.ok) throw new SwitchyardError(classifyHttpFailure({ status: res.status, headers: res.headers, body }, ctx));
      return typeof body?.model === 'string' ? [toInfo(body.model)] : [];
    } catch (err) {
      throw new SwitchyardError(classifyError(err, ctx, { signal }));
    }
  }
}

/** One prompt string from a chat: a lone user message as is, otherwise role-labelled turns ending with "Assistant:". */
export function flattenMessages(messages: readonly ChatMessage[]): string {
  if (messages.length === 1 && messages[0]!.role === 'user') return messages[0]!.content;
  const label = { system: 'System', user: 'User', assistant: 'Assistant' } as const;
  return `${messages.map((m) => `${label[m.role]}: ${m.content}`).join('\n\n')}\n\nAssistant:`;
}

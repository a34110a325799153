/**
 * The simple NPU inference service from the requirements: `POST {base}/api/npu/infer
 * {prompt, max_tokens, temperature}` → `{success, result, model}`, not streamed, so the whole
 * answer arrives as one text event and usage is our estimate. A token, if stored for the
 * service's origin, is sent as `Authorization: Bearer`. NPU runtimes that speak the OpenAI
 * protocol use the OpenAI-compatible provider (vendor "custom") instead.
 */
import type { ChatMessage, ModelInfo, Provider, ProviderCapabilities, ProviderEvent, ProviderRequest } from '../types';
import { SwitchyardError } from '../types';
import { EndpointProvider, type EndpointProviderOptions } from './endpointProvider';
import { type ErrorContext, classifyHttpFailure, providerFailure } from './errors';
import { bodyText } from './lineSplitter';
import type { StreamSource } from './streamGuard';
import { estimateUsage } from './usage';

export type NpuSimpleOptions = EndpointProviderOptions;

export const NPU_INFER_PATH = '/api/npu/infer';
export const NPU_HEALTH_PATH = '/api/npu/health';

export class NpuSimpleProvider extends EndpointProvider<string> implements Provider {
  readonly kind = 'npu-simple' as const;
  readonly capabilities: ProviderCapabilities = { streaming: false, thinking: false, logprobs: false, fim: false, embeddings: false, usageInStream: false };

  constructor(opts: NpuSimpleOptions) {
    super(opts, { label: `NPU service "${opts.id}"`, vendor: 'npu' });
  }

  private async headers(ctx: ErrorContext): Promise<Record<string, string>> {
    const token = await this.endpointKey(ctx);
    return { 'Content-Type': 'application/json', Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) };
  }

  /** The whole answer is one JSON body: `open` reads it, and the "stream" is that one answer. */
  protected source(req: ProviderRequest, ctx: ErrorContext): StreamSource<string> {
    return {
      open: async (signal) => {
        if (req.fim) throw providerFailure('bad_request', `${ctx.label} has no fill-in-the-middle endpoint; use an Ollama coder model for completions.`, ctx);
        const headers = await this.headers(ctx);
        const res = await this.boundFetch(this.baseUrl + NPU_INFER_PATH, {
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
    const ctx = this.errorContext();
    try {
      const headers = await this.headers(ctx);
      const res = await this.boundFetch(this.baseUrl + NPU_HEALTH_PATH, { headers, signal });
      const body = (await res.json().catch(() => undefined)) as { model?: unknown } | undefined;
      if (!res.ok) throw new SwitchyardError(classifyHttpFailure({ status: res.status, headers: res.headers, body }, ctx));
      return typeof body?.model === 'string' ? [toInfo(body.model)] : [];
    } catch (err) {
      throw this.normalised(err, ctx, signal);
    }
  }
}

/** One prompt string from a chat: a lone user message as is, otherwise role-labelled turns ending with "Assistant:". */
export function flattenMessages(messages: readonly ChatMessage[]): string {
  if (messages.length === 1 && messages[0]!.role === 'user') return messages[0]!.content;
  const label = { system: 'System', user: 'User', assistant: 'Assistant' } as const;
  return `${messages.map((m) => `${label[m.role]}: ${m.content}`).join('\n\n')}\n\nAssistant:`;
}

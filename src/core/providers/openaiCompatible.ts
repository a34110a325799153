/**
 * The OpenAI-compatible provider family (OpenAI, Groq, DashScope, Zhipu GLM, Gemini's
 * compatibility endpoint, Llama API, Ollama /v1, LM Studio / vLLM / llama.cpp / NPU runtimes)
 * through the `openai` SDK v6. Everything that differs per vendor comes from vendors.ts.
 *
 * The SDK's own retries are off (`maxRetries: 0`): the router owns retry and failover, and the
 * SDK would retry Zhipu's 1113 "balance exhausted" 429s and cannot read Gemini's RetryInfo.
 * A fresh, cheap SDK client per request carries that request's capturing fetch.
 */
import type OpenAI from 'openai';
import type { ModelInfo, Provider, ProviderCapabilities, ProviderEvent, ProviderRequest, TokenLogprob } from '../types';
import { type CapturingFetch, capturingFetch } from './captureFetch';
import { rateLimitHeaders } from './rateLimitHeaders';
import { EndpointProvider, type EndpointProviderOptions } from './endpointProvider';
import { type ErrorContext, type HttpFailure, providerFailure, setKeyFix } from './errors';
import { FimControlFilter, type FimFamily, fimFamilyOf } from '../completion/fimTemplates';
import { planFimRequest } from '../completion/fimRequest';
import { SseDecoder, type SseMessage, bodyLines } from './lineSplitter';
import type { StreamSource } from './streamGuard';
import { type Piece, ThinkTagSplitter } from './thinkTags';
import { estimateUsage, finishReasonOf, usageFromOpenAI } from './usage';
import { VENDORS, type VendorQuirks } from './vendors';

export type OpenAICompatibleOptions = EndpointProviderOptions;

/** Placeholder key for local servers that need none: the SDK refuses an empty one, and they ignore it. */
const LOCAL_PLACEHOLDER_KEY = 'no-key';

export class OpenAICompatibleProvider extends EndpointProvider<string> implements Provider {
  readonly kind = 'openai-compatible' as const;
  readonly capabilities: ProviderCapabilities;
  private readonly quirks: VendorQuirks;
  private readonly capture: CapturingFetch;
  /** One SDK client per key value: building one costs tens of µs, so it is not done per request. */
  private cached: { key: string; client: OpenAI } | undefined;

  constructor(opts: OpenAICompatibleOptions) {
    const quirks = VENDORS[opts.config.vendor];
    super(opts, { label: opts.config.vendor === 'custom' ? `${quirks.label} "${opts.id}"` : quirks.label, vendor: opts.config.vendor });
    this.quirks = quirks;
    this.capture = capturingFetch(this.boundFetch);
    this.capabilities = {
      streaming: true,
      thinking: this.quirks.thinking,
      logprobs: this.quirks.logprobs,
      fim: this.quirks.fim,
      embeddings: false,
      usageInStream: true,
    };
  }

  protected override failureOf(err: unknown): HttpFailure | undefined {
    return this.capture.failureOf(err);
  }

  /** The key for exactly this endpoint's origin; cloud endpoints without one fail before any byte is sent. */
  private async key(ctx: ErrorContext): Promise<string> {
    const key = await this.endpointKey(ctx);
    if (key) return key;
    if (this.locality === 'local') return LOCAL_PLACEHOLDER_KEY;
    // Where to set it is the surface's to say (`fix`): the CLI names the variable, VS Code its command.
    throw providerFailure('auth', `No API key for ${ctx.label} at ${this.origin}.`, ctx, { retryable: false, fix: setKeyFix(ctx) });
  }

  private client(key: string): OpenAI {
    if (this.cached?.key === key) return this.cached.client;
    // Required here, not imported: the SDK is its own bundle in dist/vendor (esbuild.mjs
    // LAZY_VENDORS), so loading the extension does not compile and initialise it.
    const { OpenAI: OpenAIClient } = require('openai') as typeof import('openai');
    const client = new OpenAIClient({
      apiKey: key,
      baseURL: this.baseUrl,
      maxRetries: 0,
      timeout: this.opts.config.timeoutMs,
      fetch: this.capture.fetch as unknown as typeof fetch,
      // Never forward OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment to other vendors.
      organization: null,
      project: null,
      // Malformed chunks become bad_response errors here; the SDK's own console logging would only add noise.
      logLevel: 'off',
    });
    this.cached = { key, client };
    return client;
  }

  /** The answer's events; a completion's without its family's FIM control tokens. */
  protected source(req: ProviderRequest, ctx: ErrorContext): StreamSource<string> {
    const source = this.answerSource(req, ctx);
    return req.fim ? withoutFimControlTokens(source, fimFamilyOf(req.model)) : source;
  }

  /**
   * A fill-in-the-middle request on /completions, with `suffix` or with the raw template of the
   * model's family, as the provider's `fim` setting decides (completion/fimRequest.ts). Refused
   * before any byte is sent when neither way can work, with a reason saying what to change.
   */
  private async openCompletion(client: OpenAI, common: Record<string, unknown>, req: ProviderRequest, ctx: ErrorContext, signal: AbortSignal): Promise<Response> {
    const fim = req.fim!;
    if (!this.quirks.fim) throw providerFailure('bad_request', `${ctx.label} has no fill-in-the-middle endpoint; use a local model (Ollama, LM Studio, vLLM) for completions.`, ctx);
    const plan = planFimRequest({
      mode: this.opts.config.fim ?? 'auto',
      serverAppliesSuffix: this.quirks.appliesSuffix === true,
      model: req.model,
      prefix: fim.prefix,
      suffix: fim.suffix,
      settingName: `switchyard.providers.${this.id}.fim`,
    });
    if (!plan.ok) throw providerFailure('bad_request', `${ctx.label}: ${plan.reason}`, ctx, { retryable: false });
    const wire = plan.request;
    const stop = [...(req.stop ?? []), ...wire.stop];
    const body = { ...common, prompt: wire.prompt, ...(wire.suffix !== undefined ? { suffix: wire.suffix } : {}), ...(stop.length ? { stop } : {}) };
    return client.completions.create(body as any, { signal }).asResponse();
  }

  /**
   * The SDK sends the request and turns an error status into its APIError (with the captured
   * body); the SSE body is then read here line by line (bodyLines), instead of through the
   * SDK's three per-event async generators (bench/router-overhead.ts). Like the SDK: nothing
   * after `[DONE]` counts (the stream ends there), a chunk that is not JSON fails the stream, and
   * an `error` in the data becomes the SDK's own APIError, classified as before.
   */
  private answerSource(req: ProviderRequest, ctx: ErrorContext): StreamSource<string> {
    const q = this.quirks;
    const sse = new SseDecoder();
    let sawDone = false;
    let headers: Headers | undefined;
    const splitter = new ThinkTagSplitter();
    let text = '';
    let thinking = '';
    let finish: string | undefined;
    let usage: unknown;
    const emit = (pieces: Piece[], out: ProviderEvent[], logprobs?: TokenLogprob[]) => {
      for (const p of pieces) {
        if (p.type === 'thinking') {
          thinking += p.text;
          out.push({ type: 'thinking', text: p.text });
        } else {
          text += p.text;
          out.push(logprobs?.length ? { type: 'text', text: p.text, logprobs } : { type: 'text', text: p.text });
        }
      }
    };
    return {
      open: async (signal) => {
        const key = await this.key(ctx);
        const client = this.client(key);
        const common: Record<string, unknown> = {
          model: req.model,
          stream: true,
          ...(req.maxTokens !== undefined ? { [q.maxTokensField]: req.maxTokens } : {}),
          ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
          ...(req.stop?.length ? { stop: req.stop } : {}),
          ...(q.streamUsageOptIn ? { stream_options: { include_usage: true } } : {}),
          ...(req.logprobs && q.logprobs ? { logprobs: true } : {}),
        };
        const response = req.fim
          ? await this.openCompletion(client, common, req, ctx, signal)
          : await client.chat.completions.create({ ...common, messages: req.messages, ...q.thinkingParams(req.thinking) } as any, { signal }).asResponse();
        if (!response.body) throw providerFailure('bad_response', `${ctx.label} answered without a body.`, ctx);
        headers = response.headers;
        return bodyLines(response.body as ReadableStream<Uint8Array>);
      },
      map: (line, out) => {
        const message = sawDone ? undefined : sse.line(line);
        if (message) mapMessage(message, out);
      },
      complete: () => sawDone,
      end: endAnswer,
    };

    function mapMessage(message: SseMessage, out: ProviderEvent[]): void {
      if (message.data.startsWith('[DONE]')) {
        sawDone = true;
        return;
      }
      const data = JSON.parse(message.data);
      // Assistants' `thread.*` events never come on these endpoints; the SDK hands them out apart
      // from chunks, we skip them. Any other event, `error` included, is a chunk or an error.
      if (message.event !== null && message.event.startsWith('thread.')) return;
      if (data?.error) throw apiError(data.error, headers);
      mapChunk(data, out);
    }

    function mapChunk(chunk: any, out: ProviderEvent[]): void {
      // Usage may come on any chunk and may repeat (Gemini): the last one wins, never a sum.
      if (chunk?.usage) usage = chunk.usage;
      if (chunk?.x_groq?.usage) usage = chunk.x_groq.usage;
      const choice = chunk?.choices?.[0];
      if (!choice) return;
      const delta = choice.delta ?? {};
      const reasoning = delta[q.reasoningField] ?? delta.reasoning_content ?? delta.reasoning;
      if (typeof reasoning === 'string' && reasoning) {
        thinking += reasoning;
        out.push({ type: 'thinking', text: reasoning });
      }
      const content = req.fim ? choice.text : delta.content;
      if (typeof content === 'string' && content) emit(splitter.push(content), out, logprobsOf(choice.logprobs));
      if (choice.finish_reason) finish = String(choice.finish_reason);
    }

    function endAnswer(out: ProviderEvent[]): void {
      emit(splitter.flush(), out);
      if (finish === 'network_error') {
        // Zhipu ends a stream it could not complete with this finish reason.
        throw providerFailure('server', `${ctx.label} stopped the answer early (network_error). Try again or use another provider.`, ctx);
      }
      if (!finish) throw providerFailure('bad_response', `${ctx.label} ended the stream before the answer finished.`, ctx);
      out.push({ type: 'usage', usage: usageFromOpenAI(usage) ?? estimateUsage(req.messages, req.fim, text, thinking) });
      const rateLimit = rateLimitHeaders(headers);
      out.push({ type: 'finish', reason: finishReasonOf(finish), ...(rateLimit ? { rateLimit } : {}) });
    }
  }

  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const toInfo = (model: string): ModelInfo => ({ ref: { provider: this.id, model }, locality: this.locality });
    const configured = this.opts.config.models;
    if (this.locality === 'cloud') return (configured.length ? configured : this.quirks.defaultModels).map(toInfo);
    // Local servers (LM Studio, vLLM, an NPU runtime): what is loaded there now, plus what the settings name.
    const listed = await this.probe(signal);
    return [...new Set([...listed, ...configured])].map(toInfo);
  }

  /** GET /v1/models, cloud or local: the free health probe (reliability/health.ts); a model listing costs nothing. */
  async probe(signal?: AbortSignal): Promise<string[]> {
    const ctx = this.errorContext();
    try {
      const key = await this.key(ctx);
      const page = await this.client(key).models.list({ signal });
      return page.data.map((m) => (m.id.startsWith(this.quirks.modelIdPrefix) ? m.id.slice(this.quirks.modelIdPrefix.length) : m.id));
    } catch (err) {
      throw this.normalised(err, ctx, signal);
    }
  }
}

/**
 * The FIM answer without the family's control tokens, even from a server that echoes them or does
 * not apply `stop`: text events go through a FimControlFilter, its held-back tail comes out before
 * the closing events. Applied to completions only, so the chat stream's per-token path is unchanged.
 */
function withoutFimControlTokens<Part>(source: StreamSource<Part>, family: FimFamily | undefined): StreamSource<Part> {
  const filter = new FimControlFilter(family);
  const filterText = (events: ProviderEvent[], out: ProviderEvent[]) => {
    for (const ev of events) {
      if (ev.type !== 'text') out.push(ev);
      else {
        const text = filter.push(ev.text);
        if (text) out.push({ ...ev, text });
      }
    }
  };
  return {
    open: (signal) => source.open(signal),
    // The answer still ends at `[DONE]`: the filter changes events, not where the stream ends.
    complete: source.complete,
    map: (part, out) => {
      const events: ProviderEvent[] = [];
      source.map(part, events);
      filterText(events, out);
    },
    end: (out) => {
      const events: ProviderEvent[] = [];
      try {
        source.end(events);
      } finally {
        const closing = events.findIndex((ev) => ev.type !== 'text');
        const text = closing === -1 ? events : events.slice(0, closing);
        filterText(text, out);
        const rest = filter.flush();
        if (rest) out.push({ type: 'text', text: rest });
        if (closing !== -1) out.push(...events.slice(closing));
      }
    },
  };
}

/** The SDK's own error for an `error` inside the stream, so that errors.ts classifies it as it always has. */
function apiError(error: unknown, headers: Headers | undefined): Error {
  const { APIError } = require('openai') as typeof import('openai');
  return new APIError(undefined, error as object | undefined, undefined, headers);
}

/** Chat-style `{content:[{token, logprob, top_logprobs}]}` or legacy `{tokens, token_logprobs}` → ours. */
function logprobsOf(lp: any): TokenLogprob[] | undefined {
  if (!lp) return undefined;
  if (Array.isArray(lp.content)) {
    return lp.content.map((t: any) => ({
      token: String(t.token),
      logprob: Number(t.logprob),
      ...(Array.isArray(t.top_logprobs) && t.top_logprobs.length ? { top: t.top_logprobs.map((x: any) => ({ token: String(x.token), logprob: Number(x.logprob) })) } : {}),
    }));
  }
  if (Array.isArray(lp.tokens) && Array.isArray(lp.token_logprobs)) {
    return lp.tokens.map((token: string, i: number) => ({ token, logprob: Number(lp.token_logprobs[i]) }));
  }
  return undefined;
}

/**
 * What every provider does the same way around its own protocol: it is bound to one endpoint
 * (base URL → origin, a fetch that can reach only that origin and follows no redirect), looks up
 * the key stored for exactly that origin, names itself in errors through one ErrorContext, and
 * streams through the stream guard (idle timeout, cancellation, error normalisation). The
 * protocols — OpenAI-compatible, Ollama's native API, the simple NPU service — only supply
 * `source()`: how to open the answer and turn its wire parts into events.
 */
import type { ProviderConfig } from '../config';
import { type FetchLike, originBoundFetch, originOf } from '../net/keyOrigin';
import type { KeyStore, Locality, ProviderEvent, ProviderRequest } from '../types';
import { SwitchyardError } from '../types';
import { type ErrorContext, type HttpFailure, classifyError } from './errors';
import { type StreamSource, guardStream } from './streamGuard';

export interface EndpointProviderOptions {
  id: string;
  config: ProviderConfig;
  baseUrl: string;
  locality: Locality;
  /** Where the key (or token) for this endpoint's origin is stored; Ollama's native API takes none. */
  keyStore?: KeyStore;
  fetch: FetchLike;
}

/** How a provider names itself in messages ("Groq", "Ollama"), and whose error codes apply ("ollama", "npu", a vendor). */
export interface ProviderIdentity {
  label: string;
  vendor: string;
}

export abstract class EndpointProvider<Part> {
  readonly id: string;
  readonly locality: Locality;
  /** Without a trailing slash: paths are appended to it. */
  readonly baseUrl: string;
  /** The origin the key and every request are bound to (src/core/net/keyOrigin.ts). */
  protected readonly origin: string;
  /** fetch that can only reach `origin` and refuses redirects. */
  protected readonly boundFetch: FetchLike;

  constructor(
    protected readonly opts: EndpointProviderOptions,
    private readonly identity: ProviderIdentity,
  ) {
    this.id = opts.id;
    this.locality = opts.locality;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.origin = originOf(this.baseUrl);
    this.boundFetch = originBoundFetch(opts.fetch, this.origin);
  }

  /** The context every error of this provider is classified and worded with; `secrets` grows as keys are read. */
  protected errorContext(model?: string): ErrorContext {
    return {
      providerId: this.id,
      label: this.identity.label,
      vendor: this.identity.vendor,
      model,
      endpoint: this.baseUrl,
      local: this.locality === 'local',
      secrets: [],
      timeoutMs: this.opts.config.timeoutMs,
    };
  }

  /**
   * The key stored for exactly this endpoint's origin, or undefined. A key that is found is added
   * to `ctx.secrets`, so no message classified with that context can quote it.
   */
  protected async endpointKey(ctx: ErrorContext): Promise<string | undefined> {
    const key = this.opts.keyStore ? await this.opts.keyStore.getKey(this.id, this.origin) : undefined;
    if (key) (ctx.secrets as string[]).push(key);
    return key || undefined;
  }

  /** The error answer behind an SDK's error, when the provider captures it off the wire (captureFetch.ts). */
  protected failureOf?(err: unknown): HttpFailure | undefined;

  /** Any failure outside a stream (listing models), normalised like the stream guard does inside one. */
  protected normalised(err: unknown, ctx: ErrorContext, signal?: AbortSignal): SwitchyardError {
    return new SwitchyardError(classifyError(err, ctx, { signal, httpFailure: this.failureOf?.(err) }));
  }

  stream(req: ProviderRequest): AsyncIterable<ProviderEvent> {
    const ctx = this.errorContext(req.model);
    return guardStream(
      { signal: req.signal, idleTimeoutMs: this.opts.config.timeoutMs, ctx, ...(this.failureOf ? { failureOf: (err: unknown) => this.failureOf!(err) } : {}) },
      this.source(req, ctx),
    );
  }

  /** How this protocol opens an answer and maps its wire parts to events. */
  protected abstract source(req: ProviderRequest, ctx: ErrorContext): StreamSource<Part>;
}

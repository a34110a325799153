/**
 * Ollama's native API through the `ollama` package: /api/chat (and /api/generate with `suffix`
 * for fill-in-the-middle) streamed as NDJSON, `thinking` deltas, logprobs, `done_reason`, token
 * counts and nanosecond durations; /api/tags + /api/show for the installed models.
 *
 * Each request gets its own `Ollama` client whose fetch carries the request's AbortSignal:
 * the package's `abort()` aborts every stream of a client, and its non-streaming calls take no
 * signal at all, so a shared client could neither cancel one request alone nor cancel a request
 * still waiting for a model to load. Features are gated on the server version (think from
 * 0.9.0, logprobs from 0.12.11) and the model's capabilities, both fetched once and cached.
 */
import type { Ollama } from 'ollama';
import { featuresForModel } from '../local/ollamaVersion';
import { DEFAULT_MAX_TOKENS } from '../router/defaults';
import { estimatePromptTokens } from '../tokenEstimate';
import type { FetchLike } from '../net/keyOrigin';
import type { ModelInfo, Provider, ProviderCapabilities, ProviderEvent, ProviderRequest, TokenLogprob, Usage } from '../types';
import { EndpointProvider, type EndpointProviderOptions } from './endpointProvider';
import { type ErrorContext, providerFailure } from './errors';
import { bodyLines, parseNdjsonLine } from './lineSplitter';
import { numCtxFor, ollamaContextLength } from './ollamaContext';
import type { StreamSource } from './streamGuard';
import { ThinkTagSplitter } from './thinkTags';
import { estimateUsage, finishReasonOf } from './usage';

/** Ollama's native API takes no key: a `keyStore` given is not asked. */
export type OllamaProviderOptions = EndpointProviderOptions;

/** Ollama's default address (OLLAMA_HOST default 127.0.0.1:11434). */
export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';
const NS_PER_MS = 1e6;
/**
 * Bound once: it runs per token, and a call through the import would be a property read on the
 * module's exports each time where modules are not bundled (tsx, the tests, bench/).
 */
const parseLine = parseNdjsonLine;

interface ModelDetails {
  capabilities?: string[];
  contextWindow?: number;
}

export class OllamaProvider extends EndpointProvider<string> implements Provider {
  readonly kind = 'ollama' as const;
  readonly capabilities: ProviderCapabilities = { streaming: true, thinking: true, logprobs: true, fim: true, embeddings: true, usageInStream: true };
  private versionPromise: Promise<string> | undefined;
  private readonly details = new Map<string, Promise<ModelDetails | undefined>>();

  constructor(opts: OllamaProviderOptions) {
    super(opts, { label: 'Ollama', vendor: 'ollama' });
  }

  /**
   * A client whose every request (streaming or not) is aborted by `signal`. `onResponse` sees
   * each answer the client receives (the streaming one is read by us, see source()).
   *
   * With a `signal`, it replaces the SDK's own: ollama-js aborts that one only from
   * `client.abort()` / its stream iterator's `abort()`, and this per-request client never calls
   * either (the body is read by us). Merging the two (AbortSignal.any) cost ~70 µs and a
   * weakly-held dependent signal per request on Node 20, for an abort that cannot happen.
   */
  private client(signal?: AbortSignal, onResponse?: (response: Response) => void): Ollama {
    const base = this.boundFetch;
    const fetchWithSignal: FetchLike = async (input, init) => {
      const chosen = signal ?? init?.signal ?? undefined;
      const response = await base(input, { ...init, ...(chosen ? { signal: chosen } : {}) });
      onResponse?.(response);
      return response;
    };
    // Required here, not imported: its own bundle in dist/vendor (esbuild.mjs LAZY_VENDORS).
    const { Ollama: OllamaClient } = require('ollama') as typeof import('ollama');
    return new OllamaClient({ host: this.baseUrl, fetch: fetchWithSignal as unknown as typeof fetch });
  }

  /** /api/version, once per provider (a failed lookup is retried next time). */
  private version(client: Ollama): Promise<string> {
    if (!this.versionPromise) {
      this.versionPromise = client.version().then((v) => v.version);
      this.versionPromise.catch(() => (this.versionPromise = undefined));
    }
    return this.versionPromise;
  }

  /** /api/show capabilities and context length, once per model; undefined when the server cannot say. */
  private modelDetails(client: Ollama, model: string): Promise<ModelDetails | undefined> {
    let p = this.details.get(model);
    if (!p) {
      p = client
        .show({ model })
        .then((s) => {
          const info = (s.model_info ?? {}) as unknown as Record<string, unknown>;
          const arch = info['general.architecture'];
          const ctxLen = typeof arch === 'string' ? info[`${arch}.context_length`] : undefined;
          return { capabilities: (s as { capabilities?: string[] }).capabilities, contextWindow: typeof ctxLen === 'number' ? ctxLen : undefined };
        })
        .catch(() => {
          this.details.delete(model);
          return undefined;
        });
      this.details.set(model, p);
    }
    return p;
  }

  /**
   * The SDK sends the request and turns an error status into its ResponseError (headers and
   * errors exactly as ollama-js has them); the NDJSON body is then read here line by line
   * (bodyLines), instead of through the SDK's two async generators (one hop each per token).
   * Like ollama-js: a line that is not JSON is skipped, an `error` line fails the stream, and
   * the stream ends at the `done` line.
   */
  protected source(req: ProviderRequest, ctx: ErrorContext): StreamSource<string> {
    const splitter = new ThinkTagSplitter(); // servers before 0.9.0 put <think> inline
    let text = '';
    let thinking = '';
    let last: any;
    const mapPart = (part: any, out: ProviderEvent[]): void => {
      if (last) return;
      if (typeof part.error === 'string') throw new Error(part.error);
      const t = part.message?.thinking ?? part.thinking;
      if (typeof t === 'string' && t) {
        thinking += t;
        out.push({ type: 'thinking', text: t });
      }
      const content = part.message?.content ?? part.response;
      if (typeof content === 'string' && content) {
        const logprobs = logprobsOf(part.logprobs);
        for (const p of splitter.push(content)) {
          if (p.type === 'thinking') thinking += p.text;
          else text += p.text;
          out.push(p.type === 'text' && logprobs ? { type: 'text', text: p.text, logprobs } : p);
        }
      }
      if (part.done) last = part;
    };
    return {
      open: async (signal) => {
        let answer: Response | undefined;
        const client = this.client(signal, (response) => (answer = response));
        const version = await this.version(client);
        // Cached per model (listModels has usually asked already): the context length sizes num_ctx.
        const details = await this.modelDetails(client, req.model);
        const features = featuresForModel(version, details?.capabilities);
        if (req.fim && details?.capabilities && !features.fim) {
          throw providerFailure(
            'bad_request',
            `Ollama model '${req.model}' cannot fill in the middle (it lacks the 'insert' capability). Use a coder model such as qwen2.5-coder for completions.`,
            ctx,
          );
        }
        const options: Record<string, unknown> = {};
        if (req.maxTokens !== undefined) options.num_predict = req.maxTokens;
        if (req.temperature !== undefined) options.temperature = req.temperature;
        if (req.stop?.length) options.stop = req.stop;
        const needed = estimatePromptTokens(req.messages, req.fim) + (req.maxTokens ?? DEFAULT_MAX_TOKENS);
        options.num_ctx = numCtxFor(needed, ollamaContextLength(this.id, req.model, details?.contextWindow));
        const base: Record<string, unknown> = {
          model: req.model,
          stream: true,
          options,
          ...(req.keepAlive !== undefined ? { keep_alive: req.keepAlive } : {}),
          // think:true on a model without the capability is a 400, so it is only sent where it works.
          ...(req.thinking !== undefined && features.thinking ? { think: req.thinking } : {}),
          ...(req.logprobs && features.logprobs ? { logprobs: true } : {}),
        };
        // Resolves once the status is OK; the SDK's own iterator over the body is never started.
        if (req.fim) await client.generate({ ...base, prompt: req.fim.prefix, suffix: req.fim.suffix } as any);
        else await client.chat({ ...base, messages: req.messages } as any);
        if (!answer?.body) throw providerFailure('bad_response', 'Ollama answered without a body.', ctx);
        return bodyLines(answer.body as ReadableStream<Uint8Array>);
      },
      map: (line, out) => {
        const part = parseLine(line);
        if (part !== undefined) mapPart(part, out);
      },
      complete: () => last !== undefined,
      end: (out) => {
        out.push(...splitter.flush());
        if (!last) throw providerFailure('bad_response', 'Ollama ended the stream before the answer finished.', ctx);
        out.push({ type: 'usage', usage: usageOf(last) ?? estimateUsage(req.messages, req.fim, text, thinking) });
        out.push({
          type: 'finish',
          reason: finishReasonOf(String(last.done_reason ?? 'stop')),
          serverTiming: { totalMs: ms(last.total_duration), loadMs: ms(last.load_duration), promptEvalMs: ms(last.prompt_eval_duration), evalMs: ms(last.eval_duration) },
        });
      },
    };
  }

  /** Installed models (/api/tags) with capabilities and context length from /api/show. */
  async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const client = this.client(signal);
    try {
      const { models } = await client.list();
      return await Promise.all(
        models.map(async (m) => {
          const d = await this.modelDetails(client, m.name);
          const info: ModelInfo = {
            ref: { provider: this.id, model: m.name },
            locality: this.locality,
            sizeBytes: m.size,
            family: m.details?.family,
            parameterSize: m.details?.parameter_size,
            quantization: m.details?.quantization_level,
          };
          if (d?.capabilities) info.capabilities = d.capabilities;
          if (d?.contextWindow) info.contextWindow = d.contextWindow;
          return info;
        }),
      );
    } catch (err) {
      throw this.normalised(err, this.errorContext(), signal);
    }
  }
}

function ms(ns: unknown): number | undefined {
  return typeof ns === 'number' ? ns / NS_PER_MS : undefined;
}

/** Counts are omitempty on the wire: a prompt served from cache reports no prompt_eval_count. */
function usageOf(done: any): Usage | undefined {
  if (typeof done.eval_count !== 'number' && typeof done.prompt_eval_count !== 'number') return undefined;
  return { inputTokens: done.prompt_eval_count ?? 0, outputTokens: done.eval_count ?? 0, estimated: false };
}

function logprobsOf(lp: unknown): TokenLogprob[] | undefined {
  if (!Array.isArray(lp) || lp.length === 0) return undefined;
  return lp.map((t: any) => ({
    token: String(t.token),
    logprob: Number(t.logprob),
    ...(Array.isArray(t.top_logprobs) && t.top_logprobs.length ? { top: t.top_logprobs.map((x: any) => ({ token: String(x.token), logprob: Number(x.logprob) })) } : {}),
  }));
}

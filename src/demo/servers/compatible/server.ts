/**
 * The common OpenAI-compatible server: routing under the vendor's base path, bearer auth,
 * /models, the scripted replies and faults, and chat/legacy completions (completion.ts). Every
 * vendor difference is asked of its VendorDouble (../vendors/), so a new endpoint (batches,
 * files) is a route here and any vendor quirk of it a field there.
 */
import type http from 'node:http';
import { type Chunking, type ErrorReply, type RecordedRequest, type ServerHandle, sendJson, startHttpServer } from '../http';
import { send, serveCompletion } from './completion';
import { type Clock, type QuotaLimits, ScriptedQuota } from './quota';
import type { ErrorPreset, VendorDouble, VendorName } from './vendor';

/** One scripted answer. Everything is optional; the default is a short English sentence. */
export interface ChatReply {
  /** Answer text: a string (split into word/CJK-character tokens) or explicit tokens, one content chunk each. */
  text?: string | string[];
  /** Reasoning text, streamed before the answer when the request turned reasoning on. */
  thinking?: string | string[];
  /** The vendor's own finish word: stop, length, content_filter, sensitive (Zhipu), … */
  finishReason?: string;
  /** logprob per answer token (default -0.05 each). */
  logprobs?: number[];
  promptTokens?: number;
  cachedTokens?: number;
  /** Send no usage anywhere (a proxy that drops it, or a stream cut before the usage chunk). */
  omitUsage?: boolean;
  /** Send this error (a vendor preset or an exact reply) instead of an answer. */
  error?: ErrorPreset | ErrorReply;
  /** After the answer tokens, send `data: <this as JSON>` and end (an error event mid-stream); a string is sent verbatim (malformed data). */
  midStreamError?: unknown;
  /** A stream only: destroy the socket right after the n-th answer token's chunk (n = 0: after the role chunk, before any text). */
  dropAfterTokens?: number;
  /** A stream only: stop writing after the n-th answer token's chunk and hold the connection open (rec.stalledAt says when). */
  stallAfterTokens?: number;
  chunking?: Chunking;
}

/**
 * What a server does with `suffix` on /completions: Ollama /v1 applies the model's FIM template
 * ("honoured"); llama.cpp's server and LM Studio accept and drop it, so the model sees the prefix
 * alone ("ignored"); vLLM answers 400 "suffix is not currently supported" ("rejected").
 */
export type SuffixSupport = 'honoured' | 'ignored' | 'rejected';

/** A run of identical failures: the next `requests` completions, or every one for `forMs` on the server's clock. */
export interface Spell {
  /** Default "server" (the vendor's 500). "overloaded" is its 503 (Groq 498, Zhipu 1305). */
  error?: ErrorPreset | ErrorReply;
  requests?: number;
  forMs?: number;
}

export interface OpenAICompatibleServerOptions {
  vendor?: VendorName;
  /** Default "honoured". */
  suffix?: SuffixSupport;
  /** Required bearer key; null turns the check off (local servers). Default "test-key". */
  apiKey?: string | null;
  /** Models the server has (without Gemini's "models/" prefix). */
  models?: string[];
  reply?: ChatReply | ((rec: RecordedRequest) => ChatReply);
  port?: number;
  /**
   * Count requests and tokens (prompt + answer) per minute / per day and answer the vendor's own
   * 429 when a window is full; successful answers then carry the live x-ratelimit-* counters.
   */
  quota?: QuotaLimits;
  /** The clock of the quota windows and spells (ms, like Date.now, the default). */
  clock?: Clock;
}

export interface OpenAICompatibleServer extends ServerHandle {
  vendor: VendorName;
  /** url + the vendor's base path, e.g. "http://127.0.0.1:PORT/openai/v1": give this to the SDK. */
  baseUrl: string;
  models: string[];
  /** Uses `reply` for the next chat/completions request only (queued, first in first out). */
  enqueue(reply: ChatReply): void;
  setReply(reply: ChatReply | ((rec: RecordedRequest) => ChatReply)): void;
  /** Starts a run of failures (a 5xx spell, an overload), ahead of queued replies; a new spell replaces the old. */
  spell(spell: Spell): void;
}

/** Starts a double that behaves like `vendor`'s service. */
export async function startCompatibleServer(vendor: VendorDouble, options: Omit<OpenAICompatibleServerOptions, 'vendor'> = {}): Promise<OpenAICompatibleServer> {
  const apiKey = options.apiKey === undefined ? 'test-key' : options.apiKey;
  const models = options.models ?? [vendor.defaultModel];
  const clock = options.clock ?? Date.now;
  const quota = options.quota ? new ScriptedQuota(options.quota, clock) : undefined;
  let reply = options.reply ?? {};
  const queue: ChatReply[] = [];
  let spell: { error: ErrorPreset | ErrorReply; left: number; until: number } | undefined;

  const spellReply = (): ChatReply | undefined => {
    if (!spell) return undefined;
    if (spell.left <= 0 || clock() >= spell.until) {
      spell = undefined;
      return undefined;
    }
    spell.left--;
    return { error: spell.error };
  };

  const handle = await startHttpServer(async (req, res, rec) => {
    await handleCompatibleRoute(req, res, rec, {
      vendor,
      apiKey,
      models,
      nextReply: () => spellReply() ?? queue.shift() ?? (typeof reply === 'function' ? reply(rec) : reply),
      pathPrefix: vendor.basePath,
      suffix: options.suffix ?? 'honoured',
      quota,
    });
  }, options.port);

  return Object.assign(handle, {
    vendor: vendor.name,
    baseUrl: handle.url + vendor.basePath,
    models,
    enqueue: (r: ChatReply) => void queue.push(r),
    setReply: (r: ChatReply | ((rec: RecordedRequest) => ChatReply)) => {
      reply = r;
    },
    spell: (s: Spell) => {
      spell = { error: s.error ?? 'server', left: s.requests ?? Infinity, until: s.forMs === undefined ? Infinity : clock() + s.forMs };
    },
  });
}

export interface CompatibleRouteContext {
  vendor: VendorDouble;
  apiKey: string | null;
  models: string[];
  nextReply(): ChatReply;
  pathPrefix: string;
  /** Default "honoured". */
  suffix?: SuffixSupport;
  quota?: ScriptedQuota;
}

/** Serves one OpenAI-compatible request. Returns false when the path is not an OpenAI route. */
export async function handleCompatibleRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  rec: RecordedRequest,
  ctx: CompatibleRouteContext,
): Promise<boolean> {
  const { vendor } = ctx;
  if (!rec.path.startsWith(ctx.pathPrefix)) {
    sendJson(res, 404, vendor.notFound(rec.path));
    return false;
  }
  const route = rec.path.slice(ctx.pathPrefix.length);
  const base = vendor.everyResponseHeaders();

  if (ctx.apiKey !== null) {
    const auth = req.headers.authorization;
    if (!auth) {
      send(res, vendor.error('missing_auth', {}), base);
      return true;
    }
    if (auth !== `Bearer ${ctx.apiKey}`) {
      send(res, vendor.error('auth', { key: auth.replace(/^Bearer\s+/i, '') }), base);
      return true;
    }
  }

  if (req.method === 'GET' && route === '/models') {
    sendJson(
      res,
      200,
      {
        object: 'list',
        data: ctx.models.map((id) => ({ id: vendor.modelIdPrefix + id, object: 'model', created: 1_700_000_000, owned_by: vendor.owner })),
      },
      base,
    );
    return true;
  }
  if (req.method === 'POST' && (route === '/chat/completions' || route === '/completions')) {
    await serveCompletion(res, rec, ctx, route === '/completions', base);
    return true;
  }
  sendJson(res, 404, vendor.notFound(rec.path), base);
  return false;
}

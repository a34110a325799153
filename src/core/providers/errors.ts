/**
 * The ONE place where every provider failure becomes a NormalizedError: HTTP error bodies of
 * every vendor (OpenAI-style objects, Gemini's JSON arrays, Zhipu's numeric codes, Ollama's plain
 * strings, vLLM's top-level objects, the NPU's {success:false}), SDK exceptions, socket errors,
 * timeouts, malformed streams and aborts. Everything downstream decides by `kind`.
 *
 * Messages say what happened and what to do, name the provider, and never contain a key: every
 * text taken from a server passes through `redact` with the request's secrets.
 */
import { type ErrorKind, type Fix, type NormalizedError, SwitchyardError } from '../types';
import { originOf } from '../net/keyOrigin';
import { type HeaderBag, retryAfterMs } from './retryAfter';
import { type RateLimitHeaders, rateLimitHeaders } from './rateLimitHeaders';

export interface ErrorContext {
  providerId: string;
  /** The provider's human name: "Groq", "Zhipu GLM", "Ollama"… */
  label: string;
  /** Which vendor's codes apply ("ollama" and "npu" for the native protocols). */
  vendor: string;
  model?: string;
  /** Base URL, for "cannot reach …" messages. */
  endpoint?: string;
  local: boolean;
  /** Values that must never appear in a message (the API key). */
  secrets?: readonly string[];
  timeoutMs?: number;
}

/** A non-2xx HTTP answer: status, headers and the body as JSON (or text when it was not JSON). */
export interface HttpFailure {
  status: number;
  headers?: HeaderBag;
  body: unknown;
}

/** Server detail quoted in messages is cut at this length so a long HTML error page stays readable. */
const MAX_DETAIL_CHARS = 300;

/** Zhipu (BigModel / Z.ai) business codes → kinds (wire reference §8). */
const ZHIPU_CODES: Record<string, ErrorKind> = {
  '401': 'auth',
  '1000': 'auth',
  '1001': 'auth',
  '1002': 'auth',
  '1003': 'auth',
  '1004': 'auth',
  '1113': 'quota',
  '1211': 'model_not_found',
  '1261': 'context_length',
  '1301': 'content_filter',
  '1302': 'rate_limit',
  '1303': 'rate_limit',
  '1304': 'quota',
  '1305': 'overloaded',
  '1308': 'quota',
  '1310': 'quota',
};

/** OpenAI-family string codes and types (OpenAI, Groq, DashScope compatible mode, Llama API…). */
const STRING_CODES: Record<string, ErrorKind> = {
  invalid_api_key: 'auth',
  insufficient_quota: 'quota',
  arrearage: 'quota',
  rate_limit_exceeded: 'rate_limit',
  limit_requests: 'rate_limit',
  'throttling.ratequota': 'rate_limit',
  'throttling.allocationquota': 'rate_limit',
  model_not_found: 'model_not_found',
  modelnotfound: 'model_not_found',
  context_length_exceeded: 'context_length',
  content_policy_violation: 'content_filter',
  content_filter: 'content_filter',
  data_inspection_failed: 'content_filter',
  capacity_exceeded: 'overloaded',
  serviceunavailable: 'overloaded',
};

/** Google RPC statuses (Gemini). */
const GOOGLE_STATUS: Record<string, ErrorKind> = {
  UNAUTHENTICATED: 'auth',
  PERMISSION_DENIED: 'auth',
  NOT_FOUND: 'model_not_found',
  RESOURCE_EXHAUSTED: 'rate_limit',
  UNAVAILABLE: 'overloaded',
  DEADLINE_EXCEEDED: 'timeout',
  INTERNAL: 'server',
  INVALID_ARGUMENT: 'bad_request',
  FAILED_PRECONDITION: 'bad_request',
};

const CONTEXT_WORDS = /context length|context window|maximum context|too many tokens|exceeds the maximum number of tokens|reduce the length|input length|prompt is too long|超长/i;

/** Kinds that the same provider can serve later. */
const RETRYABLE: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['rate_limit', 'server', 'overloaded', 'network', 'timeout', 'bad_response']);

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  // Bearer tokens echoed back by a proxy or server, whatever they are.
  return out.replace(/(Bearer\s+)[A-Za-z0-9._\-~+/]{8,}=*/gi, '$1***');
}

interface VendorFacts {
  message?: string;
  code?: string;
  type?: string;
  googleStatus?: string;
  googleReason?: string;
  quotaIds: string[];
  details?: unknown;
}

/** Reads code/message/type out of any vendor's error body shape. */
export function vendorFacts(body: unknown): VendorFacts {
  const facts: VendorFacts = { quotaIds: [] };
  let node: unknown = Array.isArray(body) ? body[0] : body; // Gemini sends [{"error":{…}}]
  if (typeof node === 'string') {
    facts.message = node;
    return facts;
  }
  if (!node || typeof node !== 'object') return facts;
  const obj = node as Record<string, unknown>;
  if (obj.success === false && typeof obj.error === 'string') {
    facts.message = obj.error; // the simple NPU shape
    return facts;
  }
  const err = obj.error ?? (obj.object === 'error' ? obj : undefined);
  if (typeof err === 'string') {
    facts.message = err; // Ollama native: {"error":"model 'x' not found"}
    return facts;
  }
  if (!err || typeof err !== 'object') {
    if (typeof obj.message === 'string') facts.message = obj.message;
    return facts;
  }
  const e = err as Record<string, unknown>;
  if (typeof e.message === 'string') facts.message = e.message;
  if (e.code !== undefined && e.code !== null) facts.code = String(e.code);
  if (typeof e.type === 'string') facts.type = e.type;
  if (typeof e.status === 'string') facts.googleStatus = e.status;
  if (Array.isArray(e.details)) {
    facts.details = e.details;
    for (const d of e.details as Record<string, unknown>[]) {
      if (typeof d?.reason === 'string') facts.googleReason = d.reason;
      if (Array.isArray(d?.violations)) for (const v of d.violations as Record<string, unknown>[]) if (typeof v?.quotaId === 'string') facts.quotaIds.push(v.quotaId);
    }
  }
  return facts;
}

function kindFromFacts(status: number, f: VendorFacts, vendor: string): ErrorKind | undefined {
  if (vendor === 'zhipu' && f.code && ZHIPU_CODES[f.code]) return ZHIPU_CODES[f.code];
  if (f.googleReason === 'API_KEY_INVALID') return 'auth';
  if (f.googleStatus === 'RESOURCE_EXHAUSTED' && f.quotaIds.some((q) => /PerDay/i.test(q))) return 'quota';
  if (f.googleStatus && GOOGLE_STATUS[f.googleStatus]) {
    const k = GOOGLE_STATUS[f.googleStatus]!;
    if (k === 'bad_request' && f.message && CONTEXT_WORDS.test(f.message)) return 'context_length';
    return k;
  }
  for (const key of [f.code, f.type]) {
    const k = key ? STRING_CODES[key.toLowerCase()] : undefined;
    if (k) return k;
  }
  if (f.message && CONTEXT_WORDS.test(f.message) && (status === 400 || status === 413 || status === 0)) return 'context_length';
  if (vendor === 'ollama' && f.message) {
    if (/not found/i.test(f.message)) return 'model_not_found';
    if (/server busy|maximum pending requests/i.test(f.message)) return 'overloaded';
  }
  return undefined;
}

function kindFromStatus(status: number): ErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'model_not_found';
  if (status === 408) return 'timeout';
  if (status === 413) return 'context_length';
  if (status === 429) return 'rate_limit';
  if (status === 498 || status === 503 || status === 529) return 'overloaded';
  if (status >= 500) return 'server';
  if (status >= 400) return 'bad_request';
  return 'unknown';
}

function fmtSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/**
 * The fix of a rejected key, as data: where to set it is the surface's to say (the CLI names the
 * environment variable, VS Code offers Set API Key), so no core message names either.
 */
export function setKeyFix(ctx: Pick<ErrorContext, 'providerId' | 'endpoint'>): Fix {
  let origin: string | undefined;
  try {
    origin = ctx.endpoint ? originOf(ctx.endpoint) : undefined;
  } catch {
    origin = undefined;
  }
  return { action: 'set_key', provider: ctx.providerId, ...(origin ? { origin } : {}) };
}

function fixFor(kind: ErrorKind, ctx: ErrorContext): { fix?: Fix } {
  return kind === 'auth' ? { fix: setKeyFix(ctx) } : {};
}

function sentence(kind: ErrorKind, ctx: ErrorContext, status: number | undefined, code: string | undefined, detail: string | undefined, retryAfter: number | undefined): string {
  const who = ctx.label;
  const tag = [status, code && String(code) !== String(status) ? code : undefined].filter(Boolean).join(' ');
  const said = detail ? `: ${detail}` : '';
  const model = ctx.model ? `'${ctx.model}'` : 'the model';
  switch (kind) {
    case 'auth':
      return ctx.local
        ? `${who} refused the request (${tag || 'unauthorized'}${said}). Check the token configured for it.`
        : `${who} rejected the API key (${tag || 'unauthorized'}${said}).`;
    case 'rate_limit':
      return `${who} is rate-limiting requests (${tag}${said})${retryAfter !== undefined ? `; retry in ${fmtSeconds(retryAfter)}` : ''}.`;
    case 'quota':
      return `${who} says the quota or balance is used up (${tag}${said}). Add credit, wait for the quota to reset, or use another provider.`;
    case 'model_not_found':
      return ctx.vendor === 'ollama'
        ? `Ollama does not have the model ${model}. Run 'ollama pull ${ctx.model ?? '<model>'}' or choose an installed model.`
        : `${who} has no model ${model}, or the key cannot use it (${tag}${said}). Check the model name in the provider's settings.`;
    case 'context_length':
      return `The conversation is too long for ${model} at ${who} (${tag}${said}). Shorten it or pick a model with a larger context window.`;
    case 'content_filter':
      return `${who}'s content filter refused the request (${tag}${said}). Rephrase it or use another provider.`;
    case 'overloaded':
      return `${who} is overloaded (${tag}${said}). Try again shortly or use another provider.`;
    case 'server':
      return `${who} had a server error (${tag}${said}). Try again or use another provider.`;
    case 'timeout':
      return `${who} did not answer within ${ctx.timeoutMs !== undefined ? fmtSeconds(ctx.timeoutMs) : 'the time limit'}${said}.`;
    case 'bad_request':
      return `${who} rejected the request (${tag}${said}).`;
    default:
      return `${who} failed (${tag}${said}).`;
  }
}

/** Classifies an HTTP error answer of any vendor. */
export function classifyHttpFailure(f: HttpFailure, ctx: ErrorContext): NormalizedError {
  const facts = vendorFacts(f.body);
  const kind = kindFromFacts(f.status, facts, ctx.vendor) ?? kindFromStatus(f.status);
  const retryAfter = kind === 'rate_limit' || kind === 'overloaded' || kind === 'quota' ? retryAfterMs(f.headers, { message: facts.message, geminiDetails: facts.details }) : undefined;
  const rawDetail = facts.message ?? (typeof f.body === 'string' ? f.body : undefined);
  const detail = rawDetail ? clip(redact(rawDetail.trim(), ctx.secrets)) : undefined;
  // Gemini repeats the HTTP status as `code`; its meaningful code is the RPC status word.
  const code = facts.googleStatus ?? facts.code ?? facts.type;
  return {
    kind,
    message: sentence(kind, ctx, f.status, code, kind === 'model_not_found' && ctx.vendor === 'ollama' ? undefined : detail, retryAfter),
    provider: ctx.providerId,
    model: ctx.model,
    status: f.status,
    providerCode: code,
    retryAfterMs: retryAfter,
    retryable: RETRYABLE.has(kind),
    ...fixFor(kind, ctx),
    ...withRateLimit(rateLimitHeaders(f.headers)),
  };
}

function withRateLimit(rateLimit: RateLimitHeaders | undefined): { rateLimit?: RateLimitHeaders } {
  return rateLimit ? { rateLimit } : {};
}

function clip(s: string): string {
  return s.length > MAX_DETAIL_CHARS ? `${s.slice(0, MAX_DETAIL_CHARS)}…` : s;
}

/** Socket-level error codes (Node/undici) → a short human cause. */
const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'the connection closed mid-answer',
  UND_ERR_CLOSED: 'the connection closed',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted (self-signed in chain)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted (self-signed)',
};

/** Walks `cause` chains for a Node error code. */
function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES[code] || /^E[A-Z]+$|^UND_ERR|CERT|SIGNATURE/.test(code))) return code;
    const errors = (e as { errors?: unknown[] }).errors; // AggregateError from happy-eyeballs connects
    if (Array.isArray(errors) && errors[0]) {
      const c = errorCode(errors[0]);
      if (c) return c;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The messages along an error's `cause` chain, for causes that carry no code (undici's "unexpected redirect"). */
function causeText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string') parts.push(m);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(' | ');
}

function networkError(ctx: ErrorContext, cause: string): NormalizedError {
  const where = ctx.endpoint ? ` at ${ctx.endpoint}` : '';
  const hint = ctx.vendor === 'ollama' && /refused/.test(cause)
    ? " Is Ollama running? Start it with 'ollama serve'."
    : ctx.local
      ? ' Is the local server running?'
      : ' Check the network, or the proxy settings (switchyard.network.proxy).';
  return { kind: 'network', message: `Cannot reach ${ctx.label}${where} (${cause}).${hint}`, provider: ctx.providerId, model: ctx.model, retryable: true };
}

/** The idle timeout after text had streamed: the answer stalled, it did not fail to start. */
function stalledMidAnswer(ctx: ErrorContext): string {
  const limit = ctx.timeoutMs !== undefined ? fmtSeconds(ctx.timeoutMs) : 'the time limit';
  return `${ctx.label} stopped sending mid-answer: nothing came for ${limit}. The text so far is kept; try again, or raise switchyard.providers.${ctx.providerId}.timeoutMs if this model pauses that long.`;
}

export interface ClassifyExtra {
  /** The request's AbortSignal: an error after it fired is a cancellation, whatever it looks like. */
  signal?: AbortSignal;
  /** Our own idle timer fired. */
  timedOut?: boolean;
  /** The error answer's body as read off the wire (the SDK drops Gemini's array bodies). */
  httpFailure?: HttpFailure;
  /** Text had already streamed when this happened (a broken stream, not a failed request). */
  midStream?: boolean;
}

/** Classifies anything a provider call can throw. */
export function classifyError(err: unknown, ctx: ErrorContext, extra: ClassifyExtra = {}): NormalizedError {
  if (err instanceof SwitchyardError) return err.info;
  if (extra.timedOut) {
    const message = extra.midStream ? stalledMidAnswer(ctx) : sentence('timeout', ctx, undefined, undefined, undefined, undefined);
    return { kind: 'timeout', message, provider: ctx.providerId, model: ctx.model, retryable: true };
  }
  if (extra.signal?.aborted || isAbort(err)) return cancelled(ctx);
  if (extra.httpFailure) return classifyHttpFailure(extra.httpFailure, ctx);

  const e = err as Record<string, unknown> & Error;
  const name = e?.constructor?.name ?? e?.name;
  // openai SDK: APIError with a status carries the parsed `error` object and headers.
  if (typeof e?.status === 'number' && e.status > 0) {
    return classifyHttpFailure({ status: e.status, headers: e.headers as HeaderBag, body: e.error !== undefined ? { error: e.error } : e.message }, ctx);
  }
  // ollama-js ResponseError
  if (e?.name === 'ResponseError' && typeof e.status_code === 'number') {
    return classifyHttpFailure({ status: e.status_code, body: { error: e.error ?? e.message } }, ctx);
  }
  if (name === 'APIConnectionTimeoutError') return classifyError(err, ctx, { timedOut: true });
  // openai SDK: an `error` object inside the SSE stream (status undefined).
  if (name === 'APIError' && e.error && typeof e.error === 'object') {
    const facts = vendorFacts({ error: e.error });
    const kind = kindFromFacts(0, facts, ctx.vendor) ?? 'server';
    const detail = facts.message ? clip(redact(facts.message, ctx.secrets)) : undefined;
    return { kind, message: sentence(kind, ctx, undefined, facts.code, detail, undefined), provider: ctx.providerId, model: ctx.model, providerCode: facts.code, retryable: RETRYABLE.has(kind), ...fixFor(kind, ctx) };
  }
  if (/redirect/i.test(causeText(err))) {
    return {
      kind: 'bad_response',
      message: `${ctx.label} answered with a redirect. Switchyard does not follow redirects, so a key is never sent to another address: check the base URL${ctx.endpoint ? ` (${ctx.endpoint})` : ''}.`,
      provider: ctx.providerId,
      model: ctx.model,
      retryable: false,
    };
  }
  const code = errorCode(err);
  if (code) return networkError(ctx, NETWORK_CODES[code] ?? code);
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  if (err instanceof SyntaxError || /Did not receive done|Unexpected (token|end)|invalid json|malformed/i.test(msg)) {
    return { kind: 'bad_response', message: `${ctx.label} sent a malformed or incomplete answer (${clip(redact(msg, ctx.secrets))}). Try again or use another provider.`, provider: ctx.providerId, model: ctx.model, retryable: true };
  }
  if (name === 'Error' && ctx.vendor === 'ollama' && msg) {
    // ollama-js turns an in-stream {"error":"…"} line into a plain Error(message).
    const kind = kindFromFacts(200, { message: msg, quotaIds: [] }, 'ollama') ?? 'server';
    return { kind, message: sentence(kind, ctx, undefined, undefined, clip(redact(msg, ctx.secrets)), undefined), provider: ctx.providerId, model: ctx.model, retryable: RETRYABLE.has(kind) };
  }
  if (/terminated|other side closed|socket hang up|premature close/i.test(msg)) {
    return networkError(ctx, extra.midStream ? 'the connection closed mid-answer' : 'the connection closed');
  }
  if (/fetch failed|Connection error/i.test(msg)) return networkError(ctx, 'connection failed');
  return { kind: 'unknown', message: `${ctx.label} failed: ${clip(redact(msg, ctx.secrets))}`, provider: ctx.providerId, model: ctx.model, retryable: false };
}

export function cancelled(ctx: ErrorContext): NormalizedError {
  return { kind: 'cancelled', message: 'Cancelled.', provider: ctx.providerId, model: ctx.model, retryable: false };
}

function isAbort(err: unknown): boolean {
  const e = err as { name?: string; constructor?: { name?: string } };
  return e?.name === 'AbortError' || e?.constructor?.name === 'APIUserAbortError';
}

/** A SwitchyardError for a failure we detect ourselves (missing key, stream ended early…). */
export function providerFailure(kind: ErrorKind, message: string, ctx: ErrorContext, extra: Partial<NormalizedError> = {}): SwitchyardError {
  return new SwitchyardError({ kind, message: redact(message, ctx.secrets), provider: ctx.providerId, model: ctx.model, retryable: RETRYABLE.has(kind), ...extra });
}

/**
 * A protocol-faithful OpenAI-compatible server (SSE chat completions, legacy /completions with
 * `suffix`, /models), parameterised by the quirks of each vendor as documented in
 * /work/shared/docs/provider-wire-reference.md §1 (Ollama /v1), §4 OpenAI, §5 Groq, §6 Gemini,
 * §7 DashScope, §8 Zhipu. Error bodies and headers are each vendor's real ones (see `vendorError`).
 *
 * Standalone (the re-export in test/servers/): `npx tsx test/servers/openaiCompatible.ts --port 8080 --vendor groq --key gsk_test`
 * prints the base URL to use.
 */
import type http from 'node:http';
import {
  type Chunking,
  type ErrorReply,
  type RecordedRequest,
  type ServerHandle,
  countPromptTokens,
  sendError,
  sendJson,
  splitTokens,
  startHttpServer,
  writeStream,
} from './http';

export type VendorName = 'openai' | 'groq' | 'dashscope' | 'zhipu' | 'gemini' | 'llama' | 'ollama-openai' | 'custom';

/** Where a vendor puts usage in a stream. */
type UsagePlacement =
  | 'usage_chunk_with_opt_in' // OpenAI, DashScope, vLLM, Ollama /v1: a `choices:[]` chunk only with stream_options.include_usage
  | 'finish_chunk' // Zhipu: `usage` on the chunk that carries finish_reason, always
  | 'x_groq' // Groq: `x_groq.usage` on the finish chunk, always (plus the opt-in usage chunk)
  | 'every_chunk'; // Gemini: cumulative `usage` on every chunk

interface VendorProfile {
  /** The path prefix the real service lives under; the returned baseUrl includes it. */
  basePath: string;
  usage: UsagePlacement;
  /** Field of `delta` that carries parsed reasoning text. */
  reasoningField: 'reasoning_content' | 'reasoning' | null;
  /** How the request asks for reasoning, and whether reasoning is on. */
  thinkingMode(body: any): 'field' | 'inline' | 'none';
  logprobs: 'supported' | 'rejected' | 'ignored';
  obfuscation: boolean;
  /** Headers sent on every response (rate-limit counters etc.). */
  everyResponseHeaders(): Record<string, string>;
  /** Chunks lack `object` (older Zhipu). */
  omitObject: boolean;
  /** /models lists ids with this prefix (Gemini says "models/gemini-2.5-flash"). */
  modelIdPrefix: string;
  idFor(): string;
}

let seq = 0;
const nextId = () => `${Date.now().toString(36)}${(++seq).toString(36)}`;

const openAiRateHeaders = () => ({
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-limit-tokens': '200000',
  'x-ratelimit-remaining-requests': '9999',
  'x-ratelimit-remaining-tokens': '199000',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-reset-tokens': '300ms',
  'x-request-id': `req_${nextId()}`,
  'openai-processing-ms': '42',
});

export const VENDORS: Record<VendorName, VendorProfile> = {
  openai: {
    basePath: '/v1',
    usage: 'usage_chunk_with_opt_in',
    reasoningField: null, // OpenAI chat completions never stream reasoning text, only count it
    thinkingMode: () => 'none',
    logprobs: 'supported',
    obfuscation: true,
    everyResponseHeaders: openAiRateHeaders,
    omitObject: false,
    modelIdPrefix: '',
    idFor: () => `chatcmpl-${nextId()}`,
  },
  llama: {
    basePath: '/compat/v1',
    usage: 'usage_chunk_with_opt_in',
    reasoningField: null,
    thinkingMode: () => 'none',
    logprobs: 'supported',
    obfuscation: false,
    everyResponseHeaders: () => ({}),
    omitObject: false,
    modelIdPrefix: '',
    idFor: () => `chatcmpl-${nextId()}`,
  },
  groq: {
    basePath: '/openai/v1',
    usage: 'x_groq',
    reasoningField: 'reasoning',
    // reasoning_format parsed (or include_reasoning) → delta.reasoning; raw → <think> in content; hidden → nothing.
    thinkingMode: (b) =>
      b.reasoning_format === 'parsed' || b.include_reasoning === true ? 'field' : b.reasoning_format === 'hidden' || b.include_reasoning === false ? 'none' : 'inline',
    logprobs: 'rejected',
    obfuscation: false,
    everyResponseHeaders: () => ({
      'x-ratelimit-limit-requests': '1000',
      'x-ratelimit-limit-tokens': '12000',
      'x-ratelimit-remaining-requests': '999',
      'x-ratelimit-remaining-tokens': '11000',
      'x-ratelimit-reset-requests': '2m59.56s',
      'x-ratelimit-reset-tokens': '7.66s',
      'x-request-id': `req_${nextId()}`,
    }),
    omitObject: false,
    modelIdPrefix: '',
    idFor: () => `chatcmpl-${nextId()}`,
  },
  dashscope: {
    basePath: '/compatible-mode/v1',
    usage: 'usage_chunk_with_opt_in',
    reasoningField: 'reasoning_content',
    thinkingMode: (b) => (b.enable_thinking === true ? 'field' : 'none'),
    logprobs: 'supported',
    obfuscation: false,
    everyResponseHeaders: () => ({}),
    omitObject: false,
    modelIdPrefix: '',
    idFor: () => `chatcmpl-${nextId()}`,
  },
  zhipu: {
    basePath: '/api/paas/v4',
    usage: 'finish_chunk',
    reasoningField: 'reasoning_content',
    // GLM-4.5+ think by default; only `thinking:{type:"disabled"}` turns it off.
    thinkingMode: (b) => (b.thinking?.type === 'disabled' ? 'none' : 'field'),
    logprobs: 'ignored',
    obfuscation: false,
    everyResponseHeaders: () => ({}),
    omitObject: true,
    modelIdPrefix: '',
    idFor: () => `2025${Date.now()}${++seq}`,
  },
  gemini: {
    basePath: '/v1beta/openai',
    usage: 'every_chunk',
    reasoningField: null, // thoughts are not returned without extra_body include_thoughts
    thinkingMode: () => 'none',
    logprobs: 'ignored',
    obfuscation: false,
    everyResponseHeaders: () => ({}),
    omitObject: false,
    modelIdPrefix: 'models/',
    idFor: () => nextId(),
  },
  'ollama-openai': {
    basePath: '/v1',
    usage: 'usage_chunk_with_opt_in',
    reasoningField: 'reasoning',
    thinkingMode: (b) => {
      const effort = b.reasoning_effort ?? b.reasoning?.effort;
      return effort && effort !== 'none' ? 'field' : 'none';
    },
    logprobs: 'supported',
    obfuscation: false,
    everyResponseHeaders: () => ({}),
    omitObject: false,
    modelIdPrefix: '',
    idFor: () => `chatcmpl-${Math.floor(Math.random() * 1000)}`,
  },
  custom: {
    basePath: '/v1',
    usage: 'usage_chunk_with_opt_in',
    reasoningField: 'reasoning_content', // vLLM and llama.cpp server
    thinkingMode: (b) => (b.chat_template_kwargs?.enable_thinking === false ? 'none' : 'field'),
    logprobs: 'supported',
    obfuscation: false,
    everyResponseHeaders: () => ({}),
    omitObject: false,
    modelIdPrefix: '',
    idFor: () => `chatcmpl-${nextId()}`,
  },
};

export type ErrorPreset =
  | 'auth'
  | 'missing_auth'
  | 'rate_limit'
  | 'quota'
  | 'daily_limit'
  | 'model_not_found'
  | 'context_length'
  | 'content_filter'
  | 'overloaded'
  | 'server'
  | 'logprobs_unsupported'
  | 'thinking_non_stream';

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
  chunking?: Chunking;
}

/**
 * What a server does with `suffix` on /completions: Ollama /v1 applies the model's FIM template
 * ("honoured"); llama.cpp's server and LM Studio accept and drop it, so the model sees the prefix
 * alone ("ignored"); vLLM answers 400 "suffix is not currently supported" ("rejected").
 */
export type SuffixSupport = 'honoured' | 'ignored' | 'rejected';

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
}

export interface OpenAICompatibleServer extends ServerHandle {
  vendor: VendorName;
  /** url + the vendor's base path, e.g. "http://127.0.0.1:PORT/openai/v1": give this to the SDK. */
  baseUrl: string;
  models: string[];
  /** Uses `reply` for the next chat/completions request only (queued, first in first out). */
  enqueue(reply: ChatReply): void;
  setReply(reply: ChatReply | ((rec: RecordedRequest) => ChatReply)): void;
}

const DEFAULT_TEXT = 'Hello from the test server.';
const DEFAULT_LOGPROB = -0.05;

export async function startOpenAICompatibleServer(options: OpenAICompatibleServerOptions = {}): Promise<OpenAICompatibleServer> {
  const vendor = options.vendor ?? 'openai';
  const profile = VENDORS[vendor];
  const apiKey = options.apiKey === undefined ? 'test-key' : options.apiKey;
  const models = options.models ?? [defaultModel(vendor)];
  let reply = options.reply ?? {};
  const queue: ChatReply[] = [];

  const handle = await startHttpServer(async (req, res, rec) => {
    await handleOpenAIRoute(req, res, rec, {
      vendor,
      apiKey,
      models,
      nextReply: () => queue.shift() ?? (typeof reply === 'function' ? reply(rec) : reply),
      pathPrefix: profile.basePath,
      suffix: options.suffix ?? 'honoured',
    });
  }, options.port);

  return Object.assign(handle, {
    vendor,
    baseUrl: handle.url + profile.basePath,
    models,
    enqueue: (r: ChatReply) => void queue.push(r),
    setReply: (r: ChatReply | ((rec: RecordedRequest) => ChatReply)) => {
      reply = r;
    },
  });
}

export interface OpenAIRouteContext {
  vendor: VendorName;
  apiKey: string | null;
  models: string[];
  nextReply(): ChatReply;
  pathPrefix: string;
  /** Default "honoured". */
  suffix?: SuffixSupport;
}

/** vLLM's reply to `suffix` on /v1/completions (its OpenAI-compatible server has no FIM). */
const SUFFIX_REJECTED: ErrorReply = {
  status: 400,
  body: { object: 'error', message: 'suffix is not currently supported', type: 'BadRequestError', param: null, code: 400 },
};

/**
 * Serves one OpenAI-compatible request. Exported so the Ollama double can serve its /v1 routes
 * with the "ollama-openai" profile. Returns false when the path is not an OpenAI route.
 */
export async function handleOpenAIRoute(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  rec: RecordedRequest,
  ctx: OpenAIRouteContext,
): Promise<boolean> {
  const profile = VENDORS[ctx.vendor];
  if (!rec.path.startsWith(ctx.pathPrefix)) {
    sendJson(res, 404, notFoundBody(ctx.vendor, rec.path));
    return false;
  }
  const route = rec.path.slice(ctx.pathPrefix.length);
  const base = profile.everyResponseHeaders();

  if (ctx.apiKey !== null) {
    const auth = req.headers.authorization;
    if (!auth) {
      send(res, vendorError(ctx.vendor, 'missing_auth'), base);
      return true;
    }
    if (auth !== `Bearer ${ctx.apiKey}`) {
      send(res, vendorError(ctx.vendor, 'auth', { key: auth.replace(/^Bearer\s+/i, '') }), base);
      return true;
    }
  }

  if (req.method === 'GET' && route === '/models') {
    sendJson(
      res,
      200,
      {
        object: 'list',
        data: ctx.models.map((id) => ({ id: profile.modelIdPrefix + id, object: 'model', created: 1_700_000_000, owned_by: ownerOf(ctx.vendor) })),
      },
      base,
    );
    return true;
  }
  if (req.method === 'POST' && (route === '/chat/completions' || route === '/completions')) {
    await serveCompletion(res, rec, ctx, route === '/completions', base);
    return true;
  }
  sendJson(res, 404, notFoundBody(ctx.vendor, rec.path), base);
  return false;
}

function send(res: http.ServerResponse, err: ErrorReply, base: Record<string, string>): void {
  sendError(res, { ...err, headers: { ...base, ...err.headers } });
}

async function serveCompletion(
  res: http.ServerResponse,
  rec: RecordedRequest,
  ctx: OpenAIRouteContext,
  legacy: boolean,
  base: Record<string, string>,
): Promise<void> {
  const profile = VENDORS[ctx.vendor];
  const body = rec.body;
  if (!body || typeof body !== 'object') {
    send(res, { status: 400, body: { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } } }, base);
    return;
  }
  const model = String(body.model ?? '').replace(/^models\//, '');
  const plan = ctx.nextReply();
  if (plan.error) {
    send(res, typeof plan.error === 'string' ? vendorError(ctx.vendor, plan.error, { model }) : plan.error, base);
    return;
  }
  if (!ctx.models.includes(model)) {
    send(res, vendorError(ctx.vendor, 'model_not_found', { model }), base);
    return;
  }
  if (legacy && body.suffix != null && ctx.suffix === 'rejected') {
    send(res, SUFFIX_REJECTED, base);
    return;
  }
  if (body.logprobs && profile.logprobs === 'rejected') {
    send(res, vendorError(ctx.vendor, 'logprobs_unsupported', { model }), base);
    return;
  }
  const stream = body.stream === true;
  const thinkingMode = plan.thinking ? profile.thinkingMode(body) : 'none';
  if (ctx.vendor === 'dashscope' && thinkingMode === 'field' && !stream) {
    send(res, vendorError('dashscope', 'thinking_non_stream', { model }), base);
    return;
  }

  const tokens = toTokens(plan.text ?? DEFAULT_TEXT);
  const thinking = thinkingMode === 'none' ? [] : toTokens(plan.thinking ?? []);
  // OpenAI reasoning models think without streaming the thoughts, but bill and count them.
  const hiddenReasoning = !profile.reasoningField && plan.thinking ? toTokens(plan.thinking).length : 0;
  const suffixSeen = ctx.suffix === 'ignored' ? '' : body.suffix ?? '';
  const promptText = legacy ? `${body.prompt ?? ''}${suffixSeen}` : (body.messages ?? []).map((m: any) => String(m.content ?? '')).join('\n');
  const promptTokens = plan.promptTokens ?? countPromptTokens(promptText);
  const wantLogprobs = body.logprobs && profile.logprobs === 'supported';
  const finish = plan.finishReason ?? 'stop';
  const id = profile.idFor();
  const created = Math.floor(Date.now() / 1000);

  const usageAt = (outputSoFar: number, thinkingSoFar: number) =>
    usageObject(ctx.vendor, promptTokens, outputSoFar + thinkingSoFar + hiddenReasoning, thinkingSoFar + hiddenReasoning, plan.cachedTokens);

  if (!stream) {
    const text = (thinkingMode === 'inline' && thinking.length ? `<think>${thinking.join('')}</think>` : '') + tokens.join('');
    const message: Record<string, unknown> = { role: 'assistant', content: text };
    if (thinkingMode === 'field' && profile.reasoningField) message[profile.reasoningField] = thinking.join('');
    const choice = legacy
      ? { text, index: 0, logprobs: null, finish_reason: finish }
      : { index: 0, message, logprobs: wantLogprobs ? { content: tokens.map((t, i) => logprobEntry(t, plan.logprobs?.[i], body.top_logprobs)) } : null, finish_reason: finish };
    sendJson(
      res,
      200,
      {
        id,
        ...(profile.omitObject ? {} : { object: legacy ? 'text_completion' : 'chat.completion' }),
        created,
        model,
        choices: [choice],
        usage: usageAt(tokens.length, thinking.length),
      },
      { ...base, ...(ctx.vendor === 'dashscope' ? { 'x-request-id': id } : {}) },
    );
    rec.served = { promptTokens, outputTokens: tokens.length + thinking.length + hiddenReasoning };
    return;
  }

  const includeUsage = body.stream_options?.include_usage === true && !plan.omitUsage;
  const envelope = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id,
    ...(profile.omitObject ? {} : { object: legacy ? 'text_completion' : 'chat.completion.chunk' }),
    created,
    model,
    ...(ctx.vendor === 'openai' ? { service_tier: 'default', system_fingerprint: 'fp_test' } : {}),
    choices,
    ...extra,
  });
  const chunkExtra = (outSoFar: number, thinkSoFar: number, first: boolean): Record<string, unknown> => {
    const extra: Record<string, unknown> = {};
    if (ctx.vendor === 'openai' && includeUsage) extra.usage = null;
    if (profile.usage === 'every_chunk' && !plan.omitUsage) extra.usage = usageAt(outSoFar, thinkSoFar);
    if (ctx.vendor === 'groq' && first) extra.x_groq = { id: `req_${id}` };
    if (profile.obfuscation && body.stream_options?.include_obfuscation !== false) extra.obfuscation = 'q2Jx7a'.slice(0, 1 + (outSoFar % 6));
    return extra;
  };
  const frames: string[] = [];
  /** Output tokens each frame carries, for the served log (a frame counts once any byte of it is sent). */
  const frameTokens: number[] = [];
  const push = (obj: unknown, tokens = 0) => {
    frames.push(`data: ${JSON.stringify(obj)}\n\n`);
    frameTokens[frames.length - 1] = tokens;
  };
  const logServed = () => {
    let bytes = 0;
    let outputTokens = 0;
    for (let i = 0; i < frames.length && bytes < rec.bytesWritten; i++) {
      outputTokens += frameTokens[i] ?? 0;
      bytes += Buffer.byteLength(frames[i]!);
    }
    // The prompt is billed once the answer has started (status and headers sent).
    rec.served = { promptTokens, outputTokens: outputTokens + (outputTokens > 0 ? hiddenReasoning : 0) };
  };
  const choiceOf = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    legacy ? { text: delta.content ?? '', index: 0, logprobs: null, finish_reason: null, ...extra } : { index: 0, delta, logprobs: null, finish_reason: null, ...extra };

  if (!legacy) push(envelope([choiceOf({ role: 'assistant', content: '' })], chunkExtra(0, 0, true)));
  let thinkSoFar = 0;
  if (thinkingMode === 'inline' && thinking.length) {
    push(envelope([choiceOf({ content: '<think>' })], chunkExtra(0, 0, false)));
  }
  for (const t of thinking) {
    thinkSoFar++;
    const delta = thinkingMode === 'field' && profile.reasoningField ? { [profile.reasoningField]: t } : { content: t };
    push(envelope([choiceOf(delta)], chunkExtra(0, thinkSoFar, legacy && thinkSoFar === 1)), 1);
  }
  if (thinkingMode === 'inline' && thinking.length) push(envelope([choiceOf({ content: '</think>' })], chunkExtra(0, thinkSoFar, false)));
  tokens.forEach((t, i) => {
    const extra: Record<string, unknown> = {};
    if (wantLogprobs) {
      const entry = logprobEntry(t, plan.logprobs?.[i], body.top_logprobs);
      extra.logprobs = legacy ? { tokens: [t], token_logprobs: [entry.logprob], top_logprobs: null, text_offset: [0] } : { content: [entry], refusal: null };
    }
    push(envelope([choiceOf({ content: t }, extra)], chunkExtra(i + 1, thinkSoFar, legacy && i === 0 && thinkSoFar === 0)), 1);
  });
  if (plan.midStreamError !== undefined) {
    if (typeof plan.midStreamError === 'string') frames.push(`data: ${plan.midStreamError}\n\n`);
    else push(plan.midStreamError);
    await writeStream(res, rec, 200, sseHeaders(base), frames, plan.chunking);
    logServed();
    return;
  }
  const finishExtra = chunkExtra(tokens.length, thinkSoFar, false);
  if (profile.usage === 'finish_chunk' && !plan.omitUsage) finishExtra.usage = usageAt(tokens.length, thinkSoFar);
  if (profile.usage === 'x_groq' && !plan.omitUsage) finishExtra.x_groq = { id: `req_${id}`, usage: groqUsage(promptTokens, tokens.length + thinkSoFar) };
  push(envelope([choiceOf(legacy ? { content: '' } : {}, { finish_reason: finish })], finishExtra));
  if (includeUsage && profile.usage !== 'finish_chunk' && profile.usage !== 'every_chunk') {
    push(envelope([], { usage: usageAt(tokens.length, thinkSoFar), ...(profile.obfuscation ? { obfuscation: 'zz' } : {}) }));
  }
  frames.push('data: [DONE]\n\n');
  await writeStream(res, rec, 200, sseHeaders(base), frames, plan.chunking);
  logServed();
}

function sseHeaders(base: Record<string, string>): Record<string, string> {
  return { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', ...base };
}

function toTokens(t: string | string[]): string[] {
  return Array.isArray(t) ? t : splitTokens(t);
}

function logprobEntry(token: string, logprob = DEFAULT_LOGPROB, top?: number) {
  const bytes = [...Buffer.from(token, 'utf8')];
  return {
    token,
    logprob,
    bytes,
    top_logprobs: Array.from({ length: Math.max(0, Number(top) || 0) }, (_, k) =>
      k === 0 ? { token, logprob, bytes } : { token: `alt${k}`, logprob: logprob - k, bytes: [...Buffer.from(`alt${k}`)] },
    ),
  };
}

/** Usage as each vendor words it: cached and reasoning counts only where the vendor reports them. */
function usageObject(vendor: VendorName, prompt: number, completion: number, reasoning: number, cached?: number): Record<string, unknown> {
  const usage: Record<string, unknown> = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (vendor === 'openai' || vendor === 'dashscope') {
    usage.prompt_tokens_details = { cached_tokens: cached ?? 0 };
    usage.completion_tokens_details = { reasoning_tokens: reasoning };
  } else if (vendor === 'zhipu' && cached !== undefined) {
    usage.prompt_tokens_details = { cached_tokens: cached };
  }
  return usage;
}

function groqUsage(prompt: number, completion: number) {
  return {
    queue_time: 0.017,
    prompt_tokens: prompt,
    prompt_time: 0.002,
    completion_tokens: completion,
    completion_time: 0.05,
    total_tokens: prompt + completion,
    total_time: 0.052,
  };
}

function defaultModel(vendor: VendorName): string {
  return {
    openai: 'gpt-4o-mini',
    llama: 'Llama-3.3-70B-Instruct',
    groq: 'llama-3.3-70b-versatile',
    dashscope: 'qwen-plus',
    zhipu: 'glm-4-flash',
    gemini: 'gemini-2.5-flash',
    'ollama-openai': 'qwen2.5-coder:7b',
    custom: 'local-model',
  }[vendor];
}

function ownerOf(vendor: VendorName): string {
  return { openai: 'system', llama: 'meta', groq: 'Meta', dashscope: 'system', zhipu: 'z-ai', gemini: 'google', 'ollama-openai': 'library', custom: 'vllm' }[vendor];
}

function notFoundBody(vendor: VendorName, path: string): unknown {
  if (vendor === 'gemini') return [{ error: { code: 404, message: `Not found: ${path}`, status: 'NOT_FOUND' } }];
  if (vendor === 'ollama-openai') return '404 page not found';
  return { error: { message: `Invalid URL (POST ${path})`, type: 'invalid_request_error', param: null, code: null } };
}

/** Masks a key the way OpenAI's 401 message does ("sk-ab*****xyz"). */
function maskKey(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}*****${key.slice(-4)}`;
}

function zhipuError(status: number, code: string, message: string): ErrorReply {
  return { status, body: { error: { code, message } } };
}

function geminiError(status: number, statusText: string, message: string, details?: unknown[]): ErrorReply {
  return { status, body: [{ error: { code: status, message, status: statusText, ...(details ? { details } : {}) } }] };
}

const GEMINI_RETRY_DELAY = '32s';

/**
 * Each vendor's real error reply for a situation. Bodies follow the wire reference; where a vendor
 * has no such error (e.g. Gemini has no "missing_auth" distinct from "auth"), the nearest one is used.
 */
export function vendorError(vendor: VendorName, preset: ErrorPreset, ctx: { model?: string; key?: string } = {}): ErrorReply {
  const model = ctx.model ?? 'unknown-model';
  const oa = (status: number, message: string, type: string, code: string | null, param: string | null = null, headers?: Record<string, string>): ErrorReply => ({
    status,
    body: { error: { message, type, param, code } },
    headers,
  });
  switch (vendor) {
    case 'zhipu':
      switch (preset) {
        case 'auth':
          return zhipuError(401, '401', '令牌已过期或验证不正确');
        case 'missing_auth':
          return zhipuError(401, '1001', 'Header中未收到Authorization参数，无法进行身份验证。');
        case 'rate_limit':
          return zhipuError(429, '1302', '您当前使用该API的并发数过高，请降低并发，或联系客服增加限额。');
        case 'daily_limit':
          return zhipuError(429, '1304', '该API已达今日调用次数限额，如有更多需求，请联系客服购买。');
        case 'quota':
          return zhipuError(429, '1113', '您的账户已欠费，请充值后重试。');
        case 'overloaded':
          return zhipuError(429, '1305', '当前API请求过多，请稍后重试。');
        case 'content_filter':
          return zhipuError(400, '1301', '系统检测到输入或生成内容可能包含不安全或敏感内容，请您避免输入易产生敏感内容的提示语，感谢您的配合。');
        case 'model_not_found':
          return zhipuError(400, '1211', '模型不存在，请检查模型代码。');
        case 'context_length':
          return zhipuError(400, '1261', 'Prompt 超长');
        default:
          return zhipuError(500, '500', '服务内部错误');
      }
    case 'gemini':
      switch (preset) {
        case 'auth':
        case 'missing_auth':
          return geminiError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
            { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
          ]);
        case 'rate_limit':
        case 'daily_limit':
        case 'quota': {
          const perDay = preset !== 'rate_limit';
          return geminiError(
            429,
            'RESOURCE_EXHAUSTED',
            'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
            [
              {
                '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
                violations: [
                  {
                    quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
                    quotaId: perDay ? 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' : 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
                    quotaDimensions: { location: 'global', model },
                    quotaValue: perDay ? '250' : '10',
                  },
                ],
              },
              { '@type': 'type.googleapis.com/google.rpc.Help', links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
              { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: GEMINI_RETRY_DELAY },
            ],
          );
        }
        case 'model_not_found':
          return geminiError(
            404,
            'NOT_FOUND',
            `models/${model} is not found for API version v1main, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
          );
        case 'context_length':
          return geminiError(400, 'INVALID_ARGUMENT', 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).');
        case 'overloaded':
          return geminiError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.');
        case 'content_filter':
        case 'logprobs_unsupported':
        case 'thinking_non_stream':
          return geminiError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unknown name "logprobs": Cannot find field.');
        default:
          return geminiError(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting');
      }
    case 'dashscope': {
      const ds = (status: number, message: string, type: string, code: string): ErrorReply => ({
        status,
        body: { error: { message, type, param: null, code }, request_id: `${nextId()}-ds` },
      });
      switch (preset) {
        case 'auth':
        case 'missing_auth':
          return ds(401, 'Incorrect API key provided. For details, see: https://help.aliyun.com/zh/model-studio/error-code#apikey-error', 'invalid_request_error', 'invalid_api_key');
        case 'rate_limit':
          return ds(429, 'Requests rate limit exceeded, please try again later.', 'limit_requests', 'limit_requests');
        case 'daily_limit':
          return ds(429, 'Allocated quota exceeded, please increase your quota limit.', 'limit_requests', 'limit_requests');
        case 'quota':
          return ds(400, 'Access denied, please make sure your account is in good standing. For details, see: https://help.aliyun.com/zh/model-studio/error-code#overdue-payment', 'Arrearage', 'Arrearage');
        case 'model_not_found':
          return ds(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
        case 'context_length':
          return ds(400, 'Range of input length should be [1, 129024]', 'invalid_request_error', 'invalid_parameter_error');
        case 'content_filter':
          return ds(400, 'Input data may contain inappropriate content.', 'data_inspection_failed', 'data_inspection_failed');
        case 'thinking_non_stream':
          return ds(400, 'parameter.enable_thinking must be set to false for non-streaming calls', 'invalid_request_error', 'invalid_parameter_error');
        case 'overloaded':
          return ds(503, 'The service is temporarily unavailable, please try again later.', 'ServiceUnavailable', 'ServiceUnavailable');
        case 'logprobs_unsupported':
          return ds(400, '<400> InternalError.Algo.InvalidParameter: logprobs is not supported', 'invalid_request_error', 'invalid_parameter_error');
        default:
          return ds(500, 'An internal error has occured, please try again later or contact service support.', 'internal_error', 'internal_error');
      }
    }
    case 'groq':
      switch (preset) {
        case 'auth':
        case 'missing_auth':
          return { status: 401, body: { error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' } } };
        case 'rate_limit':
          return {
            status: 429,
            body: {
              error: {
                message: `Rate limit reached for model \`${model}\` in organization \`org_01test\` service tier \`on_demand\` on tokens per minute (TPM): Limit 12000, Used 11423, Requested 1560. Please try again in 7.66s. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing`,
                type: 'tokens',
                code: 'rate_limit_exceeded',
              },
            },
            headers: { 'retry-after': '8', 'x-ratelimit-reset-tokens': '7.66s', 'x-ratelimit-remaining-tokens': '0' },
          };
        case 'daily_limit':
        case 'quota':
          return {
            status: 429,
            body: {
              error: {
                message: `Rate limit reached for model \`${model}\` in organization \`org_01test\` service tier \`on_demand\` on requests per day (RPD): Limit 1000, Used 1000, Requested 1. Please try again in 1m26.4s. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing`,
                type: 'requests',
                code: 'rate_limit_exceeded',
              },
            },
            headers: { 'retry-after': '87', 'x-ratelimit-reset-requests': '1m26.4s', 'x-ratelimit-remaining-requests': '0' },
          };
        case 'model_not_found':
          return { status: 404, body: { error: { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found' } } };
        case 'context_length':
          return { status: 400, body: { error: { message: 'Please reduce the length of the messages or completion.', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } } };
        case 'overloaded':
          return { status: 498, body: { error: { message: 'Flex tier capacity exceeded. This is a temporary error due to high demand.', type: 'invalid_request_error', code: 'capacity_exceeded' } } };
        case 'logprobs_unsupported':
          return { status: 400, body: { error: { message: "property 'logprobs' is unsupported", type: 'invalid_request_error' } } };
        case 'content_filter':
        case 'thinking_non_stream':
          return { status: 400, body: { error: { message: 'Bad request', type: 'invalid_request_error' } } };
        default:
          return { status: 500, body: { error: { message: 'Internal Server Error', type: 'internal_server_error' } } };
      }
    case 'ollama-openai':
      switch (preset) {
        case 'model_not_found':
          return oa(404, `model "${model}" not found, try pulling it first`, 'not_found_error', null);
        case 'overloaded':
          return oa(503, 'server busy, please try again.  maximum pending requests exceeded', 'api_error', null);
        case 'server':
          return oa(500, 'llama runner process has terminated: exit status 2', 'api_error', null);
        default:
          return oa(400, `invalid request: ${preset}`, 'invalid_request_error', null);
      }
    case 'custom':
      // vLLM's error shape: a top-level object, not wrapped in "error".
      switch (preset) {
        case 'auth':
        case 'missing_auth':
          return { status: 401, body: { error: 'Unauthorized' } };
        case 'model_not_found':
          return { status: 404, body: { object: 'error', message: `The model \`${model}\` does not exist.`, type: 'NotFoundError', param: null, code: 404 } };
        case 'context_length':
          return {
            status: 400,
            body: { object: 'error', message: "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens. Please reduce the length of the messages or completion.", type: 'BadRequestError', param: null, code: 400 },
          };
        default:
          return { status: 500, body: { object: 'error', message: 'Internal server error', type: 'InternalServerError', param: null, code: 500 } };
      }
    default: // openai, llama
      switch (preset) {
        case 'auth':
          return oa(401, `Incorrect API key provided: ${maskKey(ctx.key ?? '')}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_request_error', 'invalid_api_key');
        case 'missing_auth':
          return oa(
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
            'invalid_request_error',
            null,
          );
        case 'rate_limit':
          return oa(
            429,
            `Rate limit reached for ${model} in organization org-test on tokens per min (TPM): Limit 200000, Used 199500, Requested 1200. Please try again in 210ms. Visit https://platform.openai.com/account/rate-limits to learn more.`,
            'tokens',
            'rate_limit_exceeded',
            null,
            { 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '210ms', 'x-ratelimit-reset-requests': '6ms' },
          );
        case 'quota':
        case 'daily_limit':
          return oa(
            429,
            'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
            'insufficient_quota',
            'insufficient_quota',
          );
        case 'model_not_found':
          return oa(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
        case 'context_length':
          return oa(
            400,
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 130021 tokens. Please reduce the length of the messages.",
            'invalid_request_error',
            'context_length_exceeded',
            'messages',
          );
        case 'content_filter':
          return oa(400, 'Your request was rejected as a result of our safety system.', 'invalid_request_error', 'content_policy_violation');
        case 'overloaded':
          return oa(503, 'The engine is currently overloaded, please try again later', 'server_error', null);
        case 'logprobs_unsupported':
        case 'thinking_non_stream':
          return oa(400, 'Unsupported parameter', 'invalid_request_error', 'unsupported_parameter');
        default:
          return oa(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null);
      }
  }
}

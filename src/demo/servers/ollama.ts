/**
 * A protocol-faithful Ollama server: the native API (/api/chat, /api/generate, /api/tags, /api/ps,
 * /api/show, /api/version, /api/pull, /api/delete, /api/embed) with NDJSON streaming and Ollama's
 * `{"error":"…"}` bodies and statuses, plus the OpenAI-compatible /v1 routes with Ollama's quirks
 * (`reasoning` field). Behaviour follows /work/shared/docs/provider-wire-reference.md §1–2,
 * including version gating (`think` from 0.9.0, `logprobs` from 0.12.11: older servers silently
 * ignore the unknown field, as Go's JSON decoder does).
 *
 * Standalone (the re-export in test/servers/): `npx tsx test/servers/ollama.ts --port 11434 --models qwen2.5-coder:7b,llama3.2 --version 0.13.0`
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
import { handleCompatibleRoute } from './compatible/server';
import { ollamaOpenai } from './vendors/ollamaOpenai';

export interface OllamaModel {
  /** "name:tag"; ":latest" is added when the tag is missing. */
  name: string;
  /** Ollama's capability words: completion, insert, thinking, tools, vision, embedding. Default ["completion"]. */
  capabilities?: string[];
  family?: string;
  parameterSize?: string;
  quantization?: string;
  sizeBytes?: number;
  contextLength?: number;
}

/** Ollama durations are integers in nanoseconds. */
export interface OllamaDurationsNs {
  total?: number;
  load?: number;
  promptEval?: number;
  eval?: number;
}

export interface OllamaReply {
  /** Answer text: a string (split into word/CJK-character tokens) or explicit tokens, one NDJSON line each. */
  text?: string | string[];
  /** Thinking text, streamed first when the request has `think` and the model can think. */
  thinking?: string | string[];
  doneReason?: 'stop' | 'length';
  /** logprob per answer token (default -0.05). */
  logprobs?: number[];
  promptEvalCount?: number;
  evalCount?: number;
  durations?: OllamaDurationsNs;
  /** Reply with this error before streaming: `{status, error}` becomes `{"error": error}`. */
  error?: { status: number; error: string } | ErrorReply;
  /** After the answer tokens, send the NDJSON line `{"error": this}` (HTTP status stays 200). */
  midStreamError?: string;
  chunking?: Chunking;
}

export interface OllamaPullOptions {
  /** Names the registry has; default: any name can be pulled. */
  registry?: string[];
  /** Layers reported per pull; default one 2 GB layer and one small one. */
  layers?: { digest: string; total: number }[];
  /** Progress lines per layer with a growing `completed`. */
  progressSteps?: number;
  chunking?: Chunking;
}

export interface OllamaServerOptions {
  models?: (string | OllamaModel)[];
  /** Reported by /api/version; gates `think` (0.9.0) and `logprobs` (0.12.11). Default "0.13.0". */
  version?: string;
  reply?: OllamaReply | ((rec: RecordedRequest) => OllamaReply);
  pull?: OllamaPullOptions;
  /** Answer every generation with 503 "server busy" (queue full). */
  busy?: boolean;
  port?: number;
}

export interface OllamaServer extends ServerHandle {
  /** Installed models (mutable: pull adds, delete removes). */
  models: OllamaModel[];
  /** Names of loaded models (as /api/ps reports them). */
  loaded(): string[];
  /** The `options` of every /api/chat and /api/generate request, in order ({} when it sent none): num_ctx, num_predict… */
  optionsReceived(): Record<string, unknown>[];
  enqueue(reply: OllamaReply): void;
  setReply(reply: OllamaReply | ((rec: RecordedRequest) => OllamaReply)): void;
  setVersion(version: string): void;
  setBusy(busy: boolean): void;
}

/** Ollama's own defaults and version markers, from the wire reference. */
const DEFAULT_VERSION = '0.13.0';
const THINK_MIN_VERSION = '0.9.0';
const LOGPROBS_MIN_VERSION = '0.12.11';
/** OLLAMA_KEEP_ALIVE default. */
const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;
/** Ollama's num_ctx when a request sends none (4096 since 0.6): a longer prompt is cut to fit, silently. */
const DEFAULT_CONTEXT_LENGTH = 4096;
const DEFAULT_TEXT = 'Hello from Ollama.';
const DEFAULT_LOGPROB = -0.05;
const DEFAULT_DURATIONS: Required<OllamaDurationsNs> = { total: 1_500_000_000, load: 100_000_000, promptEval: 200_000_000, eval: 1_000_000_000 };
const BUSY_MESSAGE = 'server busy, please try again.  maximum pending requests exceeded';
const EMBEDDING_DIMENSIONS = 8;

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const withTag = (name: string) => (name.includes(':') ? name : `${name}:latest`);
const nowNs = () => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
const digestOf = (name: string) => {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(16).padStart(8, '0').repeat(8);
};

function normalizeModel(m: string | OllamaModel): OllamaModel {
  const spec = typeof m === 'string' ? { name: m } : m;
  return { capabilities: ['completion'], ...spec, name: withTag(spec.name) };
}

export async function startOllamaServer(options: OllamaServerOptions = {}): Promise<OllamaServer> {
  const models = (options.models ?? ['qwen2.5-coder:7b']).map(normalizeModel);
  let version = options.version ?? DEFAULT_VERSION;
  let busy = options.busy ?? false;
  let reply = options.reply ?? {};
  const queue: OllamaReply[] = [];
  /** name → expiry (ms since epoch; Infinity for a negative keep_alive). */
  const loaded = new Map<string, number>();

  const find = (name: unknown) => (typeof name === 'string' ? models.find((m) => m.name === withTag(name)) : undefined);
  const nextReply = (rec: RecordedRequest) => queue.shift() ?? (typeof reply === 'function' ? reply(rec) : reply);
  const touch = (m: OllamaModel, keepAlive: unknown) => {
    const ms = keepAliveMs(keepAlive);
    if (ms === 0) loaded.delete(m.name);
    else loaded.set(m.name, ms < 0 ? Infinity : Date.now() + ms);
  };

  const handle = await startHttpServer(async (req, res, rec) => {
    const { method, path } = rec;
    if (path === '/' && (method === 'GET' || method === 'HEAD')) return void sendJson(res, 200, 'Ollama is running');
    if (path.startsWith('/v1/')) {
      await handleCompatibleRoute(req, res, rec, {
        vendor: ollamaOpenai,
        apiKey: null,
        models: models.map((m) => m.name),
        pathPrefix: '/v1',
        nextReply: () => {
          const r = nextReply(rec);
          return { text: r.text, thinking: r.thinking, logprobs: r.logprobs, chunking: r.chunking, promptTokens: r.promptEvalCount };
        },
      });
      return;
    }
    if (method === 'GET' && path === '/api/version') return void sendJson(res, 200, { version });
    if (method === 'GET' && path === '/api/tags') return void sendJson(res, 200, { models: models.map(tagEntry) });
    if (method === 'GET' && path === '/api/ps') {
      const now = Date.now();
      for (const [n, exp] of loaded) if (exp <= now) loaded.delete(n);
      return void sendJson(res, 200, {
        models: [...loaded].flatMap(([n, exp]) => {
          const m = find(n);
          if (!m) return [];
          return [{ ...tagEntry(m), expires_at: new Date(exp === Infinity ? Date.UTC(2318, 0) : exp).toISOString(), size_vram: m.sizeBytes ?? 0, context_length: m.contextLength ?? DEFAULT_CONTEXT_LENGTH }];
        }),
      });
    }
    if (method === 'POST' && path === '/api/show') {
      const name = rec.body?.model ?? rec.body?.name;
      const m = find(name);
      if (!m) return void sendJson(res, 404, { error: `model '${name}' not found` });
      return void sendJson(res, 200, showEntry(m));
    }
    if (method === 'DELETE' && path === '/api/delete') {
      const name = rec.body?.model ?? rec.body?.name;
      const m = find(name);
      if (!m) return void sendJson(res, 404, { error: `model '${name}' not found` });
      models.splice(models.indexOf(m), 1);
      loaded.delete(m.name);
      res.writeHead(200, { 'Content-Length': 0 });
      return void res.end();
    }
    if (method === 'POST' && path === '/api/pull') return void (await servePull(res, rec, options.pull ?? {}, models));
    if (method === 'POST' && path === '/api/embed') {
      const m = find(rec.body?.model);
      if (!m) return void sendJson(res, 404, { error: `model "${rec.body?.model}" not found, try pulling it first` });
      const inputs: string[] = Array.isArray(rec.body.input) ? rec.body.input : [String(rec.body.input ?? '')];
      touch(m, rec.body.keep_alive);
      return void sendJson(res, 200, {
        model: m.name,
        embeddings: inputs.map((t) => embed(t, rec.body.dimensions ?? EMBEDDING_DIMENSIONS)),
        total_duration: DEFAULT_DURATIONS.total,
        load_duration: DEFAULT_DURATIONS.load,
        prompt_eval_count: inputs.reduce((n, t) => n + countPromptTokens(t), 0),
      });
    }
    if (method === 'POST' && (path === '/api/chat' || path === '/api/generate')) {
      const isChat = path === '/api/chat';
      const body = rec.body;
      if (!body) return void sendJson(res, 400, { error: 'missing request body' });
      if (busy) return void sendJson(res, 503, { error: BUSY_MESSAGE });
      const plan = nextReply(rec);
      if (plan.error) {
        const e = plan.error;
        return void sendError(res, 'error' in e ? { status: e.status, body: { error: e.error } } : e);
      }
      const m = find(body.model);
      if (!m) return void sendJson(res, 404, { error: `model '${body.model}' not found` });
      const caps = m.capabilities ?? [];
      const thinkSupported = compareVersions(version, THINK_MIN_VERSION) >= 0;
      const think = thinkSupported && body.think !== undefined && body.think !== false;
      if (think && !caps.includes('thinking')) return void sendJson(res, 400, { error: `"${body.model}" does not support thinking` });
      if (!isChat) {
        if (body.raw && (body.template || body.system || body.context)) return void sendJson(res, 400, { error: 'raw mode does not support template, system, or context' });
        if (body.suffix && !caps.includes('insert')) return void sendJson(res, 400, { error: `${m.name} does not support insert` });
      }
      if (!caps.includes('completion')) return void sendJson(res, 400, { error: `"${body.model}" does not support ${isChat ? 'chat' : 'generate'}` });

      // Empty messages / empty prompt only load (or, with keep_alive 0, unload) the model.
      const empty = isChat ? !Array.isArray(body.messages) || body.messages.length === 0 : !body.prompt && !body.suffix;
      if (empty) {
        touch(m, body.keep_alive);
        const unload = keepAliveMs(body.keep_alive) === 0;
        const line = { model: m.name, created_at: nowNs(), ...(isChat ? { message: { role: 'assistant', content: '' } } : { response: '' }), done_reason: unload ? 'unload' : 'load', done: true };
        if (body.stream === false) return void sendJson(res, 200, line);
        return void (await writeStream(res, rec, 200, { 'Content-Type': 'application/x-ndjson' }, [JSON.stringify(line) + '\n'], plan.chunking));
      }

      touch(m, body.keep_alive);
      const tokens = toTokens(plan.text ?? DEFAULT_TEXT);
      const thinking = think ? toTokens(plan.thinking ?? []) : [];
      const wantLogprobs = body.logprobs === true && compareVersions(version, LOGPROBS_MIN_VERSION) >= 0;
      const promptText = isChat ? body.messages.map((x: any) => String(x.content ?? '')).join('\n') : `${body.system ?? ''}${body.prompt ?? ''}${body.suffix ?? ''}`;
      // As Ollama does: a prompt longer than the context is truncated to it, and only that much is evaluated.
      const numCtx = Number(body.options?.num_ctx) > 0 ? Number(body.options.num_ctx) : DEFAULT_CONTEXT_LENGTH;
      const d = { ...DEFAULT_DURATIONS, ...plan.durations };
      const metrics = {
        total_duration: d.total,
        load_duration: d.load,
        prompt_eval_count: plan.promptEvalCount ?? Math.min(countPromptTokens(promptText), numCtx),
        prompt_eval_duration: d.promptEval,
        eval_count: plan.evalCount ?? tokens.length + thinking.length,
        eval_duration: d.eval,
      };
      const doneReason = plan.doneReason ?? 'stop';
      const lp = (t: string, i: number) => logprobEntry(t, plan.logprobs?.[i], body.top_logprobs);
      const chunk = (content: string, thinkingText?: string, logprobs?: unknown[]) => ({
        model: m.name,
        created_at: nowNs(),
        ...(isChat
          ? { message: { role: 'assistant', content, ...(thinkingText !== undefined ? { thinking: thinkingText } : {}) } }
          : { response: content, ...(thinkingText !== undefined ? { thinking: thinkingText } : {}) }),
        done: false,
        ...(logprobs ? { logprobs } : {}),
      });
      const final = {
        ...chunk(''),
        done: true,
        done_reason: doneReason,
        ...(!isChat && !body.raw ? { context: [1, 2, 3, tokens.length] } : {}),
        ...metrics,
      };

      if (body.stream === false) {
        const whole = chunk(tokens.join(''), thinking.length ? thinking.join('') : undefined, wantLogprobs ? tokens.map(lp) : undefined);
        return void sendJson(res, 200, { ...whole, ...final, ...(isChat ? { message: (whole as any).message } : { response: (whole as any).response }) });
      }
      const frames: string[] = [];
      for (const t of thinking) frames.push(JSON.stringify(chunk('', t)) + '\n');
      tokens.forEach((t, i) => frames.push(JSON.stringify(chunk(t, undefined, wantLogprobs ? [lp(t, i)] : undefined)) + '\n'));
      if (plan.midStreamError !== undefined) frames.push(JSON.stringify({ error: plan.midStreamError }) + '\n');
      else frames.push(JSON.stringify(final) + '\n');
      return void (await writeStream(res, rec, 200, { 'Content-Type': 'application/x-ndjson' }, frames, plan.chunking));
    }
    sendJson(res, 404, '404 page not found');
  }, options.port);

  return Object.assign(handle, {
    models,
    loaded: () => [...loaded.keys()],
    optionsReceived: () =>
      handle.requests.filter((r) => r.method === 'POST' && (r.path === '/api/chat' || r.path === '/api/generate') && r.body).map((r) => (r.body.options ?? {}) as Record<string, unknown>),
    enqueue: (r: OllamaReply) => void queue.push(r),
    setReply: (r: OllamaReply | ((rec: RecordedRequest) => OllamaReply)) => {
      reply = r;
    },
    setVersion: (v: string) => {
      version = v;
    },
    setBusy: (b: boolean) => {
      busy = b;
    },
  });
}

/** keep_alive: duration string ("10m", "30s", "1h"), seconds as a number, negative = forever, 0 = unload now. */
function keepAliveMs(v: unknown): number {
  if (v === undefined || v === null || v === '') return DEFAULT_KEEP_ALIVE_MS;
  if (typeof v === 'number') return v * 1000;
  const m = /^(-?\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(v).trim());
  if (!m) return DEFAULT_KEEP_ALIVE_MS;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return n * unit;
}

function tagEntry(m: OllamaModel) {
  return {
    name: m.name,
    model: m.name,
    modified_at: '2026-10-01T12:00:00.000000000Z',
    size: m.sizeBytes ?? 4_683_087_332,
    digest: digestOf(m.name),
    details: {
      parent_model: '',
      format: 'gguf',
      family: m.family ?? 'qwen2',
      families: [m.family ?? 'qwen2'],
      parameter_size: m.parameterSize ?? '7.6B',
      quantization_level: m.quantization ?? 'Q4_K_M',
    },
  };
}

function showEntry(m: OllamaModel) {
  const family = m.family ?? 'qwen2';
  return {
    license: 'Apache License 2.0',
    modelfile: `# Modelfile generated by "ollama show"\nFROM ${m.name}\n`,
    parameters: 'stop                           "<|im_end|>"',
    template: '{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}',
    details: tagEntry(m).details,
    model_info: {
      'general.architecture': family,
      'general.parameter_count': 7_615_616_512,
      [`${family}.context_length`]: m.contextLength ?? 32_768,
    },
    capabilities: m.capabilities ?? ['completion'],
    modified_at: '2026-10-01T12:00:00.000000000Z',
  };
}

async function servePull(res: http.ServerResponse, rec: RecordedRequest, opts: OllamaPullOptions, models: OllamaModel[]): Promise<void> {
  // ollama-js sends the deprecated `name`; the server takes either (cmp.Or(req.Model, req.Name)).
  const name = String(rec.body?.model || rec.body?.name || '');
  const known = !opts.registry || opts.registry.map(withTag).includes(withTag(name));
  const stream = rec.body?.stream !== false;
  const failure = 'pull model manifest: file does not exist';
  if (!name) return void sendJson(res, 400, { error: 'missing request body' });
  if (!stream) {
    if (!known) return void sendJson(res, 500, { error: failure });
    if (!models.some((m) => m.name === withTag(name))) models.push(normalizeModel(name));
    return void sendJson(res, 200, { status: 'success' });
  }
  const frames: string[] = [JSON.stringify({ status: 'pulling manifest' }) + '\n'];
  if (!known) {
    frames.push(JSON.stringify({ error: failure }) + '\n');
    return void (await writeStream(res, rec, 200, { 'Content-Type': 'application/x-ndjson' }, frames, opts.chunking));
  }
  const layers = opts.layers ?? [
    { digest: `sha256:6a0746a1ec1a${digestOf(name).slice(0, 52)}`, total: 2_019_377_376 },
    { digest: `sha256:4fa551d4f938${digestOf(name + 'l').slice(0, 52)}`, total: 12_403 },
  ];
  const steps = opts.progressSteps ?? 3;
  for (const layer of layers) {
    const status = `pulling ${layer.digest.slice(7, 19)}`;
    frames.push(JSON.stringify({ status, digest: layer.digest, total: layer.total }) + '\n');
    for (let s = 1; s <= steps; s++) {
      frames.push(JSON.stringify({ status, digest: layer.digest, total: layer.total, completed: Math.round((layer.total * s) / steps) }) + '\n');
    }
  }
  frames.push(JSON.stringify({ status: 'verifying sha256 digest' }) + '\n');
  frames.push(JSON.stringify({ status: 'writing manifest' }) + '\n');
  frames.push(JSON.stringify({ status: 'removing unused layers' }) + '\n');
  frames.push(JSON.stringify({ status: 'success' }) + '\n');
  // The model counts as installed only once the whole pull went through (a cancelled pull leaves nothing).
  const outcome = await writeStream(res, rec, 200, { 'Content-Type': 'application/x-ndjson' }, frames, opts.chunking);
  if (outcome === 'completed' && !models.some((m) => m.name === withTag(name))) models.push(normalizeModel(name));
}

function toTokens(t: string | string[]): string[] {
  return Array.isArray(t) ? t : splitTokens(t);
}

function logprobEntry(token: string, logprob = DEFAULT_LOGPROB, top?: number) {
  const bytes = [...Buffer.from(token, 'utf8')];
  const n = Math.max(0, Number(top) || 0);
  return {
    token,
    logprob,
    bytes,
    ...(n ? { top_logprobs: Array.from({ length: n }, (_, k) => (k === 0 ? { token, logprob, bytes } : { token: `alt${k}`, logprob: logprob - k, bytes: [...Buffer.from(`alt${k}`)] })) } : {}),
  };
}

/** A deterministic unit-length vector per text, so tests can compare embeddings. */
function embed(text: string, dims: number): number[] {
  const v = Array.from({ length: dims }, (_, i) => {
    let h = i + 1;
    for (const c of text) h = (h * 33 + c.charCodeAt(0)) % 1_000_003;
    return (h / 1_000_003) * 2 - 1;
  });
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

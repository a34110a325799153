/**
 * The management half of the Ollama API (version, tags, ps, show, pull, delete, load/unload),
 * over plain fetch so every call takes an AbortSignal — ollama-js cannot abort its non-streaming
 * calls. Chat and generate live in the Ollama provider; this file never sends a prompt.
 */
import { SwitchyardError, type ErrorKind } from '../types';
import { LineSplitter, parseNdjsonLine } from '../providers/lineSplitter';

/** A management call that takes longer than this is hung; /api/show on a cold disk is the slowest. */
export const ADMIN_TIMEOUT_MS = 10_000;
/** Liveness probes must answer fast: a local server that needs longer than this is not usable now. */
export const PROBE_TIMEOUT_MS = 1_500;
/**
 * Loading a model from disk can take minutes for a large model on a slow disk; Ollama itself
 * waits up to 5 min (OLLAMA_LOAD_TIMEOUT default) before giving up on a load.
 */
export const LOAD_TIMEOUT_MS = 5 * 60_000;

export interface ModelDetails {
  parent_model?: string;
  format?: string;
  family?: string;
  families?: string[] | null;
  parameter_size?: string;
  quantization_level?: string;
}

export interface TagModel {
  name: string;
  model: string;
  modified_at?: string;
  size: number;
  digest?: string;
  details?: ModelDetails;
}

export interface PsModel {
  name: string;
  model: string;
  /** Bytes the loaded model occupies (weights + KV cache + graph), RAM and VRAM together. */
  size: number;
  size_vram?: number;
  digest?: string;
  details?: ModelDetails;
  expires_at?: string;
  context_length?: number;
}

export interface ShowResponse {
  details?: ModelDetails;
  model_info?: Record<string, unknown>;
  capabilities?: string[];
  parameters?: string;
  template?: string;
  modified_at?: string;
}

/** One line of the /api/pull progress stream. */
export interface PullStatus {
  status: string;
  digest?: string;
  total?: number;
  completed?: number;
}

export class OllamaAdmin {
  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async version(signal?: AbortSignal, timeoutMs = PROBE_TIMEOUT_MS): Promise<string> {
    const body = await this.json<{ version?: unknown }>('GET', '/api/version', undefined, signal, timeoutMs);
    if (typeof body.version !== 'string') throw badResponse('/api/version has no "version"');
    return body.version;
  }

  async tags(signal?: AbortSignal): Promise<TagModel[]> {
    const body = await this.json<{ models?: TagModel[] }>('GET', '/api/tags', undefined, signal);
    return Array.isArray(body.models) ? body.models : [];
  }

  async ps(signal?: AbortSignal): Promise<PsModel[]> {
    const body = await this.json<{ models?: PsModel[] }>('GET', '/api/ps', undefined, signal);
    return Array.isArray(body.models) ? body.models : [];
  }

  async show(model: string, signal?: AbortSignal): Promise<ShowResponse> {
    return this.json<ShowResponse>('POST', '/api/show', { model }, signal);
  }

  async delete(model: string, signal?: AbortSignal): Promise<void> {
    // `name` too: servers before the model/name rename (and ollama-js) use it; current ones accept both.
    // Ollama answers a delete with 200 and an empty body, so there is nothing to parse.
    const timeout = AbortSignal.timeout(ADMIN_TIMEOUT_MS);
    const res = await this.send('DELETE', '/api/delete', { model, name: model }, signal ? AbortSignal.any([signal, timeout]) : timeout, timeout);
    await res.arrayBuffer().catch(() => undefined);
  }

  /**
   * Loads a model into memory without generating: an empty `messages` list makes Ollama load the
   * model and answer once with done_reason "load"; keep_alive then decides how long it stays.
   */
  async load(model: string, keepAlive: string | number, signal?: AbortSignal): Promise<void> {
    await this.json('POST', '/api/chat', { model, messages: [], keep_alive: keepAlive, stream: false }, signal, LOAD_TIMEOUT_MS);
  }

  /** Unloads a model now (empty messages with keep_alive 0 → done_reason "unload"). */
  async unload(model: string, signal?: AbortSignal): Promise<void> {
    await this.json('POST', '/api/chat', { model, messages: [], keep_alive: 0, stream: false }, signal);
  }

  /**
   * Streams pull progress. Aborting the signal closes the connection; Ollama keeps the partial
   * blobs and resumes them on the next pull. An `{"error"}` line mid-stream is thrown.
   */
  async *pull(model: string, signal: AbortSignal): AsyncIterable<PullStatus> {
    const res = await this.send('POST', '/api/pull', { model, name: model, stream: true }, signal);
    if (!res.body) throw badResponse('/api/pull returned no body');
    let sawSuccess = false;
    for await (const line of readNdjson(res.body, signal)) {
      const obj = line as Partial<PullStatus> & { error?: unknown };
      if (typeof obj.error === 'string') throw ollamaError(200, obj.error, model);
      if (typeof obj.status !== 'string') continue;
      yield obj as PullStatus;
      if (obj.status === 'success') sawSuccess = true;
    }
    if (signal.aborted) throw cancelled();
    if (!sawSuccess) throw badResponse(`the pull of ${model} ended without "success"`);
  }

  private async json<T = unknown>(method: string, path: string, body: unknown, signal?: AbortSignal, timeoutMs = ADMIN_TIMEOUT_MS): Promise<T> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const res = await this.send(method, path, body, combined, timeout);
    try {
      return (await res.json()) as T;
    } catch (err) {
      if (timeout.aborted) throw timedOut(path, timeoutMs);
      if (signal?.aborted) throw cancelled();
      throw badResponse(`${path} did not answer with JSON`);
    }
  }

  private async send(method: string, path: string, body: unknown, signal: AbortSignal, timeout?: AbortSignal): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        signal,
        headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      if (timeout?.aborted) throw timedOut(path, 0);
      if (signal.aborted) throw cancelled();
      throw new SwitchyardError({
        kind: 'network',
        message: `Ollama is not reachable at ${this.baseUrl} (${describeCause(err)}).`,
        provider: 'ollama',
        retryable: true,
      });
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let message = text;
      try {
        const parsed = JSON.parse(text) as { error?: unknown };
        if (typeof parsed.error === 'string') message = parsed.error;
      } catch {
        // Not JSON: keep the text.
      }
      throw ollamaError(res.status, message || res.statusText, undefined);
    }
    return res;
  }
}

/**
 * Splits an NDJSON body into parsed objects, with the providers' line splitter and line parser
 * (a line that is not JSON is skipped, as ollama-js does). Unlike a provider's stream, a pull's
 * progress stream ends quietly when `signal` aborts.
 */
export async function* readNdjson(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncIterable<unknown> {
  const lines = new LineSplitter();
  const reader = body.getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (signal?.aborted) return;
        throw new SwitchyardError({ kind: 'network', message: `The stream broke off (${describeCause(err)}).`, provider: 'ollama', retryable: true });
      }
      for (const line of chunk.done ? lines.end() : lines.push(chunk.value)) {
        const parsed = parseNdjsonLine(line);
        if (parsed !== undefined) yield parsed;
      }
      if (chunk.done) break;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
}

function describeCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** Classifies an Ollama `{"error"}` by status, as the wire reference lists them. */
export function ollamaError(status: number, message: string, model: string | undefined): SwitchyardError {
  let kind: ErrorKind = 'unknown';
  if (status === 404 || /not found/i.test(message)) kind = 'model_not_found';
  else if (status === 400) kind = 'bad_request';
  else if (status === 499) kind = 'cancelled';
  else if (status === 503) kind = 'overloaded';
  else if (status >= 500) kind = 'server';
  return new SwitchyardError({
    kind,
    message: `Ollama: ${message}`,
    provider: 'ollama',
    ...(model ? { model } : {}),
    status,
    retryable: kind === 'server' || kind === 'overloaded' || (kind === 'unknown' && status === 200),
  });
}

function cancelled(): SwitchyardError {
  return new SwitchyardError({ kind: 'cancelled', message: 'Cancelled.', provider: 'ollama', retryable: false });
}

function timedOut(path: string, ms: number): SwitchyardError {
  return new SwitchyardError({ kind: 'timeout', message: `Ollama did not answer ${path} in time${ms ? ` (${ms} ms)` : ''}.`, provider: 'ollama', retryable: true });
}

function badResponse(message: string): SwitchyardError {
  return new SwitchyardError({ kind: 'bad_response', message: `Ollama: ${message}.`, provider: 'ollama', retryable: true });
}

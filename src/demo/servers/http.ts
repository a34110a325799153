/**
 * The shared HTTP plumbing of the protocol-faithful test servers ("doubles"): a real Node HTTP
 * server on 127.0.0.1, a log of every request, detection of client aborts, and a chunked body
 * writer that can split a stream at any byte (inside an SSE/NDJSON line, inside a multi-byte
 * UTF-8 character), pause between chunks, stall, or break the connection mid-way.
 *
 * Each double (ollama.ts, openaiCompatible.ts, npu.ts) builds its protocol on top of this.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the server saw it. Tests assert on these. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. "/api/chat". */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** The body parsed as JSON, or undefined when it was empty or not JSON. */
  body: any;
  /** True when the client closed the connection before the response was complete. */
  aborted: boolean;
  /** True when the response was written completely. */
  completed: boolean;
  /** True when the server broke the connection on purpose (a `breakAfterChunks` plan). */
  broken: boolean;
  /** Number of body chunks written before the exchange ended. */
  chunksWritten: number;
  /** performance.now() when a stall plan stopped writing (stallAfterChunks, stallBeforeHeaders). */
  stalledAt?: number;
  /** performance.now() when the exchange ended (completed, aborted or broken). */
  endedAt?: number;
  /** Body bytes handed to the socket before the exchange ended. */
  bytesWritten: number;
  /** Date.now() of the last body write (a stalled stream's stall starts here). */
  lastWriteAt?: number;
  /** What the double served and would bill, set by doubles that bill (openaiCompatible): prompt and output tokens sent. */
  served?: { promptTokens: number; outputTokens: number };
}

/** How a response body is cut into writes. Every field is optional. */
export interface Chunking {
  /** Cut the whole body into slices of this many bytes (1 = every byte, so inside UTF-8 characters too). */
  chunkBytes?: number;
  /** Cut at these absolute byte offsets instead (sorted or not). */
  splitAt?: number[];
  /** Pause before each chunk after the first, ms. */
  delayMs?: number;
  /** Pause before sending the status line and headers, ms (time to first byte). */
  headersDelayMs?: number;
  /** Destroy the socket after writing this many chunks (a stream that breaks mid-way). */
  breakAfterChunks?: number;
  /** Stop writing after this many chunks and keep the connection open until the client gives up. */
  stallAfterChunks?: number;
  /** Send nothing at all, not even the status line, and keep the connection open until the client gives up. */
  stallBeforeHeaders?: boolean;
  /** End the response cleanly after this many chunks (a well-closed but truncated stream). */
  endAfterChunks?: number;
  /** Write every chunk, then destroy the socket instead of ending the response (a proxy that drops the tail). */
  breakAtEnd?: boolean;
  /**
   * A model's steady rate instead of fixed pauses: frames (tokens) per second on the wall clock.
   * Each write carries every frame due by then, so a late timer on a busy machine is made up on
   * the next write rather than slowing the stream. The other fields are ignored.
   */
  framesPerSecond?: number;
}

export interface ErrorReply {
  status: number;
  /** An object is sent as JSON; a string is sent as is. */
  body: unknown;
  headers?: Record<string, string>;
}

export interface ServerHandle {
  /** "http://127.0.0.1:PORT" (no trailing slash). */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Resolves when request `index` has ended (completed, aborted or broken), or rejects after `timeoutMs`. */
  settled(index: number, timeoutMs?: number): Promise<RecordedRequest>;
  /** Sockets currently open to the server (keep-alive ones included). */
  openSockets(): number;
  close(): Promise<void>;
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse, rec: RecordedRequest) => Promise<void> | void;

/** Long enough for any test, short enough that a forgotten promise fails loudly. */
const DEFAULT_SETTLE_TIMEOUT_MS = 5_000;

/** Starts a server on 127.0.0.1 (port 0 = ephemeral) that records every request and hands it to `route`. */
export async function startHttpServer(route: Route, port = 0): Promise<ServerHandle> {
  const requests: RecordedRequest[] = [];
  const waiters = new Map<RecordedRequest, Array<() => void>>();
  const sockets = new Set<Socket>();

  const finish = (rec: RecordedRequest) => {
    for (const w of waiters.get(rec) ?? []) w();
    waiters.delete(rec);
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      rawBody: '',
      body: undefined,
      aborted: false,
      completed: false,
      broken: false,
      chunksWritten: 0,
      bytesWritten: 0,
    };
    requests.push(rec);
    res.on('close', () => {
      rec.endedAt = performance.now();
      if (res.writableFinished) rec.completed = true;
      else if (!rec.broken) rec.aborted = true;
      finish(rec);
    });
    try {
      rec.rawBody = await readBody(req);
      if (!req.complete) {
        rec.aborted = true;
        finish(rec);
        return;
      }
      if (rec.rawBody) {
        try {
          rec.body = JSON.parse(rec.rawBody);
        } catch {
          rec.body = undefined;
        }
      }
      await route(req, res, rec);
    } catch (err) {
      if (!res.headersSent && !res.destroyed) {
        sendJson(res, 500, { error: `test server failure: ${(err as Error).message}` });
      } else if (!res.destroyed) {
        res.destroy();
      }
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    requests,
    settled(index, timeoutMs = DEFAULT_SETTLE_TIMEOUT_MS) {
      return new Promise((resolve, reject) => {
        if (index < 0) return reject(new Error(`no such request (index ${index})`));
        let done = false;
        const timer = setTimeout(() => {
          done = true;
          reject(new Error(`request ${index} did not end within ${timeoutMs} ms`));
        }, timeoutMs);
        const finishWith = (rec: RecordedRequest) => {
          clearTimeout(timer);
          resolve(rec);
        };
        const poll = () => {
          if (done) return;
          const rec = requests[index];
          if (!rec) return void setTimeout(poll, 5).unref();
          if (rec.completed || rec.aborted || rec.broken) return finishWith(rec);
          const list = waiters.get(rec) ?? [];
          list.push(() => finishWith(rec));
          waiters.set(rec, list);
        };
        poll();
      });
    },
    openSockets: () => sockets.size,
    close() {
      return new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
    },
  };
}

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    const done = () => resolve(Buffer.concat(parts).toString('utf8'));
    req.on('end', done);
    // A client that gives up while still sending the body: resolve with what came, the caller checks req.complete.
    req.on('close', done);
    req.on('error', reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' && !looksLikeJson(body) ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: http.ServerResponse, err: ErrorReply): void {
  sendJson(res, err.status, err.body, err.headers);
}

function looksLikeJson(s: string): boolean {
  const t = s.trimStart();
  return t.startsWith('{') || t.startsWith('[');
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Cuts `body` into the chunks a plan asks for (one chunk per frame by default). */
export function cutIntoChunks(frames: string[], chunking: Chunking = {}): Buffer[] {
  const frameBufs = frames.map((f) => Buffer.from(f, 'utf8'));
  if (!chunking.chunkBytes && !chunking.splitAt) return frameBufs;
  const all = Buffer.concat(frameBufs);
  const cuts = new Set<number>();
  if (chunking.chunkBytes) for (let i = chunking.chunkBytes; i < all.length; i += chunking.chunkBytes) cuts.add(i);
  for (const at of chunking.splitAt ?? []) if (at > 0 && at < all.length) cuts.add(at);
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const at of sorted) {
    out.push(all.subarray(start, at));
    start = at;
  }
  out.push(all.subarray(start));
  return out;
}

/**
 * Writes a streamed body chunk by chunk, honouring the plan's delays, stall and break, and stops
 * at once when the client goes away. Returns how the exchange ended.
 */
export async function writeStream(
  res: http.ServerResponse,
  rec: RecordedRequest,
  status: number,
  headers: Record<string, string>,
  frames: string[],
  chunking: Chunking = {},
): Promise<'completed' | 'aborted' | 'broken' | 'stalled'> {
  if (chunking.stallBeforeHeaders) {
    // No timer: only the client's timeout or abort ends the exchange (and nothing here keeps the process alive).
    rec.stalledAt = performance.now();
    return 'stalled';
  }
  if (chunking.headersDelayMs) await sleep(chunking.headersDelayMs);
  if (res.destroyed) return 'aborted';
  res.writeHead(status, headers);
  res.flushHeaders();
  if (chunking.framesPerSecond) return writePaced(res, rec, frames, chunking.framesPerSecond);
  const chunks = cutIntoChunks(frames, chunking);
  /** Resolves when the last write has been handed to the OS: a break after it must not throw away what was "sent". */
  let lastFlush: Promise<void> = Promise.resolve();
  for (let i = 0; i < chunks.length; i++) {
    if (i > 0 && chunking.delayMs) await sleep(chunking.delayMs);
    if (chunking.breakAfterChunks !== undefined && i >= chunking.breakAfterChunks) {
      await lastFlush;
      rec.broken = true;
      res.socket?.destroy();
      return 'broken';
    }
    if (chunking.endAfterChunks !== undefined && i >= chunking.endAfterChunks) break;
    if (chunking.stallAfterChunks !== undefined && i >= chunking.stallAfterChunks) {
      // Keep the socket open; the client's timeout or abort ends the exchange.
      rec.stalledAt = performance.now();
      return 'stalled';
    }
    if (res.destroyed) return 'aborted';
    lastFlush = new Promise<void>((resolve) => res.write(chunks[i], () => resolve()));
    rec.chunksWritten++;
    rec.bytesWritten += chunks[i]!.length;
    rec.lastWriteAt = Date.now();
  }
  if (chunking.breakAtEnd) {
    rec.broken = true;
    // After the last write has left, so the client has the whole body before the reset.
    res.socket?.end(() => res.socket?.destroy());
    return 'broken';
  }
  res.end();
  return 'completed';
}

/** How often a paced stream wakes up to write what is due (a 200 Hz writer). */
const PACE_TICK_MS = 5;

async function writePaced(res: http.ServerResponse, rec: RecordedRequest, frames: string[], framesPerSecond: number): Promise<'completed' | 'aborted'> {
  const started = performance.now();
  let sent = 0;
  while (sent < frames.length) {
    if (res.destroyed) return 'aborted';
    const due = Math.min(frames.length, Math.max(sent + 1, Math.floor(((performance.now() - started) * framesPerSecond) / 1000)));
    const text = frames.slice(sent, due).join('');
    res.write(text);
    rec.chunksWritten++;
    rec.bytesWritten += Buffer.byteLength(text);
    sent = due;
    if (sent < frames.length) await sleep(PACE_TICK_MS);
  }
  res.end();
  return 'completed';
}

/**
 * Splits text into "tokens" the way a tokenizer roughly would: each CJK character alone, other
 * words with their leading whitespace. Deterministic, so tests can count tokens.
 */
export function splitTokens(text: string): string[] {
  return text.match(/[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]|\s*[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+|\s+/gu) ?? [];
}

/** Deterministic prompt-token count for usage fields: one per 4 characters, at least 1. */
export function countPromptTokens(text: string): number {
  return Math.max(1, Math.ceil([...text].length / 4));
}

/** `--port N` from argv, for standalone runs. */
export function portFromArgv(argv = process.argv): number {
  const i = argv.indexOf('--port');
  const v = i >= 0 ? Number(argv[i + 1]) : 0;
  return Number.isInteger(v) && v >= 0 ? v : 0;
}

/** `--name value` from argv, for standalone runs. */
export function argFromArgv(name: string, argv = process.argv): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

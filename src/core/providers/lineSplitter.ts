import type { BufferedIterator } from './streamGuard';

/**
 * Cuts a streamed HTTP body (NDJSON, SSE) into lines.
 *
 * Why the providers read their streams through this and not through the SDKs' own line
 * parsers: those are stacks of async generators, so every line — i.e. every token — costs a
 * few microtask hops per layer. Here a line costs one resolved promise, or one socket read
 * when none is buffered (bench/router-overhead.ts).
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder();
  /** The unfinished last line of the chunks so far (a chunk may end anywhere, even inside a UTF-8 character). */
  private tail = '';

  /** The lines this chunk completes, without their '\n'. */
  push(chunk: Uint8Array): string[] {
    const lines = (this.tail + this.decoder.decode(chunk, { stream: true })).split('\n');
    this.tail = lines.pop()!;
    return lines;
  }

  /** At the end of the body: a last line that had no '\n', if any. */
  end(): string[] {
    const rest = this.tail + this.decoder.decode();
    this.tail = '';
    return rest ? [rest] : [];
  }
}

/**
 * One NDJSON line (Ollama's streams: chat, generate, pull) as JSON; undefined for a blank or
 * malformed line, which ollama-js skips too. Surrounding white space, "\r" included, is allowed
 * by JSON.parse itself, so a line needs no trimming (this runs once per token).
 */
export function parseNdjsonLine(line: string): unknown {
  if (!line) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * A response body as lines. A network chunk may hold many lines (a fast local model, or a
 * burst): they come out one per `next()`, the buffered ones without waiting on the socket, so
 * the first token goes out as soon as its own line is read, not after the whole chunk (and
 * `readBuffered` hands them out with no promise step at all).
 * `return()` (the consumer stopped early, or the guard's cancel or timeout) cancels the body,
 * which closes the socket; it may be called while a `next()` waits on the socket, and that read
 * then ends at once (the guard relies on it, see streamGuard.ts).
 */
export function bodyLines(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const reader = body.getReader();
  const splitter = new LineSplitter();
  let lines: string[] = [];
  let at = 0;
  let ended = false;
  const onChunk = (r: ReadableStreamReadResult<Uint8Array>): IteratorResult<string> | Promise<IteratorResult<string>> => {
    if (r.done) {
      ended = true;
      lines = splitter.end();
    } else {
      lines = splitter.push(r.value);
    }
    at = 0;
    if (at < lines.length) return { done: false, value: lines[at++]! };
    return ended ? { done: true, value: undefined } : reader.read().then(onChunk);
  };
  const iterator: BufferedIterator<string> = {
    readBuffered: () => (at < lines.length ? lines[at++]! : undefined),
    next: () => {
      if (at < lines.length) return Promise.resolve({ done: false, value: lines[at++]! });
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return reader.read().then(onChunk);
    },
    return: async () => {
      ended = true;
      lines = [];
      await reader.cancel();
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

/**
 * A whole (non-streamed) response body as text, cancelled the moment `signal` aborts. Not
 * `res.text()`: that waits on the socket, and after a GC Node's fetch no longer passes the abort
 * on to it (see streamGuard.ts), so a body that stalls half-way would hold the connection open
 * for good. Cancelling the reader settles the read at once and closes the connection. Rejects
 * with the abort reason when aborted.
 */
export async function bodyText(res: Response, signal: AbortSignal): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const cancel = (): void => void reader.cancel(signal.reason).catch(() => undefined);
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel);
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    signal.removeEventListener('abort', cancel);
  }
  if (signal.aborted) throw signal.reason;
  return text + decoder.decode();
}

/** One server-sent event: its `event:` name (null when none) and its `data:` lines joined. */
export interface SseMessage {
  event: string | null;
  data: string;
}

/**
 * Server-sent events from lines, the way the openai SDK reads them: `event:` and `data:` fields
 * (one optional space after the colon), comments (`:`) skipped, a blank line ends an event; an
 * event left without its blank line when the body ends is dropped. Lines may end in "\r\n".
 */
export class SseDecoder {
  private event: string | null = null;
  private data: string[] = [];

  /** The event this line completes, if any. */
  line(raw: string): SseMessage | undefined {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!line) {
      if (this.event === null && this.data.length === 0) return undefined;
      const message = { event: this.event, data: this.data.join('\n') };
      this.event = null;
      this.data = [];
      return message;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    return undefined;
  }
}

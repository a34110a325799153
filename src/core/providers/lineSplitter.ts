/**
 * Cuts a streamed HTTP body (NDJSON, SSE) into lines, one network chunk at a time, synchronously.
 *
 * Why the providers read their streams through this and not through the SDKs' own line
 * parsers: those are async generators, so every line — i.e. every token — costs a few microtask
 * hops per layer. Here one network chunk (often dozens of tokens on a fast local model) becomes
 * all of its lines in one synchronous pass (bench/router-overhead.ts).
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
 * A response body's network chunks, read straight off its reader: each `next()` is one
 * `reader.read()`, with none of the extra promise steps of the stream's own async iterator.
 * `return()` (the consumer stopped early) cancels the body, which closes the socket.
 */
export function bodyChunks(body: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = body.getReader();
  const iterator: AsyncIterator<Uint8Array> = {
    next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
    return: async () => {
      await reader.cancel();
      return { done: true, value: undefined };
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
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

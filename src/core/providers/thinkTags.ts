/**
 * Splits reasoning that arrives inline in the answer — `<think>…</think>` at the very start of the
 * content (Groq's reasoning_format "raw", DeepSeek-R1 / Qwen3 on servers without a reasoning
 * parser, Ollama before 0.9.0) — into thinking and text deltas. Tags may be cut across chunks.
 */
const OPEN = '<think>';
const CLOSE = '</think>';

export type Piece = { type: 'thinking' | 'text'; text: string };

export class ThinkTagSplitter {
  private mode: 'detect' | 'thinking' | 'text' = 'detect';
  /** Right after </think>: the blank lines before the answer are dropped, even when they come in later chunks. */
  private trimNext = false;
  private buf = '';

  push(chunk: string): Piece[] {
    if (this.mode === 'text') {
      if (this.trimNext) {
        chunk = chunk.replace(/^\s+/, '');
        if (chunk) this.trimNext = false;
      }
      return chunk ? [{ type: 'text', text: chunk }] : [];
    }
    this.buf += chunk;
    const out: Piece[] = [];
    if (this.mode === 'detect') {
      const trimmed = this.buf.trimStart();
      if (trimmed.length < OPEN.length && OPEN.startsWith(trimmed)) return out; // undecided yet
      if (!trimmed.startsWith(OPEN)) {
        this.mode = 'text';
        const text = this.buf;
        this.buf = '';
        return text ? [{ type: 'text', text }] : [];
      }
      this.mode = 'thinking';
      this.buf = trimmed.slice(OPEN.length);
    }
    const end = this.buf.indexOf(CLOSE);
    if (end >= 0) {
      const thought = this.buf.slice(0, end);
      const rest = this.buf.slice(end + CLOSE.length).replace(/^\s+/, '');
      this.buf = '';
      this.mode = 'text';
      this.trimNext = !rest;
      if (thought) out.push({ type: 'thinking', text: thought });
      if (rest) out.push({ type: 'text', text: rest });
      return out;
    }
    // Hold back a tail that could be the start of "</think>".
    let keep = 0;
    for (let k = Math.min(CLOSE.length - 1, this.buf.length); k > 0; k--) {
      if (CLOSE.startsWith(this.buf.slice(-k))) {
        keep = k;
        break;
      }
    }
    const emit = this.buf.slice(0, this.buf.length - keep);
    this.buf = this.buf.slice(this.buf.length - keep);
    if (emit) out.push({ type: 'thinking', text: emit });
    return out;
  }

  /** At the end of the stream: whatever is held back is emitted as what it was. */
  flush(): Piece[] {
    const text = this.buf;
    this.buf = '';
    if (!text) return [];
    return [{ type: this.mode === 'thinking' ? 'thinking' : 'text', text }];
  }
}

/**
 * Server-Sent Events on the raw socket (Fastify's reply.hijack: no framework in the write path,
 * see bench/gateway-framework.ts), and the x-switchyard-* headers both APIs send.
 * Headers are written only once the answer has started, so a refusal before the first token
 * (unknown model, budget, no model available) is still a real HTTP error with its status.
 */
import type { FastifyReply } from 'fastify';
import type { Outcome } from './drive';
import { decisionSummary } from './drive';
import { formatModelRef } from '../core/types';

export class SseWriter {
  private open = false;
  private corked = false;
  constructor(private readonly reply: FastifyReply) {}

  get started(): boolean {
    return this.open;
  }

  start(extraHeaders: Record<string, string> = {}): void {
    if (this.open) return;
    this.open = true;
    this.reply.hijack();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.reply.getHeaders())) if (v !== undefined) headers[k] = String(v);
    this.reply.raw.writeHead(200, {
      ...headers,
      ...extraHeaders,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // Proxies (nginx) must not buffer the stream.
      'x-accel-buffering': 'no',
    });
  }

  send(data: unknown): void {
    const res = this.reply.raw;
    if (res.destroyed || res.writableEnded) return;
    // Events that arrive together (one upstream read often holds many) go out in one write:
    // corked until the event loop's next check phase, so the first token waits at most that.
    if (!this.corked) {
      this.corked = true;
      res.cork();
      setImmediate(() => {
        this.corked = false;
        res.uncork();
      });
    }
    res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }

  end(): void {
    const res = this.reply.raw;
    if (!res.destroyed && !res.writableEnded) res.end('data: [DONE]\n\n');
  }
}

/** A header value is ASCII: anything else (a reason with "≥", a CJK model name) is escaped as in JSON. */
export function headerSafe(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Headers known when the answer starts: who answers and why. */
export function startHeaders(o: Pick<Outcome, 'ref' | 'locality' | 'decision' | 'escalations' | 'failovers'>): Record<string, string> {
  const h: Record<string, string> = {};
  if (o.ref) h['x-switchyard-model'] = headerSafe(formatModelRef(o.ref));
  if (o.locality) h['x-switchyard-locality'] = o.locality;
  const d = decisionSummary({ ...o, text: '', costUsd: 0, inputCostUsd: 0, outputCostUsd: 0, costEstimated: false, attempts: 0, totalMs: 0 });
  h['x-switchyard-decision'] = headerSafe(JSON.stringify({ task: d.task, mode: d.mode, candidates: d.candidates }));
  return h;
}

/** Every header, for a non-streaming answer (cost and tokens are known). */
export function outcomeHeaders(o: Outcome): Record<string, string> {
  return {
    ...startHeaders(o),
    'x-switchyard-cost-usd': o.costUsd.toFixed(6),
    'x-switchyard-tokens-input': String(o.usage?.inputTokens ?? 0),
    'x-switchyard-tokens-output': String(o.usage?.outputTokens ?? 0),
    'x-switchyard-attempts': String(o.attempts),
  };
}

/** The `switchyard` field of a response: cost, tokens, the router's decision. */
export function switchyardField(o: Outcome, requestId: string): Record<string, unknown> {
  return {
    request_id: requestId,
    model: o.ref ? formatModelRef(o.ref) : undefined,
    locality: o.locality,
    cost: { total_usd: o.costUsd, input_usd: o.inputCostUsd, output_usd: o.outputCostUsd, estimated: o.costEstimated },
    tokens: { input: o.usage?.inputTokens ?? 0, output: o.usage?.outputTokens ?? 0, estimated: o.usage?.estimated ?? false },
    decision: decisionSummary(o),
    attempts: o.attempts,
    timing: { ttft_ms: o.ttftMs, total_ms: o.totalMs },
  };
}

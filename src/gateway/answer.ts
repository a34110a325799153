/**
 * One answer, for any generation route of either API: resolve the model, apply the gateway's
 * per-model limit, run the core (`drive`) with one AbortSignal tied to the client's socket, and
 * write the result as that route's JSON or SSE. A refusal before the first token is a real HTTP
 * error (thrown, so the error handler writes it in the route's API shape); a failure after it
 * is an error event in the stream, then [DONE].
 */
import type { FastifyReply } from 'fastify';
import type { ModelRef, RouteRequest } from '../core/types';
import { type Outcome, drive } from './drive';
import { GatewayError, fromCoreError } from './errors';
import type { Resolved } from './models';
import type { GatewayContext } from './server';
import { SseWriter, outcomeHeaders, startHeaders } from './sse';

export interface AnswerShape {
  /** The model name as the client sent it. */
  asked: string;
  stream: boolean;
  build(resolved: Resolved, signal: AbortSignal): RouteRequest;
  /** SSE: the first event (OpenAI's role chunk), if the API has one. */
  first?(ref: ModelRef): unknown;
  /** SSE: the event for one text delta; undefined sends nothing (a filter held the text back). */
  delta(text: string, ref: ModelRef | undefined): unknown;
  /** SSE: the events after the last delta (finish reason, usage), before [DONE]. */
  final(o: Outcome): unknown[];
  /** SSE: an error after the stream started. */
  streamError(err: GatewayError): unknown;
  /** Non-streaming body. */
  body(o: Outcome): unknown;
}

export async function serveAnswer(ctx: GatewayContext, reply: FastifyReply, shape: AnswerShape): Promise<unknown> {
  const resolved = await ctx.catalogue.resolve(shape.asked, ctx.locale);
  ctx.limiter.take(resolved.id, ctx.settings(), ctx.locale);
  const work = ctx.track(reply);
  try {
    return await answer(ctx, reply, shape, resolved, work.signal);
  } finally {
    work.done();
  }
}

async function answer(ctx: GatewayContext, reply: FastifyReply, shape: AnswerShape, resolved: Resolved, signal: AbortSignal): Promise<unknown> {
  const routeReq = shape.build(resolved, signal);
  const sse = shape.stream ? new SseWriter(reply) : undefined;
  const outcome = await drive(shape.stream ? ctx.core.stream : ctx.core.answer, routeReq, {
    onStart: (ref, locality, decision) => {
      if (!sse) return;
      sse.start(startHeaders({ ref, locality, decision, escalations: [], failovers: [] }));
      if (shape.first) sse.send(shape.first(ref));
    },
    onText: (text, sofar) => {
      if (!sse) return;
      const ev = shape.delta(text, sofar.ref);
      if (ev !== undefined) sse.send(ev);
    },
  });
  ctx.stats.record(outcome.totalMs, outcome.error === undefined && !signal.aborted, outcome.ref ? `${outcome.ref.provider}/${outcome.ref.model}` : undefined);
  if (signal.aborted) {
    // The client is gone (or the gateway stops): nothing more to write; the budget was settled by the router for what was served.
    if (!sse?.started) reply.hijack();
    if (!reply.raw.destroyed) reply.raw.destroy();
    return reply;
  }
  if (outcome.error) {
    const err = fromCoreError(outcome.error, outcome.ref !== undefined);
    if (!sse?.started) throw err;
    sse.send(shape.streamError(err));
    sse.end();
    return reply;
  }
  if (sse) {
    if (!sse.started) {
      sse.start(startHeaders(outcome));
      if (shape.first && outcome.ref) sse.send(shape.first(outcome.ref));
    }
    for (const ev of shape.final(outcome)) sse.send(ev);
    sse.end();
    return reply;
  }
  return reply.headers(outcomeHeaders(outcome)).send(shape.body(outcome));
}

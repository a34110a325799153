/**
 * POST /chat/completions and the legacy /completions of the common server: the scripted reply
 * as one JSON answer or as the vendor's SSE stream (usage, reasoning and ids where the vendor
 * puts them), with the scripted quota checked and the reply's stream faults applied.
 */
import type http from 'node:http';
import { type Chunking, type ErrorReply, type RecordedRequest, countPromptTokens, sendError, sendJson, splitTokens, writeStream } from '../http';
import type { ChatReply, CompatibleRouteContext } from './server';
import type { VendorDouble } from './vendor';

const DEFAULT_TEXT = 'Hello from the test server.';
const DEFAULT_LOGPROB = -0.05;

/** vLLM's reply to `suffix` on /v1/completions (its OpenAI-compatible server has no FIM). */
const SUFFIX_REJECTED: ErrorReply = {
  status: 400,
  body: { object: 'error', message: 'suffix is not currently supported', type: 'BadRequestError', param: null, code: 400 },
};

/** An error reply over the headers every response carries (its own headers win). */
export function send(res: http.ServerResponse, err: ErrorReply, base: Record<string, string>): void {
  sendError(res, { ...err, headers: { ...base, ...err.headers } });
}

/** One answer as decided before any byte is sent: what to say, how, and what it costs. */
interface Answer {
  plan: ChatReply;
  body: any;
  legacy: boolean;
  model: string;
  id: string;
  created: number;
  tokens: string[];
  thinking: string[];
  thinkingMode: 'field' | 'inline' | 'none';
  /** Reasoning tokens billed but never shown (OpenAI reasoning models). */
  hiddenReasoning: number;
  promptTokens: number;
  wantLogprobs: boolean;
  finish: string;
}

export async function serveCompletion(
  res: http.ServerResponse,
  rec: RecordedRequest,
  ctx: CompatibleRouteContext,
  legacy: boolean,
  base: Record<string, string>,
): Promise<void> {
  const planned = planAnswer(rec, ctx, legacy);
  if ('status' in planned) return send(res, planned, base);
  const a = planned;
  if (ctx.quota) {
    const counters = admitToQuota(res, ctx, a.model, a.promptTokens + a.tokens.length + a.thinking.length + a.hiddenReasoning, base);
    if (!counters) return;
    base = counters;
  }
  if (a.body.stream !== true) return sendWhole(res, rec, ctx.vendor, a, base);
  const { frames, frameTokens, answerStart } = streamFrames(ctx.vendor, a);
  await writeStream(res, rec, 200, sseHeaders(base), frames, tokenFaults(a.plan, answerStart));
  // What was served: the frames whose bytes were sent (a frame counts once any byte of it is).
  let bytes = 0;
  let outputTokens = 0;
  for (let i = 0; i < frames.length && bytes < rec.bytesWritten; i++) {
    outputTokens += frameTokens[i] ?? 0;
    bytes += Buffer.byteLength(frames[i]!);
  }
  // The prompt is billed once the answer has started (status and headers sent).
  rec.served = { promptTokens: a.promptTokens, outputTokens: outputTokens + (outputTokens > 0 ? a.hiddenReasoning : 0) };
}

/** The request checked the way the vendor checks it, and the scripted reply turned into an Answer; or the error to send. */
function planAnswer(rec: RecordedRequest, ctx: CompatibleRouteContext, legacy: boolean): Answer | ErrorReply {
  const { vendor } = ctx;
  const body = rec.body;
  if (!body || typeof body !== 'object') {
    return { status: 400, body: { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } } };
  }
  const model = String(body.model ?? '').replace(/^models\//, '');
  const plan = ctx.nextReply();
  if (plan.error) return typeof plan.error === 'string' ? vendor.error(plan.error, { model }) : plan.error;
  if (!ctx.models.includes(model)) return vendor.error('model_not_found', { model });
  if (legacy && body.suffix != null && ctx.suffix === 'rejected') return SUFFIX_REJECTED;
  if (body.logprobs && vendor.logprobs === 'rejected') return vendor.error('logprobs_unsupported', { model });
  const thinkingMode = plan.thinking ? vendor.thinkingMode(body) : 'none';
  if (vendor.thinkingNeedsStream && thinkingMode === 'field' && body.stream !== true) return vendor.error('thinking_non_stream', { model });

  const suffixSeen = ctx.suffix === 'ignored' ? '' : body.suffix ?? '';
  const promptText = legacy ? `${body.prompt ?? ''}${suffixSeen}` : (body.messages ?? []).map((m: any) => String(m.content ?? '')).join('\n');
  return {
    plan,
    body,
    legacy,
    model,
    id: vendor.idFor(),
    created: Math.floor(Date.now() / 1000),
    tokens: toTokens(plan.text ?? DEFAULT_TEXT),
    thinking: thinkingMode === 'none' ? [] : toTokens(plan.thinking ?? []),
    thinkingMode,
    // OpenAI reasoning models think without streaming the thoughts, but bill and count them.
    hiddenReasoning: !vendor.reasoningField && plan.thinking ? toTokens(plan.thinking).length : 0,
    promptTokens: plan.promptTokens ?? countPromptTokens(promptText),
    wantLogprobs: Boolean(body.logprobs) && vendor.logprobs === 'supported',
    finish: plan.finishReason ?? 'stop',
  };
}

function usageAt(vendor: VendorDouble, a: Answer, outputSoFar: number, thinkingSoFar: number): Record<string, unknown> {
  return vendor.usageObject(a.promptTokens, outputSoFar + thinkingSoFar + a.hiddenReasoning, thinkingSoFar + a.hiddenReasoning, a.plan.cachedTokens);
}

/** A non-streamed answer: one JSON object. */
function sendWhole(res: http.ServerResponse, rec: RecordedRequest, vendor: VendorDouble, a: Answer, base: Record<string, string>): void {
  const { tokens, thinking, plan, body } = a;
  const text = (a.thinkingMode === 'inline' && thinking.length ? `<think>${thinking.join('')}</think>` : '') + tokens.join('');
  const message: Record<string, unknown> = { role: 'assistant', content: text };
  if (a.thinkingMode === 'field' && vendor.reasoningField) message[vendor.reasoningField] = thinking.join('');
  const choice = a.legacy
    ? { text, index: 0, logprobs: null, finish_reason: a.finish }
    : { index: 0, message, logprobs: a.wantLogprobs ? { content: tokens.map((t, i) => logprobEntry(t, plan.logprobs?.[i], body.top_logprobs)) } : null, finish_reason: a.finish };
  sendJson(
    res,
    200,
    {
      id: a.id,
      ...(vendor.omitObject ? {} : { object: a.legacy ? 'text_completion' : 'chat.completion' }),
      created: a.created,
      model: a.model,
      choices: [choice],
      usage: usageAt(vendor, a, tokens.length, thinking.length),
    },
    { ...base, ...vendor.nonStreamHeaders?.(a.id) },
  );
  rec.served = { promptTokens: a.promptTokens, outputTokens: tokens.length + thinking.length + a.hiddenReasoning };
}

/**
 * A streamed answer's SSE frames in the vendor's order: role chunk, reasoning, one chunk per
 * answer token, then (unless a mid-stream error ends it) the finish chunk, the opt-in usage chunk
 * and [DONE]. `frameTokens[i]` is the output tokens frame i carries; `answerStart` the index of
 * the first answer token's frame.
 */
function streamFrames(vendor: VendorDouble, a: Answer): { frames: string[]; frameTokens: number[]; answerStart: number } {
  const { plan, body, legacy, id, tokens, thinking, thinkingMode } = a;
  const includeUsage = body.stream_options?.include_usage === true && !plan.omitUsage;
  const envelope = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id,
    ...(vendor.omitObject ? {} : { object: legacy ? 'text_completion' : 'chat.completion.chunk' }),
    created: a.created,
    model: a.model,
    ...vendor.chunkFields,
    choices,
    ...extra,
  });
  const chunkExtra = (outSoFar: number, thinkSoFar: number, first: boolean): Record<string, unknown> => {
    const extra: Record<string, unknown> = {};
    if (vendor.nullUsageWhenOptedIn && includeUsage) extra.usage = null;
    if (vendor.usage === 'every_chunk' && !plan.omitUsage) extra.usage = usageAt(vendor, a, outSoFar, thinkSoFar);
    if (first && vendor.firstChunkExtra) Object.assign(extra, vendor.firstChunkExtra(id));
    if (vendor.obfuscation && body.stream_options?.include_obfuscation !== false) extra.obfuscation = 'q2Jx7a'.slice(0, 1 + (outSoFar % 6));
    return extra;
  };
  const frames: string[] = [];
  const frameTokens: number[] = [];
  const push = (obj: unknown, tokenCount = 0) => {
    frames.push(`data: ${JSON.stringify(obj)}\n\n`);
    frameTokens[frames.length - 1] = tokenCount;
  };
  const choiceOf = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    legacy ? { text: delta.content ?? '', index: 0, logprobs: null, finish_reason: null, ...extra } : { index: 0, delta, logprobs: null, finish_reason: null, ...extra };

  if (!legacy) push(envelope([choiceOf({ role: 'assistant', content: '' })], chunkExtra(0, 0, true)));
  let thinkSoFar = 0;
  if (thinkingMode === 'inline' && thinking.length) push(envelope([choiceOf({ content: '<think>' })], chunkExtra(0, 0, false)));
  for (const t of thinking) {
    thinkSoFar++;
    const delta = thinkingMode === 'field' && vendor.reasoningField ? { [vendor.reasoningField]: t } : { content: t };
    push(envelope([choiceOf(delta)], chunkExtra(0, thinkSoFar, legacy && thinkSoFar === 1)), 1);
  }
  if (thinkingMode === 'inline' && thinking.length) push(envelope([choiceOf({ content: '</think>' })], chunkExtra(0, thinkSoFar, false)));
  const answerStart = frames.length;
  tokens.forEach((t, i) => {
    const extra: Record<string, unknown> = {};
    if (a.wantLogprobs) {
      const entry = logprobEntry(t, plan.logprobs?.[i], body.top_logprobs);
      extra.logprobs = legacy ? { tokens: [t], token_logprobs: [entry.logprob], top_logprobs: null, text_offset: [0] } : { content: [entry], refusal: null };
    }
    push(envelope([choiceOf({ content: t }, extra)], chunkExtra(i + 1, thinkSoFar, legacy && i === 0 && thinkSoFar === 0)), 1);
  });
  if (plan.midStreamError !== undefined) {
    if (typeof plan.midStreamError === 'string') frames.push(`data: ${plan.midStreamError}\n\n`);
    else push(plan.midStreamError);
    return { frames, frameTokens, answerStart };
  }
  const finishExtra = chunkExtra(tokens.length, thinkSoFar, false);
  if (vendor.usage === 'finish_chunk' && !plan.omitUsage) finishExtra.usage = usageAt(vendor, a, tokens.length, thinkSoFar);
  if (vendor.usage === 'x_groq' && !plan.omitUsage && vendor.finishChunkUsage) Object.assign(finishExtra, vendor.finishChunkUsage(id, a.promptTokens, tokens.length + thinkSoFar));
  push(envelope([choiceOf(legacy ? { content: '' } : {}, { finish_reason: a.finish })], finishExtra));
  if (includeUsage && vendor.usage !== 'finish_chunk' && vendor.usage !== 'every_chunk') {
    push(envelope([], { usage: usageAt(vendor, a, tokens.length, thinkSoFar), ...(vendor.obfuscation ? { obfuscation: 'zz' } : {}) }));
  }
  frames.push('data: [DONE]\n\n');
  return { frames, frameTokens, answerStart };
}

/**
 * Counts the request against the scripted quota. Over it, answers the vendor's 429 (its body,
 * counters and retry-after where the vendor puts them) and returns undefined; under it, returns
 * the headers with the live counters.
 */
function admitToQuota(res: http.ServerResponse, ctx: CompatibleRouteContext, model: string, tokens: number, base: Record<string, string>): Record<string, string> | undefined {
  const { vendor, quota } = ctx;
  const admission = quota!.admit(tokens);
  const counters = vendor.rateLimitHeaders ? quota!.headers(vendor.rateLimitHeaders) : {};
  if (admission.ok) {
    res.once('close', admission.release);
    return { ...base, ...counters };
  }
  if ('concurrent' in admission) {
    // Zhipu's 1302 is this very error ("并发数过高"); the others' rate-limit reply is the nearest.
    send(res, vendor.error('rate_limit', { model }), base);
    return undefined;
  }
  const retryAfterSeconds = admission.retryAfterMs / 1000;
  const err = vendor.error('rate_limit', { model, window: admission.window, retryAfterSeconds });
  const retryAfter: Record<string, string> = vendor.retryAfterHeader ? { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) } : {};
  send(res, { ...err, headers: { ...err.headers, ...counters, ...retryAfter } }, base);
  return undefined;
}

/** The reply's token-counted stream faults as frame-counted ones (each answer token is one frame unless chunkBytes/splitAt re-cut them). */
function tokenFaults(plan: ChatReply, answerStart: number): Chunking | undefined {
  const chunking: Chunking = { ...plan.chunking };
  if (plan.dropAfterTokens !== undefined) chunking.breakAfterChunks = answerStart + plan.dropAfterTokens;
  if (plan.stallAfterTokens !== undefined) chunking.stallAfterChunks = answerStart + plan.stallAfterTokens;
  return plan.chunking || plan.dropAfterTokens !== undefined || plan.stallAfterTokens !== undefined ? chunking : undefined;
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

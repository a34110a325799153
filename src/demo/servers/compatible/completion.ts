/**
 * POST /chat/completions and the legacy /completions of the common server: the scripted reply
 * as one JSON answer or as the vendor's SSE stream (usage, reasoning and ids where the vendor
 * puts them), with the scripted quota checked and the reply's stream faults applied.
 */
import type http from 'node:http';
import { type Chunking, type ErrorReply, type RecordedRequest, countPromptTokens, sendError, sendJson, splitTokens, writeStream } from '../http';
import type { ChatReply, CompatibleRouteContext } from './server';

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

export async function serveCompletion(
  res: http.ServerResponse,
  rec: RecordedRequest,
  ctx: CompatibleRouteContext,
  legacy: boolean,
  base: Record<string, string>,
): Promise<void> {
  const { vendor } = ctx;
  const body = rec.body;
  if (!body || typeof body !== 'object') {
    send(res, { status: 400, body: { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } } }, base);
    return;
  }
  const model = String(body.model ?? '').replace(/^models\//, '');
  const plan = ctx.nextReply();
  if (plan.error) {
    send(res, typeof plan.error === 'string' ? vendor.error(plan.error, { model }) : plan.error, base);
    return;
  }
  if (!ctx.models.includes(model)) {
    send(res, vendor.error('model_not_found', { model }), base);
    return;
  }
  if (legacy && body.suffix != null && ctx.suffix === 'rejected') {
    send(res, SUFFIX_REJECTED, base);
    return;
  }
  if (body.logprobs && vendor.logprobs === 'rejected') {
    send(res, vendor.error('logprobs_unsupported', { model }), base);
    return;
  }
  const stream = body.stream === true;
  const thinkingMode = plan.thinking ? vendor.thinkingMode(body) : 'none';
  if (vendor.thinkingNeedsStream && thinkingMode === 'field' && !stream) {
    send(res, vendor.error('thinking_non_stream', { model }), base);
    return;
  }

  const tokens = toTokens(plan.text ?? DEFAULT_TEXT);
  const thinking = thinkingMode === 'none' ? [] : toTokens(plan.thinking ?? []);
  // OpenAI reasoning models think without streaming the thoughts, but bill and count them.
  const hiddenReasoning = !vendor.reasoningField && plan.thinking ? toTokens(plan.thinking).length : 0;
  const suffixSeen = ctx.suffix === 'ignored' ? '' : body.suffix ?? '';
  const promptText = legacy ? `${body.prompt ?? ''}${suffixSeen}` : (body.messages ?? []).map((m: any) => String(m.content ?? '')).join('\n');
  const promptTokens = plan.promptTokens ?? countPromptTokens(promptText);

  if (ctx.quota) {
    const counters = admitToQuota(res, ctx, model, promptTokens + tokens.length + thinking.length + hiddenReasoning, base);
    if (!counters) return;
    base = counters;
  }

  const wantLogprobs = body.logprobs && vendor.logprobs === 'supported';
  const finish = plan.finishReason ?? 'stop';
  const id = vendor.idFor();
  const created = Math.floor(Date.now() / 1000);

  const usageAt = (outputSoFar: number, thinkingSoFar: number) =>
    vendor.usageObject(promptTokens, outputSoFar + thinkingSoFar + hiddenReasoning, thinkingSoFar + hiddenReasoning, plan.cachedTokens);

  if (!stream) {
    const text = (thinkingMode === 'inline' && thinking.length ? `<think>${thinking.join('')}</think>` : '') + tokens.join('');
    const message: Record<string, unknown> = { role: 'assistant', content: text };
    if (thinkingMode === 'field' && vendor.reasoningField) message[vendor.reasoningField] = thinking.join('');
    const choice = legacy
      ? { text, index: 0, logprobs: null, finish_reason: finish }
      : { index: 0, message, logprobs: wantLogprobs ? { content: tokens.map((t, i) => logprobEntry(t, plan.logprobs?.[i], body.top_logprobs)) } : null, finish_reason: finish };
    sendJson(
      res,
      200,
      {
        id,
        ...(vendor.omitObject ? {} : { object: legacy ? 'text_completion' : 'chat.completion' }),
        created,
        model,
        choices: [choice],
        usage: usageAt(tokens.length, thinking.length),
      },
      { ...base, ...vendor.nonStreamHeaders?.(id) },
    );
    rec.served = { promptTokens, outputTokens: tokens.length + thinking.length + hiddenReasoning };
    return;
  }

  const includeUsage = body.stream_options?.include_usage === true && !plan.omitUsage;
  const envelope = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id,
    ...(vendor.omitObject ? {} : { object: legacy ? 'text_completion' : 'chat.completion.chunk' }),
    created,
    model,
    ...vendor.chunkFields,
    choices,
    ...extra,
  });
  const chunkExtra = (outSoFar: number, thinkSoFar: number, first: boolean): Record<string, unknown> => {
    const extra: Record<string, unknown> = {};
    if (vendor.nullUsageWhenOptedIn && includeUsage) extra.usage = null;
    if (vendor.usage === 'every_chunk' && !plan.omitUsage) extra.usage = usageAt(outSoFar, thinkSoFar);
    if (first && vendor.firstChunkExtra) Object.assign(extra, vendor.firstChunkExtra(id));
    if (vendor.obfuscation && body.stream_options?.include_obfuscation !== false) extra.obfuscation = 'q2Jx7a'.slice(0, 1 + (outSoFar % 6));
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
    const delta = thinkingMode === 'field' && vendor.reasoningField ? { [vendor.reasoningField]: t } : { content: t };
    push(envelope([choiceOf(delta)], chunkExtra(0, thinkSoFar, legacy && thinkSoFar === 1)), 1);
  }
  if (thinkingMode === 'inline' && thinking.length) push(envelope([choiceOf({ content: '</think>' })], chunkExtra(0, thinkSoFar, false)));
  const answerStart = frames.length;
  tokens.forEach((t, i) => {
    const extra: Record<string, unknown> = {};
    if (wantLogprobs) {
      const entry = logprobEntry(t, plan.logprobs?.[i], body.top_logprobs);
      extra.logprobs = legacy ? { tokens: [t], token_logprobs: [entry.logprob], top_logprobs: null, text_offset: [0] } : { content: [entry], refusal: null };
    }
    push(envelope([choiceOf({ content: t }, extra)], chunkExtra(i + 1, thinkSoFar, legacy && i === 0 && thinkSoFar === 0)), 1);
  });
  const chunking = tokenFaults(plan, answerStart);
  if (plan.midStreamError !== undefined) {
    if (typeof plan.midStreamError === 'string') frames.push(`data: ${plan.midStreamError}\n\n`);
    else push(plan.midStreamError);
    await writeStream(res, rec, 200, sseHeaders(base), frames, chunking);
    logServed();
    return;
  }
  const finishExtra = chunkExtra(tokens.length, thinkSoFar, false);
  if (vendor.usage === 'finish_chunk' && !plan.omitUsage) finishExtra.usage = usageAt(tokens.length, thinkSoFar);
  if (vendor.usage === 'x_groq' && !plan.omitUsage && vendor.finishChunkUsage) Object.assign(finishExtra, vendor.finishChunkUsage(id, promptTokens, tokens.length + thinkSoFar));
  push(envelope([choiceOf(legacy ? { content: '' } : {}, { finish_reason: finish })], finishExtra));
  if (includeUsage && vendor.usage !== 'finish_chunk' && vendor.usage !== 'every_chunk') {
    push(envelope([], { usage: usageAt(tokens.length, thinkSoFar), ...(vendor.obfuscation ? { obfuscation: 'zz' } : {}) }));
  }
  frames.push('data: [DONE]\n\n');
  await writeStream(res, rec, 200, sseHeaders(base), frames, chunking);
  logServed();
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
  if (admission.ok) return { ...base, ...counters };
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

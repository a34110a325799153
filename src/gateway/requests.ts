/**
 * Request bodies of both APIs, validated with zod before anything else happens (so a rejected
 * request never reaches the router, and so never the ledger), and turned into the core's
 * RouteRequest. Also the per-model gateway settings that apply to a request: enabled, default
 * parameters, and the requests-per-minute limit (429 with retry_after).
 */
import { z } from 'zod/v3';
import type { ChatMessage, RouteRequest } from '../core/types';
import { GatewayError } from './errors';
import { type GatewayLocale, gatewayText } from './messages';
import type { Resolved } from './models';
import type { GatewaySettings } from './settings';

/** Text of one message; OpenAI's content parts are joined (only text parts carry meaning to the router). */
const content = z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() }).passthrough()), z.null()]);
const message = z.object({ role: z.enum(['system', 'developer', 'user', 'assistant']), content }).passthrough();
const optNumber = (min: number, max: number) => z.number().min(min).max(max).nullable().optional();
const optTokens = z.number().int().positive().nullable().optional();

export const chatBodySchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(message).min(1),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).passthrough().nullable().optional(),
    max_tokens: optTokens,
    max_completion_tokens: optTokens,
    temperature: optNumber(0, 2),
    top_p: optNumber(0, 1),
  })
  .passthrough();
export type ChatBody = z.infer<typeof chatBodySchema>;

export const completionBodySchema = z
  .object({
    model: z.string().min(1),
    prompt: z.union([z.string(), z.array(z.string()).length(1)]),
    suffix: z.string().nullable().optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).passthrough().nullable().optional(),
    max_tokens: optTokens,
    temperature: optNumber(0, 2),
    top_p: optNumber(0, 1),
  })
  .passthrough();

export const generateBodySchema = z
  .object({
    model: z.string().min(1).default('auto'),
    messages: z.array(message).min(1),
    parameters: z
      .object({ temperature: optNumber(0, 2), max_tokens: optTokens, top_p: optNumber(0, 1), stream: z.boolean().nullable().optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** Parses a body or throws INVALID_REQUEST naming the first wrong field. */
export function parseBody<T extends z.ZodTypeAny>(schema: T, body: unknown, locale: GatewayLocale): z.infer<T> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError('INVALID_REQUEST', gatewayText(locale, 'invalidField', 'the body must be a JSON object'), { reason: 'invalid_body' });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
  throw new GatewayError('INVALID_REQUEST', gatewayText(locale, 'invalidField', `${where}: ${issue.message}`), { reason: 'invalid_field' });
}

export function toMessages(messages: z.infer<typeof message>[]): ChatMessage[] {
  return messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join(''),
  }));
}

const MINUTE_MS = 60_000;

/** The gateway's per-model requests-per-minute limit (gateway.models.<id>.rate_limit), a sliding minute. */
export class ModelLimiter {
  private readonly seen = new Map<string, number[]>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Counts the request, or throws RATE_LIMIT_EXCEEDED with the seconds until one slot frees. */
  take(id: string, settings: GatewaySettings, locale: GatewayLocale): void {
    const rpm = settings.models[id]?.rate_limit?.requests_per_minute;
    if (rpm === undefined) return;
    const t = this.now();
    const recent = (this.seen.get(id) ?? []).filter((at) => t - at < MINUTE_MS);
    if (recent.length >= rpm) {
      const retry = Math.max(1, Math.ceil((recent[0]! + MINUTE_MS - t) / 1000));
      this.seen.set(id, recent);
      throw new GatewayError('RATE_LIMIT_EXCEEDED', gatewayText(locale, 'modelRateLimited', id, `${rpm}/min`, retry), { model: id, reason: 'gateway_rate_limit', retry_after: retry });
    }
    recent.push(t);
    this.seen.set(id, recent);
  }
}

/** The core's request for a resolved model, with the model's gateway defaults filled in. */
export function routeRequestFor(
  resolved: Resolved,
  settings: GatewaySettings,
  fields: { messages: ChatMessage[]; maxTokens?: number | null; temperature?: number | null; fim?: { prefix: string; suffix: string }; workspaceId: string; signal: AbortSignal },
): RouteRequest {
  const defaults = settings.models[resolved.id]?.parameters;
  return {
    messages: fields.messages,
    task: resolved.task ?? (fields.fim ? 'completion' : undefined),
    mode: resolved.mode,
    pinned: resolved.pinned,
    maxTokens: fields.maxTokens ?? defaults?.max_tokens,
    temperature: fields.temperature ?? defaults?.default_temperature,
    fim: fields.fim,
    workspaceId: fields.workspaceId,
    signal: fields.signal,
  };
}

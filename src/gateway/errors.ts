/**
 * The gateway's errors, decided once as a GatewayError (code, status, message, details) and
 * written in the shape of the API that was called:
 *
 *   /api/llm, /api/v1/llm  the design note's envelope (requirements.md §5):
 *                          {error:{code, message, details{model, reason, retry_after}, request_id}}
 *   /v1                    OpenAI's: {error:{message, type, param, code}}
 *
 * The six codes keep the note's statuses. Two refusals the note has no code for take the nearest
 * one with the status HTTP and the issue call for: a body over the limit is INVALID_REQUEST with
 * 413, a hostile browser Origin is UNAUTHORIZED (401) with reason "origin_not_allowed".
 * A core failure (NormalizedError) is mapped by its kind, never by its message.
 */
import type { NormalizedError } from '../core/types';

export const ERROR_STATUS = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  MODEL_NOT_FOUND: 404,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  MODEL_UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetails {
  model?: string;
  /** A stable word a program can branch on: "budget", "host_not_allowed", "body_too_large", "rate_limit", … */
  reason?: string;
  /** Seconds, set on every 429. */
  retry_after?: number;
  /** For MODEL_NOT_FOUND: every name the gateway accepts. */
  valid_models?: string[];
}

export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    /** Only where the issue asks for a status the code's own is not (413). */
    readonly statusOverride?: number,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
  get status(): number {
    return this.statusOverride ?? ERROR_STATUS[this.code];
  }
}

/** The design note's envelope. */
export function designEnvelope(err: GatewayError, requestId: string): { error: { code: ErrorCode; message: string; details: ErrorDetails; request_id: string } } {
  return { error: { code: err.code, message: err.message, details: err.details, request_id: requestId } };
}

const OPENAI_TYPE: Record<ErrorCode, string> = {
  INVALID_REQUEST: 'invalid_request_error',
  UNAUTHORIZED: 'authentication_error',
  MODEL_NOT_FOUND: 'invalid_request_error',
  RATE_LIMIT_EXCEEDED: 'rate_limit_error',
  INTERNAL_ERROR: 'server_error',
  MODEL_UNAVAILABLE: 'service_unavailable_error',
};
/** OpenAI's own code words where it has one (model_not_found, invalid_api_key, rate_limit_exceeded). */
const OPENAI_CODE: Record<ErrorCode, string> = {
  INVALID_REQUEST: 'invalid_request',
  UNAUTHORIZED: 'invalid_api_key',
  MODEL_NOT_FOUND: 'model_not_found',
  RATE_LIMIT_EXCEEDED: 'rate_limit_exceeded',
  INTERNAL_ERROR: 'internal_error',
  MODEL_UNAVAILABLE: 'model_unavailable',
};

export function openaiEnvelope(err: GatewayError, requestId: string): { error: { message: string; type: string; param: string | null; code: string; switchyard: { code: ErrorCode; details: ErrorDetails; request_id: string } } } {
  return {
    error: {
      message: err.message,
      type: OPENAI_TYPE[err.code],
      param: err.code === 'MODEL_NOT_FOUND' ? 'model' : null,
      code: OPENAI_CODE[err.code],
      switchyard: { code: err.code, details: err.details, request_id: requestId },
    },
  };
}

/** Headers that go with an error: Retry-After on 429 (whole seconds, RFC 9110). */
export function errorHeaders(err: GatewayError): Record<string, string> {
  return err.details.retry_after !== undefined ? { 'retry-after': String(err.details.retry_after) } : {};
}

/** A budget refusal is retried when the day's period turns over: seconds until the next local midnight. */
export function secondsToNextDay(now: Date): number {
  const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  return Math.max(1, Math.ceil((next.getTime() - now.getTime()) / 1000));
}

/**
 * What the core's failure means for the gateway's client. `attempted` is false when no model was
 * tried at all: the router's "no model is available" (every candidate left out: no key, Ollama
 * down, context too small) comes as kind model_not_found, but the name the client sent was
 * valid (the gateway checked it), so it is MODEL_UNAVAILABLE, not MODEL_NOT_FOUND.
 */
export function fromCoreError(e: NormalizedError, attempted: boolean, now: () => Date = () => new Date()): GatewayError {
  const model = e.provider && e.model ? `${e.provider}/${e.model}` : e.model;
  const details: ErrorDetails = { model, reason: e.kind };
  if (!attempted && e.kind === 'model_not_found') return new GatewayError('MODEL_UNAVAILABLE', e.message, { ...details, reason: 'no_model_available' });
  switch (e.kind) {
    case 'rate_limit':
    case 'quota':
      return new GatewayError('RATE_LIMIT_EXCEEDED', e.message, { ...details, retry_after: Math.max(1, Math.ceil((e.retryAfterMs ?? 60_000) / 1000)) });
    case 'budget':
      return new GatewayError('RATE_LIMIT_EXCEEDED', e.message, { ...details, retry_after: secondsToNextDay(now()) });
    case 'model_not_found':
      return new GatewayError('MODEL_NOT_FOUND', e.message, details);
    case 'context_length':
    case 'content_filter':
    case 'bad_request':
      return new GatewayError('INVALID_REQUEST', e.message, details);
    case 'unknown':
      return new GatewayError('INTERNAL_ERROR', e.message, details);
    default:
      // auth (the provider's key, not the client's), network, timeout, server, overloaded,
      // bad_response, local_only, config_invalid: nothing the client can fix in its request.
      return new GatewayError('MODEL_UNAVAILABLE', e.message, details);
  }
}

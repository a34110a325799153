/**
 * The router's decisions about failures, made once and by kind (never by matching messages):
 * which errors move on to the next candidate, and how an unexpected throw becomes a
 * NormalizedError.
 */
import type { ConfigInvalid, ErrorKind, ModelRef, NormalizedError } from '../types';
import { SwitchyardError, formatModelRef } from '../types';

/**
 * Failures before the first token after which another candidate can still answer: the
 * requirements' switch conditions (API failure, timeout, rate limit, model unavailable) plus a
 * malformed reply and a context window the next model may be large enough for. A bad request
 * or a content-filter refusal would fail the same way everywhere, so those end the request.
 */
export const FAILOVER_KINDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'network',
  'server',
  'rate_limit',
  'quota',
  'auth',
  'model_not_found',
  'overloaded',
  'timeout',
  'bad_response',
  'context_length',
]);

export function toNormalizedError(err: unknown, ref?: ModelRef): NormalizedError {
  if (err instanceof SwitchyardError) {
    return { ...err.info, provider: err.info.provider ?? ref?.provider, model: err.info.model ?? ref?.model };
  }
  const message = err instanceof Error ? err.message : String(err);
  return {
    kind: 'unknown',
    message: ref ? `${formatModelRef(ref)} failed: ${message}` : message,
    provider: ref?.provider,
    model: ref?.model,
    retryable: false,
  };
}

export function cancelledError(ref?: ModelRef): NormalizedError {
  return { kind: 'cancelled', message: 'The request was cancelled.', provider: ref?.provider, model: ref?.model, retryable: false };
}

/**
 * The refusal of every cloud candidate while settings that fail closed cannot be read (see
 * parseConfig): names the setting and what is wrong with it; `fix` points each surface at it.
 */
export function configInvalidError(reasons: readonly ConfigInvalid[]): NormalizedError {
  const first = reasons[0]!;
  const name = (r: ConfigInvalid) => r.setting || '(the whole settings object)';
  const others = reasons.length > 1 ? ` (and ${reasons.slice(1).map(name).join(', ')})` : '';
  return {
    kind: 'config_invalid',
    message:
      `Cloud models are refused: the setting ${name(first)}${others} cannot be read (${first.problem}), and its default could allow more than you meant. ` +
      'Fix it to use cloud models again; local models still answer.',
    retryable: false,
    fix: { action: 'fix_setting', setting: first.setting },
  };
}

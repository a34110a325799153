/**
 * Step 1, plan: the routing decision (classification and selection, see selection.ts), the
 * queue of candidates the loop will try, and the error when the queue is empty.
 */
import type { Candidate, NormalizedError, RoutingDecision } from '../../types';
import { formatModelRef } from '../../types';
import { promptTooLargeError } from '../contextFit';
import { configInvalidError } from '../errors';
import type { RouteContext } from './context';

export interface RoutePlan {
  decision: RoutingDecision;
  /** The candidates to try, in order (cloud ones left out when cloud is refused). */
  queue: readonly Candidate[];
  /** Set when settings that fail closed could not be read: why no cloud candidate is tried. */
  refusal: NormalizedError | undefined;
  /** Set when the queue is empty: the request's error. */
  error?: NormalizedError;
}

export async function planRoute(ctx: RouteContext): Promise<RoutePlan> {
  const { deps, log, requestId } = ctx;
  const decision = await deps.plan(ctx.req);
  log.info('route.decision', {
    requestId,
    task: decision.task,
    taskReason: decision.taskReason,
    mode: decision.mode,
    candidates: decision.candidates.map((c) => formatModelRef(c.ref)),
    excluded: decision.excluded.map((e) => `${e.ref}: ${e.why}`),
  });
  // Selection already leaves cloud providers out then; this holds whatever plan() returned.
  const refusal = deps.cloudRefused?.length ? configInvalidError(deps.cloudRefused) : undefined;
  const queue = refusal ? decision.candidates.filter((c) => c.locality !== 'cloud') : decision.candidates;
  if (queue.length > 0) return { decision, queue, refusal };
  const error = noCandidateError(decision, refusal);
  log.warn('route.no_candidate', { requestId, kind: error.kind, message: error.message });
  return { decision, queue, refusal, error };
}

function noCandidateError(decision: RoutingDecision, refusal: NormalizedError | undefined): NormalizedError {
  // No window holds the prompt: say that with the sizes, whatever the mode.
  const tooLarge = promptTooLargeError(decision);
  if (tooLarge) return tooLarge;
  const shown = decision.excluded.slice(0, 4).map((e) => e.why);
  const reasons = shown.length > 0 ? ` Left out: ${shown.join('; ')}${decision.excluded.length > shown.length ? '; …' : ''}.` : '';
  if (refusal) return { ...refusal, message: `${refusal.message} No local model could take this ${decision.task} request.${reasons}` };
  if (decision.mode === 'local') {
    return {
      kind: 'local_only',
      message: `No local model can answer this ${decision.task} request, and Local-only mode forbids cloud models.${reasons} Install one (for example "ollama pull qwen2.5:7b") or change the mode.`,
      retryable: false,
    };
  }
  // A provider left out only for its missing key is one thing the user can do (the surface says how).
  const fix = decision.excluded.find((e) => e.fix)?.fix;
  return {
    kind: 'model_not_found',
    message: `No model is available for this ${decision.task} request.${reasons} Start Ollama, add an API key, or check the provider settings.`,
    retryable: false,
    ...(fix ? { fix } : {}),
  };
}

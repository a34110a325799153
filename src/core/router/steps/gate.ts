/**
 * Step 2, gate: whether a candidate may be tried at all, before anything is reserved or sent:
 * its provider is set up, the request is not cancelled, and the provider guard (guard.ts) lets
 * it through. A candidate that does not pass is skipped: the loop moves on to the next one.
 */
import type { Candidate, Provider } from '../../types';
import { formatModelRef } from '../../types';
import { toNormalizedError } from '../errors';
import { type GuardRequest, skipError } from '../guard';
import { type AttemptOutcome, type RouteContext, errorFields } from './context';

/** The provider to send to, or how the attempt ended before it began. */
export function gateCandidate(ctx: RouteContext, candidate: Candidate): { provider: Provider } | AttemptOutcome {
  const { ref } = candidate;
  const provider = ctx.deps.provider(ref.provider);
  if (!provider) return { kind: 'next', error: { kind: 'unknown', message: `No provider "${ref.provider}" is set up.`, provider: ref.provider, retryable: false } };
  if (ctx.req.signal.aborted) return { kind: 'cancelled' };
  return { provider };
}

/** Asks the provider guard (only called when there is one); undefined when the candidate may go. */
export async function askGuard(ctx: RouteContext, guardRequest: GuardRequest): Promise<AttemptOutcome | undefined> {
  const { candidate } = guardRequest;
  let verdict;
  try {
    verdict = await ctx.deps.providerGuard!.gate(guardRequest);
  } catch (err) {
    // The guard protects providers; a bug in it must not stop routing: the candidate goes.
    ctx.log.error('route.guard_failed', { requestId: ctx.requestId, ref: formatModelRef(candidate.ref), step: 'gate', message: toNormalizedError(err).message });
    return undefined;
  }
  if (verdict.ok) return undefined;
  const error = skipError(candidate, verdict);
  ctx.log.warn('route.skipped', errorFields(ctx.requestId, candidate.ref, error));
  return { kind: 'next', error };
}

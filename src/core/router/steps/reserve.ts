/**
 * Step 3, reserve: what an attempt holds before its request is sent: the budget's reservation
 * (SpendGuard: it may lower max_tokens or refuse the candidate) and then the provider guard's
 * lease (guard.ts: the slot in its windows). The gate comes first so that nothing is reserved
 * for a candidate that is skipped; the lease comes last so that a budget refusal takes no slot.
 */
import type { Candidate, ModelRef, Reservation, Task } from '../../types';
import { formatModelRef } from '../../types';
import type { GuardLease, GuardRequest } from '../guard';
import { toNormalizedError } from '../errors';
import { type AttemptOutcome, type RouteContext, errorFields } from './context';

/** Only called when there is a SpendGuard. */
export async function reserveSpend(
  ctx: RouteContext,
  candidate: Candidate,
  ask: { task: Task; maxTokens: number; escalatedFrom: ModelRef | undefined },
): Promise<{ reservation: Reservation } | AttemptOutcome> {
  const { req } = ctx;
  const { ref, locality } = candidate;
  try {
    const reservation = await ctx.deps.spendGuard!.reserve({
      workspaceId: req.workspaceId,
      task: ask.task,
      ref,
      locality,
      inputTokensEstimate: ctx.inputTokensEstimate(),
      maxTokens: ask.maxTokens,
      escalatedFrom: ask.escalatedFrom,
      requestId: ctx.requestId,
      thinking: req.thinking,
    });
    return { reservation };
  } catch (err) {
    // A refusal (or a broken guard) means no spending on this candidate: fail closed, try the next.
    const error = toNormalizedError(err, ref);
    ctx.log.warn('route.reserve_refused', errorFields(ctx.requestId, ref, error));
    return { kind: 'next', error };
  }
}

/** Only called when there is a provider guard; undefined when its admit threw (logged). */
export async function admitAttempt(ctx: RouteContext, guardRequest: GuardRequest): Promise<GuardLease | undefined> {
  try {
    return await ctx.deps.providerGuard!.admit(guardRequest);
  } catch (err) {
    ctx.log.error('route.guard_failed', { requestId: ctx.requestId, ref: formatModelRef(guardRequest.candidate.ref), step: 'admit', message: toNormalizedError(err).message });
    return undefined;
  }
}

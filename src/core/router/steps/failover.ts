/**
 * After an attempt that failed before its first token (or was skipped): the next candidate
 * and the `failover` event that says why, or, when none is left, how the request ends.
 */
import type { Candidate, ModelRef, NormalizedError, StreamEvent } from '../../types';
import { formatModelRef } from '../../types';
import { noticeEvent } from '../../reasons';
import { type RouteContext, errorFields } from './context';
import { findNext } from './judge';
import type { RoutePlan } from './plan';

export interface FailoverStep {
  event: StreamEvent;
  /** The candidate to try next, or -1 when the request ends with `event`. */
  next: number;
}

export function failover(
  ctx: RouteContext,
  plan: RoutePlan,
  index: number,
  error: NormalizedError,
  /** Set once the request has escalated: only cloud candidates are left to try, and this answer stands if none answers. */
  escalatedFrom: ModelRef | undefined,
): FailoverStep {
  const { queue, refusal } = plan;
  const candidate = queue[index]!;
  const nextIndex = findNext(queue, index + 1, escalatedFrom !== undefined);
  if (nextIndex < 0) {
    if (escalatedFrom) {
      // The escalation failed; the local answer the user already has stands.
      ctx.finalRef = escalatedFrom;
      return { next: -1, event: noticeEvent(ctx.attempts, { code: 'notice_escalation_failed', error: error.message, model: formatModelRef(escalatedFrom) }) };
    }
    // With cloud refused, the invalid setting is why nothing else was tried: it is the error to fix.
    return { next: -1, event: { type: 'error', error: refusal ? { ...refusal, message: `${refusal.message} The local attempt failed: ${error.message}` } : error } };
  }
  const next = queue[nextIndex]!;
  return { next: nextIndex, event: { type: 'failover', from: candidate.ref, to: next.ref, error } };
}

/** The provider guard asked for the same candidate again: said as a failover to itself. */
export function retry(ctx: RouteContext, candidate: Candidate, error: NormalizedError): StreamEvent {
  ctx.log.warn('route.retry', errorFields(ctx.requestId, candidate.ref, error));
  return { type: 'failover', from: candidate.ref, to: candidate.ref, error };
}

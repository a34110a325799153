/**
 * Step 5, judge: the escalation signals on an answer, and what the loop does about them:
 * nothing, a notice that the answer may be unreliable, or an escalation to a stronger model.
 * Mid-stream, TokenPhase asks the same hook through confirmEscalation.
 */
import type { AnswerWatcher, Candidate, EscalationContext, EscalationHook, SignalResult, StreamEvent } from '../../types';
import { formatModelRef } from '../../types';
import { noticeEvent } from '../../reasons';
import { DEFAULT_MAX_TOKENS } from '../defaults';
import type { TokenPhase } from '../tokenPhase';
import type { AttemptOutcome, EscalationTarget, RouteContext } from './context';
import type { RoutePlan } from './plan';
import type { AttemptEnd } from './settle';

/**
 * At most one escalation per request: the cascade is "small model, then big model"; a second
 * hop would multiply cost on exactly the questions no model answers well.
 */
export const MAX_ESCALATIONS = 1;

/** Where the answer of the candidate at `index` would escalate to, when it can (decided before the attempt, so a doubtful answer is cut short only when it can actually be escalated). */
export function escalationFor(ctx: RouteContext, plan: RoutePlan, index: number, escalations: number): EscalationTarget | undefined {
  const { mode } = plan.decision;
  const targetIndex = mode !== 'local' && escalations < MAX_ESCALATIONS ? findNext(plan.queue, index + 1, true) : -1;
  if (targetIndex < 0) return undefined;
  return { target: plan.queue[targetIndex]!, index: targetIndex, context: escalationContextFor(ctx, plan) };
}

/** The signals that fired on a finished answer: those that cut it, else those mid-stream plus the watcher's verdict at finish. */
export function finalSignals(watcher: AnswerWatcher | undefined, phase: TokenPhase, end: AttemptEnd): SignalResult[] {
  let fired = phase.stoppedByWatcher;
  if (watcher && fired.length === 0 && !end.error && !end.cancelled) {
    fired = [...phase.firedEarly];
    for (const r of watcher.onFinish(phase.text, end.finish)) if (r.fired && !fired.some((f) => f.signal === r.signal)) fired.push(r);
  }
  return fired;
}

/** What the loop does after an answer: `event` to emit (a notice or the escalate), `escalate` set when it moves on to that target. */
export interface Judgement {
  event?: StreamEvent;
  escalate?: EscalationTarget;
}

/** Escalates when the escalation hook's signals fired and the mode and policy allow. */
export async function judgeAnswer(
  ctx: RouteContext,
  plan: RoutePlan,
  candidate: Candidate,
  outcome: Extract<AttemptOutcome, { kind: 'answered' }>,
  escalation: EscalationTarget | undefined,
): Promise<Judgement> {
  const { deps, log, requestId } = ctx;
  const { fired } = outcome;
  if (fired.length === 0 || !deps.escalation) return {};
  const signals = fired.flatMap((f) => (f.reason ? [f.reason] : []));
  const from = formatModelRef(candidate.ref);
  if (plan.decision.mode === 'local') {
    log.info('route.escalation_blocked', { requestId, from, signals: fired.map((f) => f.signal), because: 'local-only mode' });
    return { event: noticeEvent(ctx.attempts, { code: 'notice_unreliable_local_only', signals }, fired) };
  }
  if (!escalation) {
    const { refusal } = plan;
    return { event: noticeEvent(ctx.attempts, refusal ? { code: 'notice_unreliable_refused', signals, refusal: refusal.message } : { code: 'notice_unreliable_no_target', signals }, fired) };
  }
  const next = escalation.target;
  const agreed =
    outcome.verdict !== undefined ? outcome.verdict === 'agreed' : await confirmEscalation(deps.escalation, fired, next, escalationContextFor(ctx, plan));
  if (!agreed || ctx.req.signal.aborted) {
    log.info('route.escalation_declined', { requestId, from, to: formatModelRef(next.ref) });
    return {};
  }
  return { event: { type: 'escalate', from: candidate.ref, to: next.ref, reasons: fired }, escalate: escalation };
}

/** Calls the hook's confirm with the request context (the escalation module uses it for Local-only and the per-request cost ceiling); a failing confirm declines. */
export function confirmEscalation(hook: EscalationHook, reasons: SignalResult[], next: Candidate, context: EscalationContext): Promise<boolean> {
  return hook.confirm(reasons, next, context).catch(() => false);
}

/** Next candidate index from `from`, skipping local ones once the request has escalated. */
export function findNext(queue: readonly Candidate[], from: number, cloudOnly: boolean): number {
  for (let i = from; i < queue.length; i++) if (!cloudOnly || queue[i]!.locality === 'cloud') return i;
  return -1;
}

/** The request context handed to EscalationHook.confirm. */
function escalationContextFor(ctx: RouteContext, plan: RoutePlan): EscalationContext {
  const { req } = ctx;
  return { mode: plan.decision.mode, inputTokensEstimate: ctx.inputTokensEstimate(), maxTokens: req.maxTokens ?? DEFAULT_MAX_TOKENS, workspaceId: req.workspaceId };
}

/**
 * The router loop: one request, planned once, tried candidate by candidate. This is the ONE
 * place that retries, fails over and escalates (provider SDK retries are off), so every
 * decision is visible in the event stream and the log.
 *
 * Per request:  decision → (attempt: start → thinking/text/usage… → cost → finish)
 *               [→ failover | escalate → next attempt]… → error? → done
 *
 * The steps, one module each under steps/, in the order the loop runs them:
 *   plan     the decision and the queue of candidates (or the request's error)      plan.ts
 *   gate     may the candidate be tried: provider set up, not cancelled, the
 *            provider guard lets it through                                         gate.ts
 *   reserve  the budget's reservation, then the provider guard's lease               reserve.ts
 *   attempt  send, stream the answer (TokenPhase), end                               attempt.ts
 *   judge    the escalation signals, and whether to escalate                         judge.ts
 *   settle   finish and timing, the budget's and the guard's settle, the outcome     settle.ts
 * and after a failure before the first token, the failover to the next one           failover.ts
 * The provider guard (guard.ts) is the reliability layer's one seam: asked at gate, reserve and settle.
 *
 * Timeouts (before the first byte and between chunks) belong to the providers (streamGuard),
 * which report them as `timeout` errors; the loop fails over on them like any other.
 *
 * Guarantees callers rely on:
 * - it never throws: every failure becomes an `error` event, and `done` is always the last event;
 * - every SpendGuard reservation and ProviderGuard lease is settled exactly once (success,
 *   failure, cancel, or the caller walking away from the iterator);
 * - cancelling the request signal aborts the attempt at the socket and ends with
 *   `finish: cancelled` then `done`.
 */
import type { ConfigInvalid, EscalationHook, Logger, ModelRef, Provider, RouteRequest, RoutingDecision, SpendGuard, StreamEvent } from '../types';
import { formatModelRef } from '../types';
import { toNormalizedError } from './errors';
import type { ProviderGuard } from './guard';
import { RouteStream } from './routeStream';
import { prepareAttempt, sendAttempt } from './steps/attempt';
import { type RouteContext, errorFields, routeContext } from './steps/context';
import { failover, retry } from './steps/failover';
import { escalationFor, judgeAnswer } from './steps/judge';
import { planRoute } from './steps/plan';
import type { TokenPhase } from './tokenPhase';

export { withSystemPrompt } from './steps/attempt';

export interface RouterDeps {
  /** Classifies (when needed) and selects; see selection.ts. */
  plan(req: RouteRequest): Promise<RoutingDecision>;
  provider(id: string): Provider | undefined;
  /** Ollama keep_alive for a local model (the sidecar's residency plan, else settings `local.keepAlive`). */
  keepAliveFor?(model: string): string | number | undefined;
  spendGuard?: SpendGuard;
  /** Quotas, breakers, retries (guard.ts); none by default, and then none of its steps runs. */
  providerGuard?: ProviderGuard;
  escalation?: EscalationHook;
  /** Settings that fail closed and could not be read: no cloud candidate is tried (see parseConfig). */
  cloudRefused?: readonly ConfigInvalid[];
  logger: Logger;
  /** Monotonic clock in ms; performance.now by default. */
  now?: () => number;
}

export function routeStream(req: RouteRequest, deps: RouterDeps): AsyncIterableIterator<StreamEvent> {
  return new RouteStream(routeEvents(req, deps));
}

/** The loop's frame: it never throws, and `done` comes last. Its attempts hand their answer streams to RouteStream as TokenPhases. */
async function* routeEvents(req: RouteRequest, deps: RouterDeps): AsyncGenerator<StreamEvent | TokenPhase, void, undefined> {
  const ctx = routeContext(req, deps);
  try {
    yield* route(ctx);
  } catch (err) {
    // A bug or a broken hook: report it as an event, never as a throw.
    const error = toNormalizedError(err);
    ctx.log.error('route.internal_error', { requestId: ctx.requestId, message: error.message });
    yield { type: 'error', error };
  }
  yield { type: 'done', attempts: ctx.attempts, finalRef: ctx.finalRef };
}

/** The steps in order, candidate by candidate, until one answer stands or the request ends. */
async function* route(ctx: RouteContext): AsyncGenerator<StreamEvent | TokenPhase, void, undefined> {
  if (ctx.req.signal.aborted) return;
  const plan = await planRoute(ctx);
  yield { type: 'decision', decision: plan.decision };
  if (plan.error) {
    yield { type: 'error', error: plan.error };
    return;
  }
  const { queue } = plan;
  let index = 0;
  let escalations = 0;
  /** Set once escalated: the answer that stands if the escalation fails. */
  let escalatedFrom: ModelRef | undefined;

  while (index < queue.length) {
    const candidate = queue[index]!;
    const escalation = escalationFor(ctx, plan, index, escalations);
    const spec = { attempt: ctx.attempts + 1, task: plan.decision.task, escalatedFrom, escalation, remaining: queue.length - index - 1 };
    const prepared = await prepareAttempt(ctx, candidate, spec);
    const outcome = 'kind' in prepared ? prepared : yield* sendAttempt(ctx, candidate, spec, prepared);

    switch (outcome.kind) {
      case 'cancelled':
        ctx.log.info('route.cancelled', { requestId: ctx.requestId, ref: formatModelRef(candidate.ref) });
        return;
      case 'fatal':
        ctx.log.error('route.error', errorFields(ctx.requestId, candidate.ref, outcome.error));
        yield { type: 'error', error: outcome.error };
        return;
      case 'retry':
        yield retry(ctx, candidate, outcome.error);
        continue;
      case 'next': {
        const step = failover(ctx, plan, index, outcome.error, escalatedFrom);
        yield step.event;
        if (step.next < 0) return;
        index = step.next;
        continue;
      }
    }

    ctx.finalRef = candidate.ref;
    const judged = await judgeAnswer(ctx, plan, candidate, outcome, escalation);
    if (judged.event) yield judged.event;
    if (!judged.escalate) return;
    escalations++;
    escalatedFrom = candidate.ref;
    index = judged.escalate.index;
  }
}

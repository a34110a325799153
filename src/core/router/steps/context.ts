/**
 * What every step of one routed request shares: the request, the router's dependencies, the
 * request id of its log lines, and the two facts the final `done` event reports. Steps are
 * small functions over this context; the loop in router.ts decides their order.
 */
import { estimateInputTokens } from '../../cost/tokens';
import type { Candidate, EscalationContext, Logger, ModelRef, NormalizedError, RouteRequest, SignalResult } from '../../types';
import { formatModelRef } from '../../types';
import type { RouterDeps } from '../router';

export interface RouteContext {
  readonly req: RouteRequest;
  readonly deps: RouterDeps;
  readonly log: Logger;
  readonly requestId: string;
  /** Monotonic clock in ms. */
  readonly now: () => number;
  /** Attempts started so far (reported by `done`). */
  attempts: number;
  /** The model whose answer stands (reported by `done`). */
  finalRef: ModelRef | undefined;
  /**
   * Input size for the budget, the guard and the escalation: counted once per request and only
   * when one of them asks, with the cost module's tokenizer so that the reservation and the
   * final bill count the same way.
   */
  inputTokensEstimate(): number;
}

export function routeContext(req: RouteRequest, deps: RouterDeps): RouteContext {
  let inputTokens: number | undefined;
  return {
    req,
    deps,
    log: deps.logger,
    requestId: newRequestId(),
    now: deps.now ?? (() => performance.now()),
    attempts: 0,
    finalRef: undefined,
    inputTokensEstimate: () => (inputTokens ??= estimateInputTokens(req.messages, req.fim)),
  };
}

/** The outcome of one attempt, decided on by the loop. */
export type AttemptOutcome =
  /** `verdict`: whether escalation was already confirmed or declined mid-stream. */
  | { kind: 'answered'; fired: SignalResult[]; verdict?: 'agreed' | 'declined' }
  | { kind: 'cancelled' }
  /** Failed before its first token (or was skipped or refused before starting): try the next candidate. */
  | { kind: 'next'; error: NormalizedError }
  /** Failed before its first token, and the provider guard asked for the same candidate again. */
  | { kind: 'retry'; error: NormalizedError }
  /** Failed in a way no other candidate fixes, or after the first token. */
  | { kind: 'fatal'; error: NormalizedError };

/** Set when an attempt's answer could be escalated: where to, and the context for confirm. */
export interface EscalationTarget {
  target: Candidate;
  /** The target's place in the queue. */
  index: number;
  context: EscalationContext;
}

export function errorFields(requestId: string, ref: ModelRef, error: NormalizedError): Record<string, unknown> {
  // The message is ours or the vendor's error text, never the prompt; keys are never in it (provider contract).
  return { requestId, ref: formatModelRef(ref), kind: error.kind, status: error.status, providerCode: error.providerCode, message: error.message };
}

let requestSeq = 0;
function newRequestId(): string {
  return `r${Date.now().toString(36)}-${(++requestSeq).toString(36)}`;
}

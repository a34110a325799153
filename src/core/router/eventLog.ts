/**
 * The one place that logs router events. Every event the router's loop emits (decision,
 * attempt start, notice, cost, finish, failover, escalate, error) becomes exactly one log line
 * here, tagged with the request id; surfaces (the panel, the CLI, later the gateway) log their
 * own requests, never the router's events again. Per-token events (text, thinking, usage) are
 * not logged: they go through the router's fast lane and would be a line per token.
 */
import type { Logger, ModelRef, NormalizedError, StreamEvent } from '../types';
import { formatModelRef } from '../types';

export class RouteEventLog {
  /** attempt → model, so that finish and cost lines say which model they are about. */
  private readonly refs = new Map<number, string>();

  constructor(
    private readonly log: Logger,
    readonly requestId: string,
  ) {}

  record(event: StreamEvent): void {
    const { log, requestId } = this;
    switch (event.type) {
      case 'decision':
        log.info('route.decision', {
          requestId,
          task: event.decision.task,
          taskReason: event.decision.taskReason,
          mode: event.decision.mode,
          candidates: event.decision.candidates.map((c) => formatModelRef(c.ref)),
          excluded: event.decision.excluded.map((e) => `${e.ref}: ${e.why}`),
        });
        return;
      case 'start': {
        const ref = formatModelRef(event.ref);
        this.refs.set(event.attempt, ref);
        log.info('route.attempt', { requestId, attempt: event.attempt, ref, locality: event.locality, why: event.why });
        return;
      }
      case 'notice':
        log.info('route.notice', { requestId, attempt: event.attempt, ref: this.refs.get(event.attempt), notice: event.message });
        return;
      case 'cost':
        log.info('route.cost', { requestId, attempt: event.attempt, ref: this.refs.get(event.attempt), cost: event.cost });
        return;
      case 'finish':
        log.info('route.finish', { requestId, attempt: event.attempt, ref: this.refs.get(event.attempt), reason: event.reason, ttftMs: event.timing.ttftMs, totalMs: event.timing.totalMs });
        return;
      case 'failover':
        log.warn('route.failover', { ...errorFields(requestId, event.from, event.error), to: formatModelRef(event.to) });
        return;
      case 'escalate':
        log.info('route.escalate', { requestId, from: formatModelRef(event.from), to: formatModelRef(event.to), signals: event.reasons.filter((r) => r.fired).map((r) => r.signal) });
        return;
      case 'error':
        log.error('route.error', errorFields(requestId, undefined, event.error));
        return;
      case 'text':
      case 'thinking':
      case 'usage':
      case 'done':
        return;
    }
  }
}

function errorFields(requestId: string, ref: ModelRef | undefined, error: NormalizedError): Record<string, unknown> {
  // The message is ours or the vendor's error text, never the prompt; keys are never in it (provider contract).
  return { requestId, ref: ref ? formatModelRef(ref) : error.provider, kind: error.kind, status: error.status, providerCode: error.providerCode, message: error.message };
}

/**
 * Runs one request through the core's `stream()` — the same call as the panel and the CLI — and
 * tells the route what happened: every text delta (for streaming routes), and at the end one
 * Outcome with the answering model, the usage, the cost of every attempt and the decision.
 * Route handlers stay thin: they map an Outcome to their API's shape and nothing else.
 */
import type { CostBreakdown, FinishReason, Locality, ModelRef, NormalizedError, RouteRequest, RoutingDecision, SignalResult, Switchyard, Usage } from '../core/types';
import { formatModelRef } from '../core/types';

export interface Outcome {
  /** The final attempt's text (an escalated or failed-over answer replaces the earlier one). */
  text: string;
  finish?: FinishReason;
  ref?: ModelRef;
  locality?: Locality;
  /** The final attempt's usage. */
  usage?: Usage;
  /** Every attempt's cost added up: what this request was charged. */
  costUsd: number;
  inputCostUsd: number;
  outputCostUsd: number;
  costEstimated: boolean;
  decision?: RoutingDecision;
  attempts: number;
  escalations: { from: string; to: string; reasons: string[] }[];
  failovers: { from: string; to: string; reason: string }[];
  error?: NormalizedError;
  ttftMs?: number;
  totalMs: number;
}

export interface DriveHooks {
  /** Before the first text of an attempt (streaming routes send their headers here). */
  onStart?(ref: ModelRef, locality: Locality, decision: RoutingDecision | undefined): void;
  /** Each text delta, with the outcome so far (its `ref` is the model answering now). */
  onText?(text: string, sofar: Outcome): void;
}

export async function drive(sy: Switchyard, req: RouteRequest, hooks: DriveHooks = {}): Promise<Outcome> {
  const started = performance.now();
  const out: Outcome = { text: '', costUsd: 0, inputCostUsd: 0, outputCostUsd: 0, costEstimated: false, attempts: 0, escalations: [], failovers: [], totalMs: 0 };
  let started1 = false;
  for await (const ev of sy.stream(req)) {
    switch (ev.type) {
      case 'decision':
        out.decision = ev.decision;
        break;
      case 'start':
        out.text = '';
        out.usage = undefined;
        out.finish = undefined;
        out.ref = ev.ref;
        out.locality = ev.locality;
        out.attempts = ev.attempt;
        break;
      case 'text':
        if (!started1 && out.ref && out.locality) {
          started1 = true;
          out.ttftMs = performance.now() - started;
          hooks.onStart?.(out.ref, out.locality, out.decision);
        }
        out.text += ev.text;
        hooks.onText?.(ev.text, out);
        break;
      case 'usage':
        out.usage = ev.usage;
        break;
      case 'cost':
        addCost(out, ev.cost);
        break;
      case 'finish':
        out.finish = ev.reason;
        break;
      case 'escalate':
        out.escalations.push({ from: formatModelRef(ev.from), to: formatModelRef(ev.to), reasons: ev.reasons.filter((r: SignalResult) => r.fired).map((r) => r.signal) });
        break;
      case 'failover':
        out.failovers.push({ from: formatModelRef(ev.from), to: formatModelRef(ev.to), reason: ev.error.kind });
        break;
      case 'error':
        out.error = ev.error;
        break;
      case 'done':
        out.attempts = ev.attempts;
        if (ev.finalRef) out.ref = ev.finalRef;
        break;
    }
  }
  out.totalMs = performance.now() - started;
  return out;
}

function addCost(out: Outcome, cost: CostBreakdown): void {
  out.costUsd += cost.totalUsd;
  out.inputCostUsd += cost.inputUsd;
  out.outputCostUsd += cost.outputUsd;
  out.costEstimated ||= cost.estimated;
}

/** The decision as a client sees it: short, no internal objects. */
export function decisionSummary(o: Outcome): { task?: string; task_reason?: string; mode?: string; candidates: string[]; why?: string[]; escalations: Outcome['escalations']; failovers: Outcome['failovers'] } {
  const d = o.decision;
  const answered = d?.candidates.find((c) => o.ref && c.ref.provider === o.ref.provider && c.ref.model === o.ref.model);
  return {
    task: d?.task,
    task_reason: d?.taskReason,
    mode: d?.mode,
    candidates: d?.candidates.map((c) => formatModelRef(c.ref)) ?? [],
    why: answered?.why,
    escalations: o.escalations,
    failovers: o.failovers,
  };
}

/** The OpenAI finish_reason for ours. */
export function openaiFinish(reason: FinishReason | undefined): 'stop' | 'length' | 'content_filter' | 'tool_calls' {
  return reason === 'length' || reason === 'content_filter' || reason === 'tool_calls' ? reason : 'stop';
}

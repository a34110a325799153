/**
 * Escalation: answer locally first, move to a cloud model only when the local answer is not
 * good enough.
 *
 *   hook.ts          the EscalationHook the router calls: marker instruction for local prompts,
 *                    a watcher per local attempt, and confirm() under policy off / ask / auto,
 *                    Local-only mode and the per-request cost ceiling
 *   watcher.ts       one attempt: feeds deltas to the streaming signals, asks every enabled
 *                    signal for a verdict at the end
 *   signals/*.ts     the signals, each a small pure judge that explains itself:
 *                    logprobs, marker, code_parse, math_final, truncated, empty, refusal, user
 *   defaults.ts      default thresholds and the evaluation numbers they come from
 *   calibration.ts   evaluation on the labelled set and RouteLLM-style calibration
 *   costCeiling.ts   worst-case price of an escalation from the cost module's table
 *
 *   const hook = createEscalationHook({ config: config.escalation, confirm, logger,
 *                                       estimateWorstCaseUsd: worstCaseFromPrices(config) });
 */
export { createEscalationHook } from './hook';
export type { ConfirmEscalation, EscalationCostContext, EscalationHookOptions, FullEscalationHook, WorstCaseEstimator } from './hook';
export { createAnswerWatcher, judgesFor, acceptingWatcher } from './watcher';
export { userEscalation, userEscalationFor } from './signals/user';
export { MARKER_INSTRUCTION } from './signals/marker';
export { calibrateThreshold, evaluate, judgeSample } from './calibration';
export type { Calibration, Evaluation, LabelledSample } from './calibration';
export { worstCaseFromPrices } from './costCeiling';

/** Escalation from a local answer to a cloud model when the local answer is not good enough. */
export { createEscalationHook } from './hook';
export type { ConfirmEscalation, EscalationCostContext, EscalationHookOptions, FullEscalationHook, WorstCaseEstimator } from './hook';
export { createAnswerWatcher, judgesFor, acceptingWatcher } from './watcher';
export { userEscalation, userEscalationFor } from './signals/user';
export { MARKER_INSTRUCTION } from './signals/marker';
export { calibrateThreshold } from './calibration';
export type { LabelledSample } from './calibration';
export { worstCaseFromPrices } from './costCeiling';

/** The reliability layer (issue 18): quotas, retries, circuit breakers and provider status, shared by every process on the machine. */
export { createReliabilityGuard, defaultGuardDir, keyFingerprint, type Admission, type GateResult, type GuardCandidate, type ReliabilityLease, type ReliabilityOutcome, type ReliabilityGuard, type ReliabilityGuardOptions, type SlotEstimate, type WaitResult } from './guard';
export { describeSkip, type SkipReason, type QuotaWindow } from './reasons';
export { retryDecision, isBalanceError, type RetryDecision, type RetryContext, type ProviderMark } from './retry';
export { parseReliabilitySettings, defaultReliabilitySettings, reliabilitySettingsSchema, SETTINGS_PREFIX, type ReliabilitySettings, type ReliabilityProblem } from './settings';
export { learnFromHeaders, waitFromAnswer, parseReset, type LearnedQuota } from './learn';
export { resolveLimits, type ScopedLimits } from './limits';
export { percentiles, type StatusSnapshot, type ProviderStatus, type ModelStatus, type ProviderState } from './status';
export * from './defaults';
export { createProviderGuard, routerGuardFor, skipVerdict, type RouterGuardOptions, type SwitchyardProviderGuard } from './routerGuard';

/**
 * The escalation hook the router calls (contract in src/core/types.ts): it adds the UNCERTAIN
 * instruction to local prompts, watches local answers, and decides whether to escalate to the
 * next candidate under the policy (off / ask / auto) and the per-request cost ceiling.
 * Only local attempts are judged; a cloud answer is accepted as it is.
 */
import type { z } from 'zod/v3';
import type { Candidate, EscalationHook, Logger, SignalResult, Task } from '../types';
import { parseConfig, type EscalationConfig, type escalationConfigSchema } from '../config';
import { MARKER_INSTRUCTION } from './signals/marker';
import { acceptingWatcher, createAnswerWatcher } from './watcher';

/** What the cost module needs to price the worst case of one escalated request. */
export interface EscalationCostContext {
  inputTokensEstimate: number;
  maxTokens: number;
  workspaceId?: string;
}

/**
 * The seam for the cost module (src/core/cost/): the most `next` can cost for this request, in
 * USD, or undefined when the price is unknown (the budget's SpendGuard decides about unpriced
 * models; the ceiling only refuses what it knows to be too expensive).
 */
export type WorstCaseEstimator = (next: Candidate, context: EscalationCostContext | undefined) => number | undefined;

/** Asks the user; the VS Code adapter shows a notification, tests pass an async function. */
export type ConfirmEscalation = (reasons: SignalResult[], next: Candidate) => Promise<boolean>;

export interface EscalationHookOptions {
  /** The `escalation` settings section (parsed, or raw with fields missing: they take their defaults). */
  config?: z.input<typeof escalationConfigSchema>;
  /** Required for policy "ask"; without it "ask" declines (we never spend without asking). */
  confirm?: ConfirmEscalation;
  estimateWorstCaseUsd?: WorstCaseEstimator;
  logger: Logger;
}

/** Tasks whose local model gets no marker instruction: completions are raw code with no system prompt. */
const NO_MARKER_TASKS: readonly Task[] = ['completion'];

export type FullEscalationHook = EscalationHook & {
  /** The parsed settings in force, defaults filled in. */
  readonly config: EscalationConfig;
};

export function createEscalationHook(options: EscalationHookOptions): FullEscalationHook {
  const { logger } = options;
  // Lenient like the rest of the settings: a bad value falls back to its default and is reported.
  const { config: parsed, problems } = parseConfig({ escalation: options.config ?? {} });
  for (const problem of problems) logger.warn('escalation.setting_ignored', { setting: problem.path, problem: problem.message });
  const config = parsed.escalation;
  if (config.maxCostPerRequestUsd > 0 && !options.estimateWorstCaseUsd) {
    // A wiring mistake, not a user one: say so once instead of silently ignoring the ceiling.
    logger.warn('escalation.ceiling_unpriced', { because: 'no estimateWorstCaseUsd was supplied, so maxCostPerRequestUsd cannot be applied (the budget still is)' });
  }

  return {
    config,

    systemPromptFor(task, locality) {
      if (locality !== 'local' || config.policy === 'off' || !config.signals.marker.enabled) return undefined;
      if (NO_MARKER_TASKS.includes(task)) return undefined;
      return MARKER_INSTRUCTION;
    },

    watch(task, _ref, locality, languageId) {
      if (locality !== 'local') return acceptingWatcher;
      return createAnswerWatcher({ task, languageId, signals: config.signals, stopEarly: config.policy !== 'off' });
    },

    async confirm(reasons, next, context) {
      const why = reasons.filter((r) => r.fired).map((r) => r.signal);
      const fields = { to: `${next.ref.provider}/${next.ref.model}`, signals: why, policy: config.policy };
      if (config.policy === 'off') {
        logger.info('escalation.declined', { ...fields, because: 'policy off' });
        return false;
      }
      if (context?.mode === 'local' && next.locality === 'cloud') {
        logger.info('escalation.declined', { ...fields, because: 'Local only mode: no cloud call' });
        return false;
      }
      const ceiling = config.maxCostPerRequestUsd;
      if (ceiling > 0 && next.locality === 'cloud' && options.estimateWorstCaseUsd) {
        const costContext =
          context?.inputTokensEstimate !== undefined && context.maxTokens !== undefined
            ? { inputTokensEstimate: context.inputTokensEstimate, maxTokens: context.maxTokens, workspaceId: context.workspaceId }
            : undefined;
        const worst = options.estimateWorstCaseUsd(next, costContext);
        if (worst !== undefined && worst > ceiling) {
          logger.info('escalation.declined', { ...fields, because: `worst case $${worst.toFixed(4)} exceeds the per-request ceiling $${ceiling}` });
          return false;
        }
      }
      if (config.policy === 'auto') {
        logger.info('escalation.accepted', fields);
        return true;
      }
      if (!options.confirm) {
        logger.warn('escalation.declined', { ...fields, because: 'policy ask but no way to ask the user' });
        return false;
      }
      const agreed = await options.confirm(reasons, next);
      logger.info(agreed ? 'escalation.accepted' : 'escalation.declined', { ...fields, because: agreed ? 'user agreed' : 'user declined' });
      return agreed;
    },
  };
}

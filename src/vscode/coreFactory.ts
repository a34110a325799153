/**
 * The one place that knows how the core modules are constructed (cost ledger, escalation hook,
 * router). services.ts calls it lazily; nothing else in src/vscode builds core objects.
 */
import type { Candidate, KeyStore, LocalAvailability, Logger, SignalResult } from '../core/types';
import type { SwitchyardConfig } from '../core/config';
import { createSpendGuard, type BudgetAlert, type CostService } from '../core/cost';
import { createEscalationHook, worstCaseFromPrices } from '../core/escalation';
import { createSwitchyard, type AssembledSwitchyard } from '../core/switchyard';

export interface CostDeps {
  config: SwitchyardConfig;
  logger: Logger;
  /** Folder for the usage ledger (context.globalStorageUri.fsPath). */
  storageDir: string;
  onAlert(alert: BudgetAlert): void;
}

/** The usage ledger and budget guard; lives as long as the extension, settings are pushed into it. */
export function buildCost(deps: CostDeps): CostService {
  return createSpendGuard({ dir: deps.storageDir, config: deps.config, logger: deps.logger, onAlert: deps.onAlert });
}

export interface RouterDeps {
  config: SwitchyardConfig;
  keys: KeyStore;
  logger: Logger;
  cost: CostService;
  /** Asks the user whether to escalate (escalation policy "ask"). */
  confirm(reasons: SignalResult[], next: Candidate): Promise<boolean>;
  /** The local sidecar: the router skips a local provider that is down and takes keep_alive from its plan. */
  local?: LocalAvailability;
}

/** Builds the router with the escalation hook (policy, signals, per-request cost ceiling) and the budget guard. */
export async function buildRouter(deps: RouterDeps): Promise<AssembledSwitchyard> {
  const escalation = createEscalationHook({
    config: deps.config.escalation,
    confirm: deps.confirm,
    estimateWorstCaseUsd: worstCaseFromPrices(deps.config),
    logger: deps.logger,
  });
  return createSwitchyard({ config: deps.config, keys: deps.keys, logger: deps.logger, spendGuard: deps.cost, escalation, ...(deps.local ? { local: deps.local } : {}) });
}

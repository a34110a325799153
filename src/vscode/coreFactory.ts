/**
 * The one place that knows how the core modules are constructed (cost ledger, escalation hook,
 * router). services.ts calls it lazily; nothing else in src/vscode builds core objects.
 */
import type { BindingLocalOnly, Candidate, KeyStore, LocalAvailability, Logger, SignalResult } from '../core/types';
import type { SwitchyardConfig } from '../core/config';
import type { BudgetAlert, CostService } from '../core/cost';
import type { AssembledSwitchyard } from '../core/switchyard';

// The core modules are required inside the builders, not imported: the bundler then initialises
// them (the ledger, its file locking, providers, router) on the first request instead of when
// the extension loads, which VS Code does on the activation path (issue 3: activation < 50 ms).

export interface CostDeps {
  config: SwitchyardConfig;
  logger: Logger;
  /** Where versions before the shared state directory kept the extension's ledger (context.globalStorageUri.fsPath); merged in once. */
  oldStorageDir: string;
  onAlert(alert: BudgetAlert): void;
}

/**
 * The usage ledger and budget guard; lives as long as the extension, settings are pushed into it.
 * The ledger is the machine's one (src/core/stateDir.ts: the environment decides, no setting can),
 * shared with the CLI; the extension's and the CLI's old ledgers are merged into it once.
 */
export function buildCost(deps: CostDeps): CostService {
  const { createSpendGuard, defaultLedgerDir, legacyCliLedgerDir } = require('../core/cost') as typeof import('../core/cost');
  return createSpendGuard({
    dir: defaultLedgerDir(process.env),
    migrateFrom: [deps.oldStorageDir, legacyCliLedgerDir(process.env)],
    config: deps.config,
    logger: deps.logger,
    onAlert: deps.onAlert,
  });
}

/**
 * Demo mode's spend guard: the demo ledger (src/core/cost/index.ts: a `demo/` folder beside the real
 * ledger), nothing migrated into it, the demo budget. Real budgets never see a demo record.
 */
export function buildDemoCost(deps: { config: SwitchyardConfig; logger: Logger }): CostService {
  const { createSpendGuard, demoLedgerDir } = require('../core/cost') as typeof import('../core/cost');
  return createSpendGuard({ dir: demoLedgerDir(process.env), config: deps.config, logger: deps.logger });
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
  /** Local only that no request can lift (the user's own mode setting, or an untrusted folder). */
  localOnly?: BindingLocalOnly;
}

/** Builds the router with the escalation hook (policy, signals, per-request cost ceiling) and the budget guard. */
export async function buildRouter(deps: RouterDeps): Promise<AssembledSwitchyard> {
  const { createEscalationHook, worstCaseFromPrices } = require('../core/escalation') as typeof import('../core/escalation');
  const { createSwitchyard } = require('../core/switchyard') as typeof import('../core/switchyard');
  const escalation = createEscalationHook({
    config: deps.config.escalation,
    confirm: deps.confirm,
    estimateWorstCaseUsd: worstCaseFromPrices(deps.config),
    logger: deps.logger,
  });
  return createSwitchyard({ config: deps.config, keys: deps.keys, logger: deps.logger, spendGuard: deps.cost, escalation, ...(deps.local ? { local: deps.local } : {}), ...(deps.localOnly ? { localOnly: deps.localOnly } : {}) });
}

/**
 * The extension's side of the core's one wiring (src/core/assemble.ts): what VS Code keeps
 * across rebuilds (the ledger, the local sidecar) and how it asks the user. services.ts calls
 * it lazily; nothing else in src/vscode builds core objects.
 */
import type { BindingLocalOnly, Candidate, KeyStore, LocalAvailability, Logger, SignalResult } from '../../core/types';
import type { SwitchyardConfig } from '../../core/config';
import type { BudgetAlert, CostService } from '../../core/cost';
import type { LocalSidecar } from '../../core/local/localSidecar';
import type { AssembledSwitchyard } from '../../core/switchyard';
import type { HealthChecker } from '../../core/reliability/health';
import type { SwitchyardProviderGuard } from '../../core/reliability';

// The core is required inside the builders, not imported: the bundler then initialises it (the
// ledger, its file locking, providers, router) on the first request instead of when the
// extension loads, which VS Code does on the activation path (issue 3: activation < 50 ms).
function assembly(): typeof import('../../core/assemble') {
  return require('../../core/assemble') as typeof import('../../core/assemble');
}

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
  return assembly().assembleSpendGuard({ config: deps.config }, { logger: deps.logger, migrateLedgersFrom: [deps.oldStorageDir], onBudgetAlert: deps.onAlert });
}

/**
 * Demo mode's spend guard: the demo ledger (src/core/cost/index.ts: a `demo/` folder beside the real
 * ledger), nothing migrated into it, the demo budget. Real budgets never see a demo record.
 */
export function buildDemoCost(deps: { config: SwitchyardConfig; logger: Logger }): CostService {
  const { demoLedgerDir } = require('../../core/cost') as typeof import('../../core/cost');
  return assembly().assembleSpendGuard({ config: deps.config }, { logger: deps.logger, ledgerDir: demoLedgerDir(process.env) });
}

export interface RouterDeps {
  config: SwitchyardConfig;
  keys: KeyStore;
  logger: Logger;
  cost: CostService;
  /** Asks the user whether to escalate (escalation policy "ask"). */
  confirm(reasons: SignalResult[], next: Candidate): Promise<boolean>;
  /** The local sidecar (the one the local models view shows): the router skips a local provider that is down and takes keep_alive from its plan. None in demo mode. */
  local?: LocalAvailability;
  /** Local only that no request can lift (the user's own mode setting, or an untrusted folder). */
  localOnly?: BindingLocalOnly;
  /** Runs the router's health checks (VS Code: while the window has focus, reliability/healthFocus.ts) until disposed. */
  runHealthChecks?(checker: HealthChecker): { dispose(): void };
  /** The machine-wide reliability guard the extension keeps across rebuilds; `null` for none (demo mode); built with the router when absent. */
  providerGuard?: SwitchyardProviderGuard | null;
}

/**
 * Builds the router with the escalation hook (policy, signals, per-request cost ceiling) and the
 * budget guard. The ledger and the sidecar live longer than one router: the extension passes its
 * own, and disposing the router leaves them running.
 */
export async function buildRouter(deps: RouterDeps): Promise<AssembledSwitchyard> {
  const { assembleCore, assembleHealthChecker } = assembly();
  const core = assembleCore(
    { config: deps.config, ...(deps.localOnly ? { localOnly: deps.localOnly } : {}) },
    { keys: deps.keys, logger: deps.logger, confirm: deps.confirm, spendGuard: deps.cost, local: deps.local ?? null, ...(deps.providerGuard !== undefined ? { providerGuard: deps.providerGuard } : {}) },
  );
  // Health checks over this router's providers, while this window has focus (issue 18.4); they
  // stop with the router, which the services dispose on every rebuild.
  const health = core.providerGuard && deps.runHealthChecks ? deps.runHealthChecks(assembleHealthChecker(core.switchyard, core.providerGuard.reliability, { logger: deps.logger })) : undefined;
  const router = core.switchyard;
  const disposeRouter = router.dispose.bind(router);
  // The services keep only the router: disposing it frees the whole core (the guard's lease timers and log too).
  let disposed = false;
  router.dispose = () => {
    if (disposed) return;
    disposed = true;
    health?.dispose();
    disposeRouter();
    void core.dispose();
  };
  return router;
}

/**
 * The reliability guard (quotas, retries, breakers) over the machine's one state, shared with the
 * CLI and the gateway; lives as long as the extension, settings pushed with updateSettings.
 */
export function buildProviderGuard(deps: { config: SwitchyardConfig; logger: Logger }): SwitchyardProviderGuard {
  return assembly().assembleProviderGuard({ config: deps.config }, { logger: deps.logger });
}

/** The local sidecar for these settings: the extension may start `ollama serve` when local.manageOllama allows it. */
export function buildLocalSidecar(deps: { config: SwitchyardConfig; logger: Logger; keys: KeyStore }): LocalSidecar {
  return assembly().assembleLocalSidecar({ config: deps.config }, { keys: deps.keys, logger: deps.logger });
}

/**
 * The one place that knows how the core modules are constructed (cost ledger, escalation hook,
 * router). services.ts calls it lazily; nothing else in src/vscode builds core objects.
 */
import type { Candidate, KeyStore, Logger, SignalResult, Switchyard } from '../core/types';
import { SwitchyardError } from '../core/types';
import type { SwitchyardConfig } from '../core/config';
import { createSpendGuard, type BudgetAlert, type CostService } from '../core/cost';

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
}

/**
 * Builds the router. Until the router module lands this throws a clear error that the panel
 * shows; the wiring is filled in here as each module is merged.
 */
export async function buildRouter(deps: RouterDeps): Promise<Switchyard> {
  void deps;
  throw new SwitchyardError({
    kind: 'unknown',
    message: 'The Switchyard router is not available in this build.',
    retryable: false,
  });
}

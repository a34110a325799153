/**
 * The one place that knows how the core modules are constructed (router, spend guard,
 * escalation hook). services.ts calls it lazily; nothing else in src/vscode builds core objects.
 */
import type { EscalationHook, KeyStore, Logger, SpendGuard, Switchyard, SignalResult, Candidate } from '../core/types';
import { SwitchyardError } from '../core/types';
import type { SwitchyardConfig } from '../core/config';

export interface CoreDeps {
  config: SwitchyardConfig;
  keys: KeyStore;
  logger: Logger;
  /** Folder for the usage ledger (context.globalStorageUri.fsPath). */
  storageDir: string;
  /** Asks the user whether to escalate (escalation policy "ask"). */
  confirm(reasons: SignalResult[], next: Candidate): Promise<boolean>;
}

/** What the cost module offers the UI beyond SpendGuard: today/month spend for the meter and report. */
export interface SpendSummary {
  currency: string;
  today: number;
  month: number;
  dailyLimit?: number;
  monthlyLimit?: number;
}

export interface SpendReporter {
  summary(workspaceId: string): Promise<SpendSummary> | SpendSummary;
  /** A human-readable usage report (Markdown), when the cost module offers one. */
  report?(workspaceId: string): Promise<string> | string;
}

export interface Core {
  switchyard: Switchyard;
  spendGuard?: SpendGuard & Partial<SpendReporter>;
  escalation?: EscalationHook;
}

/**
 * Builds the core. Until the router module lands this throws a clear error that the panel
 * shows; the wiring is filled in here as each module is merged.
 */
export async function buildCore(deps: CoreDeps): Promise<Core> {
  void deps;
  throw new SwitchyardError({
    kind: 'unknown',
    message: 'The Switchyard router is not available in this build.',
    retryable: false,
  });
}

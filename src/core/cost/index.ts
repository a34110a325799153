/**
 * Cost accounting and budgets: the one entry point the router, the extension and the CLI use.
 *
 *   const cost = createSpendGuard({ dir, config, onAlert, logger });
 *   router uses `cost` as its SpendGuard (reserve → settle once per attempt);
 *   status bar: `await cost.summary(workspaceId)`; panel/CLI: `cost.report('model')`,
 *   `cost.exportCsv()`, `cost.exportJson()`.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { SwitchyardConfig } from '../config';
import type { Reservation, SpendGuard, SpendRequest } from '../types';
import { buildReport, readUsage, toCsv, toJson, type GroupBy, type Report, type ReportFilter } from './reports';
import { LedgerSpendGuard, type BudgetSummary, type SpendGuardOptions } from './spendGuard';

export interface CostService extends SpendGuard {
  readonly dir: string;
  reserve(req: SpendRequest): Promise<Reservation>;
  /** Today's and this month's spend against the workspace and global limits, in the user's currency. */
  summary(workspaceId: string): Promise<BudgetSummary>;
  /** Usage grouped by day, model, provider, task, workspace or purpose, with savings vs the reference model. */
  report(groupBy: GroupBy, filter?: ReportFilter): Report;
  /** One row per attempt. */
  exportCsv(filter?: ReportFilter): string;
  /** The grouped report plus every attempt. */
  exportJson(filter?: ReportFilter, groupBy?: GroupBy): string;
  /** Settings changed: limits, prices and currency apply from the next reservation. */
  updateConfig(config: SwitchyardConfig): void;
  /** Retries ledger writes that failed (they are kept in memory until written). */
  flush(): Promise<void>;
  /** Stops the heartbeat and closes the ledger after pending writes; the promise may be ignored. */
  dispose(): Promise<void>;
}

export function createSpendGuard(opts: SpendGuardOptions): CostService {
  const guard = new LedgerSpendGuard(opts);
  const usage = (filter: ReportFilter = {}) => readUsage(guard.files.monthFiles(), filter);
  const report = (groupBy: GroupBy, filter: ReportFilter = {}) =>
    buildReport(usage(filter), groupBy, filter, guard.budget.savingsReference, guard.priceContext());
  return {
    dir: opts.dir,
    reserve: (req) => guard.reserve(req),
    summary: (ws) => guard.summary(ws),
    report,
    exportCsv: (filter) => toCsv(usage(filter)),
    exportJson: (filter = {}, groupBy = 'day') => {
      const records = usage(filter);
      return toJson(records, buildReport(records, groupBy, filter, guard.budget.savingsReference, guard.priceContext()));
    },
    updateConfig: (config) => guard.updateConfig(config),
    flush: () => guard.flush(),
    dispose: () => guard.dispose(),
  };
}

/** The CLI's ledger directory: $XDG_CONFIG_HOME/switchyard or ~/.config/switchyard (also on macOS/Windows, for one documented place). */
export function defaultLedgerDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.length > 0 ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'switchyard');
}

export type { BudgetSummary, PeriodSummary, SpendGuardOptions } from './spendGuard';
export type { BudgetAlert } from './alerts';
export { MIN_USEFUL_MAX_TOKENS } from './spendGuard';
export type { GroupBy, Report, ReportFilter, ReportRow } from './reports';
export type { UsageRecord, Purpose, Outcome } from './ledgerRecords';
export { estimateInputTokens, estimateTextTokens, tokenizer, type Tokenizer } from './tokens';
export { costOf, worstCaseUsd } from './costMath';
export { resolvePrice, type PriceContext, type ResolvedPrice } from './prices';
export { PRICE_TABLE, PRICE_TABLE_AS_OF, type ModelPrice } from './priceTable';
export { USD_RATES, USD_RATES_AS_OF, formatMoney, fromUsd, toUsd, type Currency } from './currency';

/**
 * Cost accounting and budgets: the one entry point the router, the extension and the CLI use.
 *
 *   const cost = createSpendGuard({ dir: defaultLedgerDir(), migrateFrom: [...old dirs], config, onAlert, logger });
 *   router uses `cost` as its SpendGuard (reserve → settle once per attempt);
 *   status bar: `await cost.summary(workspaceId)`; panel/CLI: `cost.report('model')`,
 *   `cost.exportCsv()`, `cost.exportJson()`.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { SwitchyardConfig } from '../config';
import { stateDir } from '../stateDir';
import { SwitchyardError, type Reservation, type SpendGuard, type SpendRequest } from '../types';
import { migrateLedgers, pendingSources } from './migration';
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
  /** Resolves once the old ledgers (migrateFrom) are merged in; reserve and summary wait for it themselves. */
  ready(): Promise<void>;
}

export interface CostServiceOptions extends SpendGuardOptions {
  /** Ledger directories of earlier versions, merged into `dir` once (see migration.ts). */
  migrateFrom?: readonly string[];
}

export function createSpendGuard(opts: CostServiceOptions): CostService {
  const guard = new LedgerSpendGuard(opts);
  const ready = migrationOf(guard, opts);
  // Started now, so that reports (synchronous reads) see the old records as early as possible.
  void ready().catch(() => undefined);
  const usage = (filter: ReportFilter = {}) => readUsage(guard.files.monthFiles(), filter);
  const report = (groupBy: GroupBy, filter: ReportFilter = {}) =>
    buildReport(usage(filter), groupBy, filter, guard.budget.savingsReference, guard.priceContext());
  return {
    dir: opts.dir,
    // A local request costs nothing and checks no budget: it never waits for (or fails with) the migration.
    reserve: (req) => (req.locality === 'local' ? guard.reserve(req) : ready().then(() => guard.reserve(req))),
    summary: (ws) => ready().then(() => guard.summary(ws)),
    ready,
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

/**
 * The ledger of this machine, shared by every window and the CLI: `ledger/` in the state
 * directory (src/core/stateDir.ts), a folder of its own beside the gateway's and breakers' state.
 */
export function defaultLedgerDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'ledger');
}

/**
 * Demo mode's ledger (src/core/demo.ts): a `demo/` folder beside the real ledger in the state
 * directory. A folder of its own, so no read or cap of the real ledger ever counts a demo record.
 */
export function demoLedgerDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'demo');
}

/** Where the CLI kept its ledger before the state directory: $XDG_CONFIG_HOME/switchyard or ~/.config/switchyard. */
export function legacyCliLedgerDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.length > 0 ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(base, 'switchyard');
}

/**
 * The merge of the old ledgers, run once under the ledger lock. A failure is not cached: the next
 * cloud request tries again, and until one succeeds cloud requests are refused — spending against
 * a cap that does not yet count this month's earlier spend could overshoot it.
 */
function migrationOf(guard: LedgerSpendGuard, opts: CostServiceOptions): () => Promise<void> {
  let running: Promise<void> | undefined;
  const logger = opts.logger;
  return () => {
    if (!opts.migrateFrom || opts.migrateFrom.length === 0) return Promise.resolve();
    running ??= (async () => {
      if (pendingSources(opts.dir, opts.migrateFrom!).length === 0) return;
      const results = await guard.files.withLock(() => migrateLedgers(opts.dir, opts.migrateFrom!));
      for (const r of results) logger?.info('ledger.migrated', { from: r.dir, to: opts.dir, files: r.files, copied: r.copied, alreadyThere: r.present, skippedLines: r.skippedLines });
    })().catch((err: unknown) => {
      running = undefined;
      logger?.error('ledger.migrationFailed', { to: opts.dir, error: String(err) });
      throw new SwitchyardError({
        kind: 'budget',
        message:
          `Could not merge the old usage ledgers (${opts.migrateFrom!.join(', ')}) into ${opts.dir}: ${err instanceof Error ? err.message : String(err)}. ` +
          'No cloud call was made, so the budget cannot be overspent; fix the permissions or free disk space and try again.',
        retryable: true,
      });
    });
    return running;
  };
}

export type { BudgetSummary, PeriodSummary, SpendGuardOptions } from './spendGuard';
export { stateDir, STATE_DIR_ENV } from '../stateDir';
export type { BudgetAlert } from './alerts';
export { MIN_USEFUL_MAX_TOKENS } from './spendGuard';
export type { GroupBy, Report, ReportFilter, ReportRow } from './reports';
export type { UsageRecord, Purpose, Outcome } from './ledgerRecords';
export { estimateInputTokens, estimateTextTokens, tokenizer, type Tokenizer } from './tokens';
export { costOf, worstCaseUsd } from './costMath';
export { resolvePrice, type PriceContext, type ResolvedPrice } from './prices';
export { PRICE_TABLE, PRICE_TABLE_AS_OF, type ModelPrice } from './priceTable';
export { USD_RATES, USD_RATES_AS_OF, formatMoney, fromUsd, toUsd, type Currency } from './currency';

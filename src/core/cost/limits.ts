/**
 * Budget policy: which limits apply to a workspace, in USD. A workspace setting can only lower
 * the user's global caps, never raise them: the effective limit is min(workspace, global), so
 * a cloned repository's .vscode/settings.json cannot unlock spending. (The VS Code adapter must
 * also read the global caps, prices and allowUnpriced from user settings only; see
 * src/vscode/app/settingsModel.ts.)
 */
import type { BudgetConfig } from '../config';
import { toUsd, type CurrencySetting } from './currency';

export type PeriodKind = 'day' | 'month';
export type Scope = 'workspace' | 'global';

export interface Limit {
  scope: Scope;
  period: PeriodKind;
  /** USD. */
  limitUsd: number;
  /** Said in refusals: "workspace daily limit (min of workspace 0.50, global 1.00)". */
  label: string;
}

export function currencyOf(budget: BudgetConfig): CurrencySetting {
  return { currency: budget.currency, usdRate: budget.usdRate };
}

/** The four limits a request must fit in: workspace day/month (already capped by global) and global day/month. */
export function limitsFor(budget: BudgetConfig): Limit[] {
  const cur = currencyOf(budget);
  const wsDay = Math.min(budget.dailyLimit ?? Number.POSITIVE_INFINITY, budget.globalDailyLimit);
  const wsMonth = Math.min(budget.monthlyLimit ?? Number.POSITIVE_INFINITY, budget.globalMonthlyLimit);
  return [
    { scope: 'workspace', period: 'day', limitUsd: toUsd(wsDay, cur), label: 'workspace daily limit' },
    { scope: 'workspace', period: 'month', limitUsd: toUsd(wsMonth, cur), label: 'workspace monthly limit' },
    { scope: 'global', period: 'day', limitUsd: toUsd(budget.globalDailyLimit, cur), label: 'global daily limit (all workspaces)' },
    { scope: 'global', period: 'month', limitUsd: toUsd(budget.globalMonthlyLimit, cur), label: 'global monthly limit (all workspaces)' },
  ];
}

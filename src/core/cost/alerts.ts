/**
 * Budget alerts: when spending crosses a configured fraction of a limit (default 50 %, 80 %,
 * 100 %), the user is told once per period. "Once" holds across processes because the fired
 * flag is itself a ledger line (`alert`), written under the same lock as the spend that crossed it.
 */
import type { BudgetConfig } from '../config';
import { formatMoney, fromUsd, type Currency } from './currency';
import { LEDGER_FORMAT_VERSION, type AlertRecord } from './ledgerRecords';
import { currencyOf, limitsFor, type PeriodKind, type Scope } from './limits';
import type { SpendState } from './spendState';

export interface BudgetAlert {
  scope: Scope;
  /** Set for scope "workspace". */
  workspaceId?: string;
  period: PeriodKind;
  /** "2026-11-25" or "2026-11". */
  periodKey: string;
  /** The fraction crossed, e.g. 0.8. */
  threshold: number;
  spent: number;
  limit: number;
  currency: Currency;
  /** "Switchyard: 80 % of the workspace daily limit used ($0.80 of $1.00)". */
  message: string;
}

/** Float sums of fractions of a cent: a threshold reached "exactly" must count as reached. */
const EPSILON_USD = 1e-12;

/**
 * The alerts a workspace's spend now calls for, and the lines that mark them fired. One alert per
 * limit for the highest threshold newly crossed; the lower ones are marked fired with it.
 */
export function dueAlerts(state: SpendState, budget: BudgetConfig, workspace: string, day: string, timeIso: string): { records: AlertRecord[]; alerts: BudgetAlert[] } {
  const thresholds = [...budget.alertThresholds].sort((a, b) => a - b);
  const cur = currencyOf(budget);
  const records: AlertRecord[] = [];
  const alerts: BudgetAlert[] = [];
  for (const limit of limitsFor(budget)) {
    if (!(limit.limitUsd > 0) || !Number.isFinite(limit.limitUsd)) continue;
    const spent = state.spent(limit.scope, limit.period, workspace, day);
    const periodKey = limit.period === 'day' ? day : day.slice(0, 7);
    const keyOf = (t: number): string => `${limit.scope}:${limit.scope === 'workspace' ? workspace : ''}:${limit.period}:${periodKey}:${t}`;
    const unfired = thresholds.filter((t) => spent >= t * limit.limitUsd - EPSILON_USD && !state.firedAlerts.has(keyOf(t)));
    if (unfired.length === 0) continue;
    for (const t of unfired) records.push({ t: 'alert', v: LEDGER_FORMAT_VERSION, key: keyOf(t), time: timeIso });
    const threshold = unfired[unfired.length - 1]!;
    alerts.push({
      scope: limit.scope,
      workspaceId: limit.scope === 'workspace' ? workspace : undefined,
      period: limit.period,
      periodKey,
      threshold,
      spent: fromUsd(spent, cur),
      limit: fromUsd(limit.limitUsd, cur),
      currency: cur.currency,
      message: `Switchyard: ${Math.round(threshold * 100)} % of the ${limit.label} used (${formatMoney(spent, cur)} of ${formatMoney(limit.limitUsd, cur)}).`,
    });
  }
  return { records, alerts };
}

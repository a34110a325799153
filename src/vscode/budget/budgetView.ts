/**
 * Today's and this month's spend for this workspace against its caps, as the panel's budget
 * meter and the status bar show it. Reads the cost module's ledger summary.
 */
import type { BudgetView } from '../../shared/messages';
import type { Services } from '../app/services';

/** Undefined when the ledger cannot be read (then the meter is hidden rather than wrong). */
export async function readBudgetView(services: Services): Promise<BudgetView | undefined> {
  try {
    const summary = await services.cost().summary(services.workspaceId);
    return {
      currency: summary.currency,
      today: summary.today.spent,
      month: summary.month.spent,
      dailyLimit: finite(summary.today.limit),
      monthlyLimit: finite(summary.month.limit),
    };
  } catch (err) {
    services.logger.warn('budget.summary.failed', { error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

function finite(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}

const SYMBOLS: Record<string, string> = { USD: '$', CNY: '¥', EUR: '€' };

/**
 * "$0.0123" / "¥1.42": four decimals below one unit, because single requests cost fractions of a
 * cent and "$0.00" would hide them (same rule as the cost module's formatMoney).
 */
export function formatAmount(value: number, currency: string): string {
  const decimals = Math.abs(value) >= 1 || value === 0 ? 2 : 4;
  return `${SYMBOLS[currency] ?? `${currency} `}${value.toFixed(decimals)}`;
}

/** Fraction of the daily cap from which the status bar turns to the warning colour (the default 80 % alert). */
export const NEAR_CAP_FRACTION = 0.8;

export type BudgetLevel = 'ok' | 'near' | 'reached';

export function budgetLevel(spent: number, limit: number | undefined): BudgetLevel {
  if (limit === undefined || !Number.isFinite(limit)) return 'ok';
  if (limit <= 0) return spent > 0 ? 'reached' : 'ok';
  if (spent >= limit) return 'reached';
  return spent >= limit * NEAR_CAP_FRACTION ? 'near' : 'ok';
}

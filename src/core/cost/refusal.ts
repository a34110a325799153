/**
 * The refusal a user reads when a cloud call does not fit the budget: what it could cost, what
 * was spent (and held by calls in flight) against which limit, that nothing was sent, and which
 * setting to change. Thrown as SwitchyardError{kind:'budget'}, so the router falls back to a
 * local model or shows it.
 */
import { SwitchyardError, formatModelRef, type SpendRequest } from '../types';
import { formatMoney, type CurrencySetting } from './currency';
import type { Limit } from './limits';

const SETTING: Record<Limit['scope'], Record<Limit['period'], string>> = {
  global: { day: 'switchyard.budget.globalDailyLimit', month: 'switchyard.budget.globalMonthlyLimit' },
  workspace: {
    day: 'switchyard.budget.dailyLimit (up to switchyard.budget.globalDailyLimit)',
    month: 'switchyard.budget.monthlyLimit (up to switchyard.budget.globalMonthlyLimit)',
  },
};

export function budgetRefusal(
  req: SpendRequest,
  worstUsd: number,
  limit: Limit,
  at: { spentUsd: number; reservedUsd: number; currency: CurrencySetting },
): SwitchyardError {
  const cur = at.currency;
  const when = limit.period === 'day' ? 'today' : 'this month';
  const inFlight = at.reservedUsd > 0 ? ` and ${formatMoney(at.reservedUsd, cur)} is held by requests in flight` : '';
  return new SwitchyardError({
    kind: 'budget',
    message:
      `Budget: ${formatModelRef(req.ref)} could cost up to ${formatMoney(worstUsd, cur)} for this request ` +
      `(${req.inputTokensEstimate} input + ${req.maxTokens} output tokens), but ${formatMoney(at.spentUsd, cur)} of the ` +
      `${formatMoney(limit.limitUsd, cur)} ${limit.label} is spent ${when}${inFlight}. ` +
      `No call was made. Raise ${SETTING[limit.scope][limit.period]}, or wait for the next ${limit.period}.`,
    provider: req.ref.provider,
    model: req.ref.model,
    retryable: false,
  });
}

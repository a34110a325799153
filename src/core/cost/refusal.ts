/**
 * The refusal a user reads when a cloud call does not fit the budget: what it could cost, what
 * was spent (and held by calls in flight) against which limit, that nothing was sent, and which
 * setting to change. Thrown as SwitchyardError{kind:'budget'}, so the router falls back to a
 * local model or shows it.
 */
import { SwitchyardError, formatModelRef, type BudgetRefusal, type SpendRequest } from '../types';
import { renderReason } from '../reasons';
import { formatMoney, type CurrencySetting } from './currency';
import type { Limit } from './limits';

export function budgetRefusal(
  req: SpendRequest,
  worstUsd: number,
  limit: Limit,
  at: { spentUsd: number; reservedUsd: number; currency: CurrencySetting },
): SwitchyardError {
  const cur = at.currency;
  const reason: BudgetRefusal = {
    code: 'budget_refused',
    model: formatModelRef(req.ref),
    worst: formatMoney(worstUsd, cur),
    inputTokens: req.inputTokensEstimate,
    outputTokens: req.maxTokens,
    spent: formatMoney(at.spentUsd, cur),
    limit: formatMoney(limit.limitUsd, cur),
    scope: limit.scope,
    period: limit.period,
    ...(at.reservedUsd > 0 ? { held: formatMoney(at.reservedUsd, cur) } : {}),
  };
  return new SwitchyardError({
    kind: 'budget',
    // The "Budget:" label is the log's and the CLI's; the panel says the reason after its own label.
    message: `Budget: ${renderReason(reason)}`,
    provider: req.ref.provider,
    model: req.ref.model,
    retryable: false,
    reason,
  });
}

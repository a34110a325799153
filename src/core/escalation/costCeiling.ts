/**
 * The worst-case price of escalating one request, for the per-request cost ceiling
 * (`escalation.maxCostPerRequestUsd`), from the cost module's price table and the user's price
 * overrides. Plug it into createEscalationHook({ estimateWorstCaseUsd }).
 */
import type { SwitchyardConfig } from '../config';
import { worstCaseUsd } from '../cost/costMath';
import { resolvePrice, type PriceContext } from '../cost/prices';
import type { WorstCaseEstimator } from './hook';

/**
 * Prices the whole input plus `maxTokens` of output at full rates (no cache discount), the same
 * worst case the budget reserves. Returns undefined when the request size is unknown or the
 * model has no price: the ceiling then does not block, and the budget's SpendGuard decides.
 */
export function worstCaseFromPrices(config: Pick<SwitchyardConfig, 'budget' | 'providers'>): WorstCaseEstimator {
  const prices: PriceContext = {
    overrides: config.budget.priceOverrides,
    allowUnpriced: config.budget.allowUnpriced,
    vendorOf: (id) => config.providers[id]?.vendor,
  };
  return (next, context) => {
    if (!context) return undefined;
    const resolved = resolvePrice(next.ref, next.locality, prices);
    if (resolved.kind !== 'priced') return undefined;
    return worstCaseUsd(resolved, context.inputTokensEstimate, context.maxTokens, false);
  };
}

/**
 * Which limits apply to a candidate: the user's `switchyard.reliability.quotas` first ("p/m", then
 * "p/*", then "p"), over the free-tier defaults of its vendor (defaults.ts), field by field.
 */
import { DEFAULT_CLOUD_CONCURRENT, DEFAULT_QUOTAS, type QuotaLimits } from './defaults';
import { mergeLimits, type QuotaOverrides } from './settings';

export interface ScopedLimits {
  /** The provider as a whole. */
  p?: QuotaLimits;
  /** This model. */
  m?: QuotaLimits;
}

export function resolveLimits(provider: string, model: string, cloud: boolean, vendor: string | undefined, quotas: QuotaOverrides): ScopedLimits {
  const v = vendor ?? provider;
  const defaultP = mergeLimits(cloud ? { concurrent: DEFAULT_CLOUD_CONCURRENT } : undefined, DEFAULT_QUOTAS[v]);
  const defaultM = DEFAULT_QUOTAS[`${v}/${model}`] ?? DEFAULT_QUOTAS[`${v}/*`];
  const p = mergeLimits(defaultP, quotas[provider]);
  const m = mergeLimits(mergeLimits(defaultM, quotas[`${provider}/*`]), quotas[`${provider}/${model}`]);
  return { ...(p ? { p } : {}), ...(m ? { m } : {}) };
}

/**
 * The lines of the shared guard log (log.ts). Every process on the machine appends these and
 * replays everyone's in file order (state.ts). A claim carries the limits its process applied, so
 * each replaying process reaches the same verdict for it even when windows run different settings.
 */
import type { QuotaLimits } from './defaults';
import type { LearnedQuota } from './learn';
import type { ProviderMark } from './retry';
import type { BreakerSettings } from './settings';

export const GUARD_LOG_VERSION = 1;

export interface ClaimRecord {
  t: 'claim';
  id: string;
  at: number;
  p: string;
  m: string;
  /** Estimated tokens (prompt + answer). */
  est: number;
  /** Limits of the provider as a whole and of this model. */
  lim: { p?: QuotaLimits; m?: QuotaLimits };
  b: BreakerSettings;
  /** The lease's life (LEASE_MS), renewed by `renew` lines. */
  lease: number;
  /** Fingerprint of the key this process would send (a needs-key mark holds only for that key). */
  fp?: string;
}

export interface RenewRecord {
  t: 'renew';
  id: string;
  at: number;
}

export interface SettleRecord {
  t: 'settle';
  id: string;
  at: number;
  ok: boolean;
  /** The error's kind when not ok. */
  kind?: string;
  /** A failure to connect (counts toward the consecutive-connect rule of the breaker). */
  connect?: boolean;
  /** Tokens actually used, when the provider said (replaces the estimate in the windows). */
  tok?: number;
  ttft?: number;
  total?: number;
  /** The error's message (keys already redacted by providers/errors.ts). */
  msg?: string;
}

/** The provider asked us to wait (retry-after, RetryInfo) or its headers say a counter is empty. */
export interface BlockRecord {
  t: 'block';
  at: number;
  p: string;
  m: string;
  until: number;
  source: 'retry_after' | 'headers' | 'daily_quota';
}

export interface LearnRecord {
  t: 'learn';
  at: number;
  p: string;
  m: string;
  q: LearnedQuota;
}

export interface MarkRecord {
  t: 'mark';
  at: number;
  p: string;
  /** "clear" is the manual reset. */
  mark: Exclude<ProviderMark, 'daily_quota'> | 'clear';
  fp?: string;
  /** out_of_credit holds until the next local day starts. */
  until?: number;
  msg?: string;
}

export interface SwitchRecord {
  t: 'switch';
  at: number;
  from: string;
  to: string;
  why: string;
}

export interface LoadingRecord {
  t: 'loading';
  at: number;
  p: string;
  m: string;
  on: boolean;
}

/** Written at the end of a day's file before the next day's file is created: nothing after it counts. */
export interface SealRecord {
  t: 'seal';
  at: number;
}

export type GuardRecord = ClaimRecord | RenewRecord | SettleRecord | BlockRecord | LearnRecord | MarkRecord | SwitchRecord | LoadingRecord | SealRecord;

const TYPES = new Set(['claim', 'renew', 'settle', 'block', 'learn', 'mark', 'switch', 'loading', 'seal']);

export function parseGuardRecord(line: string): GuardRecord | undefined {
  try {
    const r = JSON.parse(line) as GuardRecord;
    return r && typeof r === 'object' && TYPES.has(r.t) && typeof r.at === 'number' ? r : undefined;
  } catch {
    return undefined;
  }
}

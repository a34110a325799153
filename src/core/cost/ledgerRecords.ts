/**
 * The lines of the usage ledger (JSON Lines, one record per line, append-only).
 *
 * - `reserve`: a cloud call's worst-case cost is held against the budget while it runs.
 * - `usage`:   THE record of one attempt (one per reservation id): tokens, cost, outcome. A
 *              reservation whose process died is closed by another process (settlement.ts): from
 *              the usage it had received, else with outcome "abandoned" from its last progress
 *              line or at its worst case; if the owner was only frozen and settles later, its
 *              `usage` line for the same id replaces the abandoned one (last line wins).
 * - `progress`: how far an open reservation's stream has got (tokens received so far, or the
 *              usage the provider reported at its end), written as it streams. A process that
 *              finds the holder dead settles the reservation from its last progress line instead
 *              of its worst case.
 * - `alert`:   a budget threshold crossed; written so that every window fires it once, not each.
 *
 * Day and month keys are written by the process that made the request (its local calendar),
 * so reading them back needs no date parsing.
 */
import type { FinishReason, Locality, Task } from '../types';

export const LEDGER_FORMAT_VERSION = 1;

export type Purpose = 'chat' | 'completion';
export type Outcome = FinishReason | 'abandoned';

export interface ReserveRecord {
  t: 'reserve';
  v: number;
  id: string;
  requestId: string;
  /** ISO time the reservation was made. */
  time: string;
  day: string;
  workspace: string;
  task: Task;
  provider: string;
  model: string;
  /** The worst case held against the budget, USD. */
  worstUsd: number;
  maxTokens: number;
  inputTokensEstimate: number;
  /** Thinking mode was asked for (priced at the thinking rate when settled by another process). */
  thinking?: boolean;
  /** Who holds it, to expire it when that process is gone. */
  pid: number;
  host: string;
  proc: string;
}

export interface UsageRecord {
  t: 'usage';
  v: number;
  id: string;
  /** Shared by all attempts of one request; `escalatedFrom` names the model tried before. */
  requestId: string;
  /** ISO time the attempt started. */
  time: string;
  day: string;
  workspace: string;
  task: Task;
  purpose: Purpose;
  provider: string;
  model: string;
  locality: Locality;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** Tokens were counted by us (no usage reported, or the request was abandoned), or the model has no price. */
  estimated: boolean;
  priceSource: string;
  escalatedFrom?: string;
  latencyMs: number;
  outcome: Outcome;
  pid: number;
}

/** The usage a provider reported, as kept in a progress line. */
export interface ReportedUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  reportedCostUsd?: number;
}

export interface ProgressRecord {
  t: 'progress';
  v: number;
  /** The reservation it reports on. */
  id: string;
  time: string;
  /** Text and thinking deltas received so far: each carries at least one token. */
  deltas: number;
  /** Output tokens received so far, counted conservatively (see settlement.ts). */
  outputTokens: number;
  /** The usage the provider reported: it has finished the request and this is the bill. */
  usage?: ReportedUsage;
  /** The provider's finish reason, when it sent one. */
  finish?: FinishReason;
}

export interface AlertRecord {
  t: 'alert';
  v: number;
  /** "workspace:<id>:day:2026-11-25:0.8" or "global::month:2026-11:1". */
  key: string;
  time: string;
}

export type LedgerRecord = ReserveRecord | UsageRecord | ProgressRecord | AlertRecord;

/** One line, newline included: written with a single write(2). */
export function serializeRecord(record: LedgerRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/**
 * Parses one line; undefined for a torn or foreign line (a crash mid-write on power loss, a
 * hand edit). Such lines are skipped, never fatal: losing one line must not lose the ledger.
 */
export function parseRecord(line: string): LedgerRecord | undefined {
  if (line.length === 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const rec = value as Partial<LedgerRecord>;
  switch (rec.t) {
    case 'usage':
      return typeof rec.id === 'string' && typeof rec.costUsd === 'number' && typeof rec.day === 'string' && typeof rec.workspace === 'string'
        ? (rec as UsageRecord)
        : undefined;
    case 'reserve':
      return typeof rec.id === 'string' && typeof rec.worstUsd === 'number' && typeof rec.day === 'string' && typeof rec.workspace === 'string'
        ? (rec as ReserveRecord)
        : undefined;
    case 'progress':
      return typeof rec.id === 'string' && typeof rec.deltas === 'number' && typeof rec.outputTokens === 'number' ? (rec as ProgressRecord) : undefined;
    case 'alert':
      return typeof rec.key === 'string' ? (rec as AlertRecord) : undefined;
    default:
      return undefined;
  }
}

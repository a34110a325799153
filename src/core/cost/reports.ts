/**
 * Usage reports from the ledger: totals grouped by day, model, provider, task, workspace or
 * purpose, with what the same tokens would have cost on a reference cloud model (the savings
 * of routing local-first), and exports to CSV and JSON. Reports read the month files directly,
 * without the lock: they are read-only and skip a line still being written.
 */
import * as fs from 'node:fs';
import { parseModelRef } from '../types';
import { costOf } from './costMath';
import { parseRecord, type UsageRecord } from './ledgerRecords';
import { resolvePrice, type PriceContext } from './prices';

export type GroupBy = 'day' | 'month' | 'model' | 'provider' | 'task' | 'workspace' | 'purpose' | 'locality';

export interface ReportFilter {
  /** Inclusive day keys, "2026-11-01". */
  from?: string;
  to?: string;
  workspaceId?: string;
  provider?: string;
  /** "provider/model". */
  model?: string;
  task?: string;
  purpose?: 'chat' | 'completion';
}

export interface ReportRow {
  key: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /**
   * Records whose tokens we estimated (a stream cut without usage, a process that died before
   * settling) or whose model has no price, and the part of costUsd they make up: shown as
   * estimates, since the bill may differ (our estimates err high).
   */
  estimated: number;
  estimatedUsd: number;
  /** The same tokens sent to the reference model. */
  referenceCostUsd: number;
  savingsUsd: number;
}

export interface Report {
  groupBy: GroupBy;
  filter: ReportFilter;
  /** "openai/gpt-4o", or undefined when the reference has no known price. */
  reference: string | undefined;
  rows: ReportRow[];
  total: ReportRow;
}

/** Every usage record in the files, one per attempt id (a later line for the same id wins). */
export function readUsage(files: readonly string[], filter: ReportFilter = {}): UsageRecord[] {
  const byId = new Map<string, UsageRecord>();
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const end = text.lastIndexOf('\n');
    for (const line of text.slice(0, end + 1).split('\n')) {
      const rec = parseRecord(line);
      if (rec?.t === 'usage' && matches(rec, filter)) byId.set(rec.id, rec);
    }
  }
  return [...byId.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

export function buildReport(records: readonly UsageRecord[], groupBy: GroupBy, filter: ReportFilter, reference: string, ctx: PriceContext): Report {
  const refCost = referenceCoster(reference, ctx);
  const rows = new Map<string, ReportRow>();
  const total = emptyRow('total');
  for (const r of records) {
    const key = groupKey(r, groupBy);
    let row = rows.get(key);
    if (!row) rows.set(key, (row = emptyRow(key)));
    const ref = refCost ? refCost(r) : 0;
    for (const target of [row, total]) {
      target.requests++;
      target.inputTokens += r.inputTokens;
      target.outputTokens += r.outputTokens;
      target.cachedInputTokens += r.cachedInputTokens;
      target.reasoningTokens += r.reasoningTokens;
      target.costUsd += r.costUsd;
      target.estimated += r.estimated ? 1 : 0;
      target.estimatedUsd += r.estimated ? r.costUsd : 0;
      target.referenceCostUsd += ref;
      target.savingsUsd += refCost ? ref - r.costUsd : 0;
    }
  }
  return {
    groupBy,
    filter,
    reference: refCost ? reference : undefined,
    rows: [...rows.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    total,
  };
}

const CSV_COLUMNS = [
  'time',
  'day',
  'workspace',
  'task',
  'purpose',
  'provider',
  'model',
  'locality',
  'inputTokens',
  'outputTokens',
  'cachedInputTokens',
  'reasoningTokens',
  'costUsd',
  'estimated',
  'priceSource',
  'escalatedFrom',
  'latencyMs',
  'outcome',
  'requestId',
  'id',
] as const satisfies readonly (keyof UsageRecord)[];

/** One row per attempt, RFC 4180 quoting, so spreadsheets open it as is. */
export function toCsv(records: readonly UsageRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records) lines.push(CSV_COLUMNS.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toJson(records: readonly UsageRecord[], report: Report): string {
  const strip = ({ t: _t, v: _v, pid: _pid, ...rest }: UsageRecord) => rest;
  return JSON.stringify({ report, records: records.map(strip) }, null, 2);
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const s = typeof value === 'number' ? String(value) : String(value);
  // Also defuse spreadsheet formulas: a cell starting with = + - @ is prefixed with a quote.
  const safe = /^[=+\-@]/.test(s) && typeof value !== 'number' ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function matches(r: UsageRecord, f: ReportFilter): boolean {
  return (
    (f.from === undefined || r.day >= f.from) &&
    (f.to === undefined || r.day <= f.to) &&
    (f.workspaceId === undefined || r.workspace === f.workspaceId) &&
    (f.provider === undefined || r.provider === f.provider) &&
    (f.model === undefined || `${r.provider}/${r.model}` === f.model) &&
    (f.task === undefined || r.task === f.task) &&
    (f.purpose === undefined || r.purpose === f.purpose)
  );
}

function groupKey(r: UsageRecord, by: GroupBy): string {
  switch (by) {
    case 'day':
      return r.day;
    case 'month':
      return r.day.slice(0, 7);
    case 'model':
      return `${r.provider}/${r.model}`;
    default:
      return String(r[by]);
  }
}

/** What a record's tokens would have cost on the reference model; undefined when it has no price. */
function referenceCoster(reference: string, ctx: PriceContext): ((r: UsageRecord) => number) | undefined {
  let ref;
  try {
    ref = parseModelRef(reference);
  } catch {
    return undefined;
  }
  const price = resolvePrice(ref, 'cloud', ctx);
  if (price.kind !== 'priced') return undefined;
  return (r) =>
    costOf(
      { inputTokens: r.inputTokens, outputTokens: r.outputTokens, cachedInputTokens: r.cachedInputTokens, reasoningTokens: r.reasoningTokens, estimated: r.estimated },
      price,
      false,
    ).totalUsd;
}

function emptyRow(key: string): ReportRow {
  return { key, requests: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0, costUsd: 0, estimated: 0, estimatedUsd: 0, referenceCostUsd: 0, savingsUsd: 0 };
}

/**
 * The in-memory view of the ledger that the pre-flight check reads: money spent per workspace
 * and overall per day and month, the reservations still open, and the alerts already fired.
 * It is updated incrementally from the records read since the last offset, so each check costs
 * O(new records) plus O(open reservations) — never a scan of the year.
 */
import type { AlertRecord, LedgerRecord, ProgressRecord, ReserveRecord, UsageRecord } from './ledgerRecords';
import type { PeriodKind, Scope } from './limits';

const SEP = '\u0000';

export class SpendState {
  private readonly wsDay = new Map<string, number>();
  private readonly wsMonth = new Map<string, number>();
  private readonly globalDay = new Map<string, number>();
  private readonly globalMonth = new Map<string, number>();
  /** Open reservations by id. */
  readonly open = new Map<string, ReserveRecord>();
  /** The last progress line of each open reservation, to settle it from if its process dies. */
  readonly progress = new Map<string, ProgressRecord>();
  /** Ids closed as abandoned, with the cost charged, in case their owner settles after all. */
  private readonly abandoned = new Map<string, UsageRecord>();
  /** Reservation ids already settled, so a late duplicate can never count twice. */
  private readonly settled = new Set<string>();
  readonly firedAlerts = new Set<string>();

  apply(records: Iterable<LedgerRecord>): void {
    for (const r of records) {
      if (r.t === 'reserve') this.applyReserve(r);
      else if (r.t === 'usage') this.applyUsage(r);
      else if (r.t === 'progress') this.applyProgress(r);
      else this.applyAlert(r);
    }
  }

  /** Settled spend, USD. */
  spent(scope: Scope, period: PeriodKind, workspace: string, day: string): number {
    const key = period === 'day' ? day : day.slice(0, 7);
    if (scope === 'global') return (period === 'day' ? this.globalDay : this.globalMonth).get(key) ?? 0;
    return (period === 'day' ? this.wsDay : this.wsMonth).get(workspace + SEP + key) ?? 0;
  }

  /** Worst cases of open reservations in the same scope and period, USD. */
  reserved(scope: Scope, period: PeriodKind, workspace: string, day: string): number {
    let sum = 0;
    for (const r of this.open.values()) {
      if (scope === 'workspace' && r.workspace !== workspace) continue;
      if (period === 'day' ? r.day !== day : r.day.slice(0, 7) !== day.slice(0, 7)) continue;
      sum += r.worstUsd;
    }
    return sum;
  }

  private applyReserve(r: ReserveRecord): void {
    if (!this.settled.has(r.id)) this.open.set(r.id, r);
  }

  private applyProgress(r: ProgressRecord): void {
    if (this.open.has(r.id)) this.progress.set(r.id, r);
  }

  private applyUsage(r: UsageRecord): void {
    this.open.delete(r.id);
    this.progress.delete(r.id);
    const earlier = this.abandoned.get(r.id);
    if (earlier) {
      // The owner settled after another process had given up on it: its real cost replaces the guess.
      this.add(earlier, -earlier.costUsd);
      this.abandoned.delete(r.id);
    } else if (this.settled.has(r.id)) {
      return;
    }
    this.settled.add(r.id);
    this.add(r, r.costUsd);
    if (r.outcome === 'abandoned') this.abandoned.set(r.id, r);
  }

  private applyAlert(r: AlertRecord): void {
    this.firedAlerts.add(r.key);
  }

  private add(r: UsageRecord, usd: number): void {
    if (usd === 0) return;
    const month = r.day.slice(0, 7);
    bump(this.wsDay, r.workspace + SEP + r.day, usd);
    bump(this.wsMonth, r.workspace + SEP + month, usd);
    bump(this.globalDay, r.day, usd);
    bump(this.globalMonth, month, usd);
  }
}

function bump(map: Map<string, number>, key: string, usd: number): void {
  map.set(key, (map.get(key) ?? 0) + usd);
}

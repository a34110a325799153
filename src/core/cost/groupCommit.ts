/**
 * Group commit for the usage ledger: every reserve, settle and progress line queued in this
 * process while the previous section was running is decided and appended in ONE lock round trip,
 * ONE write(2) and at most ONE fdatasync (ledger.ts). Before, each call took its own section,
 * and a lock round trip plus an fsync per settle capped a process near 700 requests/s.
 *
 * Exactness is unchanged: under the lock the batch first reads what other processes appended,
 * then decides its calls one by one in the order they were made, each against the aggregate
 * that already includes the calls before it (a reservation admitted earlier in the batch holds
 * its worst case for the next). Two processes still serialize on the file lock, so they can
 * never both take the last room.
 *
 * When a caller's promise resolves:
 * - `written` (a reservation, a progress line): after the batch's write(2) under the lock. Every
 *   other process sees it from then on; like before, it is not fsync'd for its own sake.
 * - `durable` (a settle: the bill): after the batch's fdatasync, before the lock is released.
 *
 * The batch is taken when the lock is obtained, so calls made while the lock is being acquired
 * (or while the previous batch syncs) join it; nothing waits on a timer. The store behind it is
 * only `withLock` + records, so the same queue fits issue 21's async, pluggable store: a batch
 * becomes one transaction.
 */
import type { LedgerFiles, LedgerIo } from './ledger';
import type { LedgerRecord } from './ledgerRecords';

export type Durability = 'written' | 'durable';

export interface Decision<T> {
  /** Lines to append for this call (none for a call that only waits, e.g. a flush). */
  records: LedgerRecord[];
  value: T;
}

export interface BatchedCall<T> {
  /**
   * Runs under the lock, after the batch's catch-up, in the order the calls were made. It must
   * apply its records to the in-memory view itself, so the next call sees them. A throw fails
   * this call alone, and its records are not written.
   */
  decide(): Decision<T>;
  until: Durability;
}

export interface BatchHooks {
  /** Once per batch under the lock, before any call: catch up with the ledger; returns lines to write first. */
  begin(io: LedgerIo): LedgerRecord[];
  /**
   * The batch's write or sync failed: every call not yet resolved is rejected with the error.
   * The in-memory view may hold records that never reached the disk; the hook rebuilds it.
   */
  failed(err: unknown): void;
}

interface Queued {
  call: BatchedCall<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

export class GroupCommit {
  private queue: Queued[] = [];
  private running: Promise<void> | undefined;

  /** @param maxBatch calls per section: Infinity, or 1 for the old one-section-per-call path (benchmarks). */
  constructor(
    private readonly files: LedgerFiles,
    private readonly hooks: BatchHooks,
    private readonly maxBatch = Number.POSITIVE_INFINITY,
  ) {}

  submit<T>(call: BatchedCall<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ call, resolve: resolve as (v: unknown) => void, reject });
      this.running ??= this.drain();
    });
  }

  /** Resolves when every call submitted so far has been decided and written (or failed). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.batch();
    } finally {
      this.running = undefined;
    }
  }

  private async batch(): Promise<void> {
    let taken: Queued[] | undefined;
    const durable: Array<{ q: Queued; value: unknown }> = [];
    try {
      await this.files.withLock((io) => {
        taken = this.queue.splice(0, this.maxBatch);
        const records = [...this.hooks.begin(io)];
        const decided: Array<{ q: Queued; value: unknown }> = [];
        for (const q of taken) {
          try {
            const d = q.call.decide();
            records.push(...d.records);
            decided.push({ q, value: d.value });
          } catch (err) {
            q.reject(err);
          }
        }
        io.append(records);
        for (const d of decided) {
          if (d.q.call.until === 'written') d.q.resolve(d.value);
          else durable.push(d);
        }
        if (durable.length === 0) return;
        // Kept for the catch below: a write failure rejects every decided call, a sync failure the durable ones.
        taken = durable.map((d) => d.q);
      });
    } catch (err) {
      if (taken === undefined) {
        // The lock was never obtained: every call waiting fails with that error, as each would have alone.
        for (const q of this.queue.splice(0)) q.reject(err);
        return;
      }
      this.hooks.failed(err);
      for (const q of taken) q.reject(err);
      return;
    }
    for (const d of durable) d.q.resolve(d.value);
  }
}

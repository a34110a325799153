/**
 * The SpendGuard the router calls around every attempt (src/core/types.ts):
 * `reserve()` before the call holds the worst case against every limit that applies (or lowers
 * max_tokens so it fits, or refuses), `settle()` once afterwards records the real cost. Both run
 * under the ledger lock, so any number of windows and CLIs share one budget without overspending.
 * Calls made at the same time in one process share one lock section (group commit,
 * groupCommit.ts): a reservation resolves once it is decided and written, a settle once its
 * usage line is fdatasync'd.
 */
import { randomUUID } from 'node:crypto';
import type { BudgetConfig, SwitchyardConfig } from '../config';
import {
  SwitchyardError,
  formatModelRef,
  silentLogger,
  type CostBreakdown,
  type FinishReason,
  type Logger,
  type ProviderEvent,
  type Reservation,
  type SpendGuard,
  type SpendRequest,
  type Usage,
} from '../types';
import { type NoticeReason, renderReason } from '../reasons';
import { costOf, maxTokensWithin, worstCaseUsd } from './costMath';
import { dueAlerts, type BudgetAlert } from './alerts';
import { fromUsd, type Currency } from './currency';
import { GroupCommit, type Durability } from './groupCommit';
import { LedgerFiles, type LedgerIo, type LedgerSyscalls } from './ledger';
import { LEDGER_FORMAT_VERSION, type LedgerRecord, type ProgressRecord, type ReserveRecord, type UsageRecord } from './ledgerRecords';
import { currencyOf, limitsFor, type Limit } from './limits';
import { Liveness } from './liveness';
import { dayKey } from './periods';
import { resolvePrice, type PriceContext, type ResolvedPrice } from './prices';
import { budgetRefusal } from './refusal';
import { PROGRESS_STEP_CHARS, PROGRESS_STEP_DELTAS, TOKENIZER_MARGIN, abandonedUsage, conservativeOutputTokens, estimateUsage, usageColumns } from './settlement';
import { SpendState } from './spendState';

/**
 * The smallest max_tokens worth lowering to: below this an answer is usually cut mid-sentence,
 * so refusing (and falling back to local) serves the user better. 256 ≈ a short paragraph or a
 * small function.
 */
export const MIN_USEFUL_MAX_TOKENS = 256;

/** The worst case reserves the input estimate plus the tokenizer margin (settlement.ts says why 10 %). */
export const INPUT_ESTIMATE_MARGIN = TOKENIZER_MARGIN;

export interface PeriodSummary {
  /** In the user's currency. */
  spent: number;
  /** Held by requests in flight. */
  reserved: number;
  limit: number;
  /** spent / limit (0 when the limit is 0 and nothing was spent). */
  fraction: number;
}

export interface BudgetSummary {
  currency: Currency;
  workspaceId: string;
  today: PeriodSummary;
  month: PeriodSummary;
  globalToday: PeriodSummary;
  globalMonth: PeriodSummary;
}

export interface SpendGuardOptions {
  /** Ledger directory: defaultLedgerDir() (the machine's state directory) outside tests. */
  dir: string;
  config: SwitchyardConfig;
  onAlert?: (alert: BudgetAlert) => void;
  logger?: Logger;
  /** Injected clock, for tests that cross midnight or month ends. */
  now?: () => number;
  /**
   * false: one lock section per call, as before group commit (the benchmark's baseline).
   * Default true.
   */
  groupCommit?: boolean;
  /** write(2) and fdatasync, for tests that observe or interrupt their order. */
  syscalls?: LedgerSyscalls;
}

export class LedgerSpendGuard implements SpendGuard {
  readonly files: LedgerFiles;
  private state = new SpendState();
  private readonly commits: GroupCommit;
  private readonly liveness: Liveness;
  private readonly logger: Logger;
  private readonly now: () => number;
  private config: SwitchyardConfig;
  /** Usage records whose write failed (disk full, lock lost): retried with the next write, never dropped. */
  private pending: UsageRecord[] = [];
  /** The pending records the current batch is retrying: pending again if it fails. */
  private inFlight: UsageRecord[] = [];
  /** Background writes of local usage lines, awaited by flush(). */
  private readonly writes = new Set<Promise<void>>();

  constructor(private readonly opts: SpendGuardOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
    this.config = opts.config;
    this.files = new LedgerFiles(opts.dir, this.logger, this.now, opts.syscalls);
    this.commits = new GroupCommit(
      this.files,
      { begin: (io) => this.catchUp(io), failed: (err) => this.rebuild(err) },
      opts.groupCommit === false ? 1 : Number.POSITIVE_INFINITY,
    );
    // Heartbeats compare file mtimes with the real clock, never the injected one.
    this.liveness = new Liveness(opts.dir);
    this.liveness.start();
  }

  /** Settings changed (limits, prices, currency): applies to the next reserve. */
  updateConfig(config: SwitchyardConfig): void {
    this.config = config;
  }

  get budget(): BudgetConfig {
    return this.config.budget;
  }

  priceContext(): PriceContext {
    const providers = this.config.providers;
    return {
      overrides: this.budget.priceOverrides,
      allowUnpriced: this.budget.allowUnpriced,
      vendorOf: (id) => providers[id]?.vendor,
    };
  }

  async reserve(req: SpendRequest): Promise<Reservation> {
    const resolved = resolvePrice(req.ref, req.locality, this.priceContext());
    const startedAt = this.now();
    if (resolved.kind === 'unpriced') {
      throw new SwitchyardError({ kind: 'budget', message: resolved.message, provider: req.ref.provider, model: req.ref.model, retryable: false });
    }
    const thinking = req.thinking ?? false;
    if (resolved.kind === 'local') return this.reservation(req, resolved, undefined, req.maxTokens, startedAt);

    const holder = this.liveness.self;
    const record = await this.commit('written', () => {
      const day = dayKey(this.now());
      const decision = this.decide(req, resolved, day);
      if (decision.maxTokens === undefined) throw this.refusal(req, decision.worstUsd, decision.binding!, day);
      const maxTokens = decision.maxTokens;
      const worst = worstCaseUsd(resolved, decision.input, maxTokens, thinking);
      const rec: ReserveRecord = {
        t: 'reserve',
        v: LEDGER_FORMAT_VERSION,
        id: randomUUID(),
        requestId: req.requestId ?? randomUUID(),
        time: new Date(startedAt).toISOString(),
        day,
        workspace: req.workspaceId,
        task: req.task,
        provider: req.ref.provider,
        model: req.ref.model,
        worstUsd: worst,
        maxTokens,
        inputTokensEstimate: req.inputTokensEstimate,
        ...(thinking ? { thinking } : {}),
        ...holder,
      };
      this.state.apply([rec]);
      return { records: [rec], value: rec };
    });
    const notice: NoticeReason | undefined =
      record.maxTokens < req.maxTokens ? { code: 'notice_max_tokens_lowered', from: req.maxTokens, to: record.maxTokens, model: formatModelRef(req.ref) } : undefined;
    return this.reservation(req, resolved, record, record.maxTokens, startedAt, notice);
  }

  /**
   * The pre-flight decision without reserving: what the request would cost at worst, the room
   * left, and the max_tokens it would run with (undefined: refused). Reads only the records
   * appended since the last look (no lock), so it costs O(new records) — the budget meter and
   * the benchmark use it; reserve() makes the same decision under the lock.
   */
  preflight(req: SpendRequest): { worstUsd: number; roomUsd: number; maxTokens: number | undefined } {
    this.state.apply(this.files.readNewUnlocked());
    const resolved = resolvePrice(req.ref, req.locality, this.priceContext());
    if (resolved.kind === 'unpriced') return { worstUsd: Number.POSITIVE_INFINITY, roomUsd: 0, maxTokens: undefined };
    const { worstUsd, roomUsd, maxTokens } = this.decide(req, resolved, dayKey(this.now()));
    return { worstUsd, roomUsd, maxTokens };
  }

  /**
   * The budget decision: run as asked when the worst case fits the smallest room left; else with
   * the largest max_tokens that fits, if that is still a useful answer length; else refuse
   * (maxTokens undefined), naming the binding limit.
   */
  private decide(req: SpendRequest, resolved: ResolvedPrice, day: string) {
    const thinking = req.thinking ?? false;
    const input = Math.ceil(req.inputTokensEstimate * INPUT_ESTIMATE_MARGIN);
    const worstUsd = worstCaseUsd(resolved, input, req.maxTokens, thinking);
    const { room, binding } = this.room(req.workspaceId, day);
    let maxTokens: number | undefined = req.maxTokens;
    if (worstUsd > room) {
      const fitting = maxTokensWithin(resolved, input, room, thinking);
      maxTokens = fitting >= MIN_USEFUL_MAX_TOKENS && binding ? fitting : undefined;
    }
    return { input, worstUsd, roomUsd: room, binding, maxTokens };
  }

  /** Today's and this month's spend against the limits, for the status bar and the budget meter. */
  async summary(workspaceId: string): Promise<BudgetSummary> {
    this.state.apply(this.files.readNewUnlocked());
    const day = dayKey(this.now());
    const cur = currencyOf(this.budget);
    const period = (limit: Limit): PeriodSummary => {
      const spent = this.state.spent(limit.scope, limit.period, workspaceId, day);
      const reserved = this.state.reserved(limit.scope, limit.period, workspaceId, day);
      return {
        spent: fromUsd(spent, cur),
        reserved: fromUsd(reserved, cur),
        limit: fromUsd(limit.limitUsd, cur),
        fraction: limit.limitUsd > 0 ? spent / limit.limitUsd : 0,
      };
    };
    const [wsDay, wsMonth, gDay, gMonth] = limitsFor(this.budget) as [Limit, Limit, Limit, Limit];
    return {
      currency: this.budget.currency,
      workspaceId,
      today: period(wsDay),
      month: period(wsMonth),
      globalToday: period(gDay),
      globalMonth: period(gMonth),
    };
  }

  /** Waits for background writes, then writes any usage records still pending after a failed write. */
  async flush(): Promise<void> {
    await Promise.all([...this.writes]);
    if (this.pending.length === 0) return;
    // An empty call: the batch writes the pending records first (catchUp) and syncs them.
    await this.commit('durable', () => ({ records: [], value: undefined }));
  }

  /** Stops the heartbeat; files close once background writes have landed (returned for callers that can wait). */
  dispose(): Promise<void> {
    this.liveness.stop();
    return this.flush()
      .then(() => this.commits.idle())
      .catch((err: unknown) => this.logger.warn('budget.flushOnDisposeFailed', { error: String(err) }))
      .finally(() => this.files.close());
  }

  // -------------------------------------------------------------------------------------------

  private reservation(
    req: SpendRequest,
    resolved: ResolvedPrice,
    held: ReserveRecord | undefined,
    maxTokens: number,
    startedAt: number,
    notice?: NoticeReason,
  ): Reservation {
    let settled: Promise<CostBreakdown> | undefined;
    const progress = new StreamProgress();
    return {
      id: held?.id ?? randomUUID(),
      maxTokens,
      ...(notice ? { notice: renderReason(notice), noticeReason: notice } : {}),
      // Only a held (cloud) reservation records progress: a local answer costs nothing to lose.
      observe: held
        ? (ev) => {
            if (settled) return;
            const record = progress.observe(ev);
            if (record) this.writeProgress({ ...record, id: held.id, time: new Date(this.now()).toISOString() });
          }
        : undefined,
      settle: (outcome) => {
        if (settled) {
          this.logger.warn('budget.settleTwice', { model: formatModelRef(req.ref) });
          return settled;
        }
        settled = this.settle(req, resolved, held, startedAt, outcome, progress.deltas);
        return settled;
      },
    };
  }

  /**
   * Appends a progress line in the background (after this process's earlier sections, before
   * its settle: the lock queue keeps the order). A failed write is only logged: the line is a
   * better guess for others should this process die, not the bill.
   */
  private writeProgress(rec: ProgressRecord): void {
    const write = this.commit('written', () => {
      this.state.apply([rec]);
      return { records: [rec], value: undefined };
    }).catch((err: unknown) => this.logger.warn('budget.progressWriteFailed', { error: String(err) }));
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  private async settle(
    req: SpendRequest,
    resolved: ResolvedPrice,
    held: ReserveRecord | undefined,
    startedAt: number,
    outcome: { usage?: Usage; finish: FinishReason; latencyMs: number; outputText?: string },
    deltas: number,
  ): Promise<CostBreakdown> {
    // A cloud provider's own estimate (usage.estimated: it reported none) is replaced by ours,
    // which errs high. A local one's is kept: it costs nothing, and only feeds the savings report.
    const reported = outcome.usage && (!outcome.usage.estimated || req.locality === 'local');
    const usage = reported ? outcome.usage! : estimateUsage(req, outcome.finish, outcome.outputText, deltas);
    const cost = costOf(usage, resolved, req.thinking ?? false);
    const rec: UsageRecord = {
      t: 'usage',
      v: LEDGER_FORMAT_VERSION,
      id: held?.id ?? randomUUID(),
      requestId: held?.requestId ?? req.requestId ?? randomUUID(),
      time: new Date(startedAt).toISOString(),
      day: held?.day ?? dayKey(startedAt),
      workspace: req.workspaceId,
      task: req.task,
      purpose: req.task === 'completion' ? 'completion' : 'chat',
      provider: req.ref.provider,
      model: req.ref.model,
      locality: req.locality,
      ...usageColumns(usage, cost),
      priceSource: cost.priceSource,
      escalatedFrom: req.escalatedFrom ? formatModelRef(req.escalatedFrom) : undefined,
      latencyMs: Math.round(outcome.latencyMs),
      outcome: outcome.finish,
      pid: process.pid,
    };
    const write = this.commit('durable', () => {
      this.state.apply([rec]);
      let alerts: LedgerRecord[] = [];
      try {
        alerts = this.checkAlerts(rec.workspace, rec.day);
      } catch (err) {
        this.logger.warn('budget.alertWriteFailed', { error: String(err) });
      }
      return { records: [rec, ...alerts], value: undefined };
    }).catch((err: unknown) => {
        // The cost is still returned and shown; the record waits for the next successful write.
        this.pending.push(rec);
        this.logger.error('budget.ledgerWriteFailed', { error: String(err), pending: this.pending.length });
      });
    if (req.locality === 'local') {
      // A local answer holds no budget: its line is written in the background so that the
      // settle (awaited by the router before its `finish` event) adds no lock or fsync latency
      // to inline completions. flush() waits for it.
      this.writes.add(write);
      void write.finally(() => this.writes.delete(write));
      return cost;
    }
    await write;
    return cost;
  }

  /** One call in the next batch (group commit). */
  private commit<T>(until: Durability, decide: () => { records: LedgerRecord[]; value: T }): Promise<T> {
    return this.commits.submit({ until, decide });
  }

  /**
   * Once per batch, under the lock: reads what others appended, closes reservations whose
   * process is gone, and returns those closing lines and any usage lines still pending after a
   * failed write, to be written first.
   */
  private catchUp(io: LedgerIo): LedgerRecord[] {
    this.state.apply(io.readNew());
    const expired: UsageRecord[] = [];
    for (const r of this.state.open.values()) {
      if (this.liveness.isAlive(r)) continue;
      const price = resolvePrice({ provider: r.provider, model: r.model }, 'cloud', this.priceContext());
      expired.push(abandonedUsage(r, this.state.progress.get(r.id), price));
    }
    if (expired.length > 0) {
      this.state.apply(expired);
      this.logger.warn('budget.reservationsExpired', { count: expired.length });
    }
    const retried = this.pending;
    this.inFlight = retried;
    this.pending = [];
    this.state.apply(retried);
    return [...expired, ...retried];
  }

  /**
   * A batch's write or sync failed: the in-memory view holds records that may not be on disk,
   * so it is rebuilt from the files at the next look, and the usage lines being retried stay
   * pending (each settle puts its own back). A usage line written twice counts once (by id).
   */
  private rebuild(err: unknown): void {
    this.pending = [...this.inFlight, ...this.pending];
    this.inFlight = [];
    this.state = new SpendState();
    this.files.rewind();
    this.logger.warn('budget.batchFailed', { error: String(err) });
  }

  /** The smallest room left across the four limits, and which limit that is. */
  private room(workspace: string, day: string): { room: number; binding: Limit | undefined } {
    let room = Number.POSITIVE_INFINITY;
    let binding: Limit | undefined;
    for (const limit of limitsFor(this.budget)) {
      const left =
        limit.limitUsd -
        this.state.spent(limit.scope, limit.period, workspace, day) -
        this.state.reserved(limit.scope, limit.period, workspace, day);
      if (left < room) {
        room = left;
        binding = limit;
      }
    }
    return { room: Math.max(0, room), binding };
  }

  private refusal(req: SpendRequest, worstUsd: number, limit: Limit, day: string): SwitchyardError {
    return budgetRefusal(req, worstUsd, limit, {
      spentUsd: this.state.spent(limit.scope, limit.period, req.workspaceId, day),
      reservedUsd: this.state.reserved(limit.scope, limit.period, req.workspaceId, day),
      currency: currencyOf(this.budget),
    });
  }

  /** Fires each threshold once per period across all processes (the alert line is the "fired" flag). */
  private checkAlerts(workspace: string, day: string): LedgerRecord[] {
    const { records, alerts } = dueAlerts(this.state, this.budget, workspace, day, new Date(this.now()).toISOString());
    if (records.length === 0) return records;
    this.state.apply(records);
    for (const alert of alerts) {
      // After the lock is released: a slow or throwing handler must not hold up the ledger.
      queueMicrotask(() => {
        try {
          this.opts.onAlert?.(alert);
        } catch (err) {
          this.logger.warn('budget.onAlertThrew', { error: String(err) });
        }
      });
    }
    return records;
  }
}

/**
 * What one stream has delivered so far, and when it is worth a progress line: after the first
 * delta, every PROGRESS_STEP_DELTAS deltas or PROGRESS_STEP_CHARS characters, and at once when
 * the provider reports its usage (the request is complete: that is the bill). Text is counted
 * in steps, so the per-token cost is a string append.
 */
class StreamProgress {
  deltas = 0;
  private outputTokens = 0;
  private pendingText = '';
  private deltasAtLastLine = 0;
  private usage: ProgressRecord['usage'];
  private finish: FinishReason | undefined;

  observe(ev: ProviderEvent): Omit<ProgressRecord, 'id' | 'time'> | undefined {
    switch (ev.type) {
      case 'text':
      case 'thinking':
        this.deltas++;
        this.pendingText += ev.text;
        if (this.deltas === 1 || this.deltas - this.deltasAtLastLine >= PROGRESS_STEP_DELTAS || this.pendingText.length >= PROGRESS_STEP_CHARS) return this.line();
        return undefined;
      case 'usage':
        if (ev.usage.estimated) return undefined;
        this.usage = {
          inputTokens: ev.usage.inputTokens,
          outputTokens: ev.usage.outputTokens,
          cachedInputTokens: ev.usage.cachedInputTokens ?? 0,
          reasoningTokens: ev.usage.reasoningTokens ?? 0,
          ...(ev.usage.reportedCostUsd !== undefined ? { reportedCostUsd: ev.usage.reportedCostUsd } : {}),
        };
        return this.line();
      case 'finish':
        this.finish = ev.reason;
        // Only worth a line when it changes what a usage line already said (e.g. "length").
        return this.usage && ev.reason !== 'stop' ? this.line() : undefined;
    }
  }

  private line(): Omit<ProgressRecord, 'id' | 'time'> {
    // Counted piecewise: splitting text can only raise a BPE count, never lower it.
    this.outputTokens += conservativeOutputTokens(0, this.pendingText);
    this.pendingText = '';
    this.deltasAtLastLine = this.deltas;
    return {
      t: 'progress',
      v: LEDGER_FORMAT_VERSION,
      deltas: this.deltas,
      outputTokens: Math.max(this.deltas, this.outputTokens),
      ...(this.usage ? { usage: this.usage } : {}),
      ...(this.finish ? { finish: this.finish } : {}),
    };
  }
}

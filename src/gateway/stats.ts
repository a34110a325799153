/**
 * GET /stats/performance: response times of the generation routes served by this process
 * (average, p50, p95, p99), success and error rates, throughput per minute. Kept in memory over
 * the last SAMPLE_LIMIT requests (this process's view; the ledger has the machine's usage).
 */

/** Enough for a stable p99 (100 samples above it), small enough to sort on every read. */
export const SAMPLE_LIMIT = 10_000;
const MINUTE_MS = 60_000;

interface Sample {
  at: number;
  ms: number;
  ok: boolean;
}

export interface ModelStatus {
  last_response_time_ms?: number;
  last_at?: number;
  requests: number;
  errors: number;
}

export class PerformanceStats {
  private samples: Sample[] = [];
  private next = 0;
  private readonly models = new Map<string, ModelStatus>();
  constructor(private readonly now: () => number = Date.now) {}

  record(ms: number, ok: boolean, model?: string): void {
    if (model) {
      const m = this.models.get(model) ?? { requests: 0, errors: 0 };
      m.requests++;
      if (!ok) m.errors++;
      m.last_response_time_ms = round(ms);
      m.last_at = this.now();
      this.models.set(model, m);
    }
    const s = { at: this.now(), ms, ok };
    if (this.samples.length < SAMPLE_LIMIT) this.samples.push(s);
    else this.samples[this.next++ % SAMPLE_LIMIT] = s;
  }

  model(id: string): ModelStatus | undefined {
    return this.models.get(id);
  }

  snapshot(): {
    response_times: { average_ms: number; p50_ms: number; p95_ms: number; p99_ms: number };
    success_rate: number;
    error_rate: number;
    throughput: { requests_per_minute: number };
    total_requests: number;
  } {
    const n = this.samples.length;
    const sorted = this.samples.map((s) => s.ms).sort((a, b) => a - b);
    const pct = (p: number) => (n === 0 ? 0 : round(sorted[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)]!));
    const ok = this.samples.filter((s) => s.ok).length;
    const t = this.now();
    return {
      response_times: { average_ms: n === 0 ? 0 : round(sorted.reduce((a, b) => a + b, 0) / n), p50_ms: pct(50), p95_ms: pct(95), p99_ms: pct(99) },
      success_rate: n === 0 ? 1 : ok / n,
      error_rate: n === 0 ? 0 : (n - ok) / n,
      throughput: { requests_per_minute: this.samples.filter((s) => t - s.at <= MINUTE_MS).length },
      total_requests: n,
    };
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

/**
 * Provider-guard benchmark: `npx tsx bench/guard.ts` (or `npm run bench:guard`).
 *
 * Measures what the guard adds to one request: gate → admit → settle on a real state directory
 * (temp dir), p50/p95/p99 per request, with
 * - one process alone;
 * - another guard appending to the same log between our requests (the cost of replaying others);
 * - a day file already holding 30,000 requests (what a window opening late in a busy day replays
 *   once at start-up, reported separately).
 * For comparison, one proper-lockfile lock + unlock round trip (the ledger's critical section),
 * which is why the guard orders by O_APPEND instead of taking a lock (src/core/reliability/log.ts).
 * Goal (issue 18): under 50 µs p50 per request.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as lockfile from 'proper-lockfile';
import { createReliabilityGuard, type GuardCandidate } from '../src/core/reliability/guard';
import { parseReliabilitySettings } from '../src/core/reliability/settings';

const WARMUP = 500;
const SAMPLES = 10_000;
const BUSY_DAY_REQUESTS = 30_000;
const LOCK_SAMPLES = 300;

// Lifted quotas so every request is admitted (the cost measured is the bookkeeping, not a skip).
const settings = parseReliabilitySettings({ quotas: { 'groq/*': { requestsPerMinute: null, tokensPerMinute: null }, groq: { concurrent: null } } }).settings;
const cand: GuardCandidate = { ref: { provider: 'groq', model: 'llama-3.3-70b-versatile' }, locality: 'cloud' };

function pct(values: number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)]!;
}
function report(name: string, us: number[]): void {
  console.log(`${name.padEnd(58)} p50 ${pct(us, 0.5).toFixed(1).padStart(6)} µs   p95 ${pct(us, 0.95).toFixed(1).padStart(6)} µs   p99 ${pct(us, 0.99).toFixed(1).padStart(6)} µs`);
}
function microseconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1_000;
}

function cycle(dir: string, other?: ReturnType<typeof createReliabilityGuard>): number[] {
  const g = createReliabilityGuard({ dir, settings, vendorOf: (p) => p });
  const out: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    if (other) {
      const o = other.admit(cand, 500);
      if (o.ok) other.settle(o.lease, { ok: true, tokens: 480, ttftMs: 200, totalMs: 900 });
    }
    const t0 = process.hrtime.bigint();
    const gate = g.gate(cand, 500);
    const a = gate.ok ? g.admit(cand, 500) : undefined;
    if (!a?.ok) throw new Error('benchmark request was skipped');
    g.settle(a.lease, { ok: true, tokens: 480, ttftMs: 200, totalMs: 900, headers: { 'x-ratelimit-remaining-requests': '14000', 'x-ratelimit-reset-requests': '2m59.56s' } });
    const us = microseconds(t0);
    if (i >= WARMUP) out.push(us);
  }
  g.close();
  return out;
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-guard-'));
  try {
    console.log(`guard: gate + admit + settle per request, ${SAMPLES} requests (node ${process.version}, ${os.cpus().length} cores)`);
    report('one process', cycle(path.join(root, 'alone')));
    const shared = path.join(root, 'shared');
    const other = createReliabilityGuard({ dir: shared, settings, vendorOf: (p) => p });
    report('another guard writing between our requests', cycle(shared, other));
    other.close();

    const busy = path.join(root, 'busy');
    const filler = createReliabilityGuard({ dir: busy, settings, vendorOf: (p) => p });
    for (let i = 0; i < BUSY_DAY_REQUESTS; i++) {
      const a = filler.admit(cand, 500);
      if (a.ok) filler.settle(a.lease, { ok: true, tokens: 480 });
    }
    filler.close();
    const t0 = process.hrtime.bigint();
    const late = createReliabilityGuard({ dir: busy, settings, vendorOf: (p) => p });
    const startMs = microseconds(t0) / 1_000;
    const size = fs.readdirSync(busy).reduce((n, f) => n + fs.statSync(path.join(busy, f)).size, 0);
    console.log(`start-up replay of a day with ${BUSY_DAY_REQUESTS} requests (${(size / 1e6).toFixed(1)} MB): ${startMs.toFixed(0)} ms`);
    late.close();
    report(`after that busy day (${BUSY_DAY_REQUESTS} requests in the file)`, cycle(busy));

    const lockTarget = path.join(root, 'lock-target');
    const lockUs: number[] = [];
    for (let i = 0; i < LOCK_SAMPLES; i++) {
      const t = process.hrtime.bigint();
      const release = await lockfile.lock(lockTarget, { realpath: false, stale: 5_000 });
      await release();
      lockUs.push(microseconds(t));
    }
    report('for comparison: one proper-lockfile lock + unlock', lockUs);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

void main();

/**
 * Usage-ledger benchmark: `npx tsx bench/ledger.ts` (or `npm run bench:ledger`); `-- --throughput`
 * runs only the requests/s rows, `-- --throughput 2` only the two-process ones.
 *
 * Builds a synthetic year of usage (200 requests a day × 365 days, in the monthly files the
 * ledger rotates to) and measures:
 * - loading it: the first look a new window takes (only the previous and current month files);
 * - the pre-flight check (`preflight`: read the tail since the last offset + decide), p50/p95/p99,
 *   with other processes appending between checks, and with 73,000 records in ONE month file
 *   (a heavy user) to show the check does not grow with the ledger;
 * - a full reserve → settle cycle (two lock round trips; the usage line fdatasync'd), p50/p95/p99,
 *   and append throughput in records per second (per request, and batched 1,000 per fsync);
 * - ledger-backed requests per second (reserve → settle, the usage line durable) at 1, 16 and 64
 *   concurrent requests in one process and in two processes together on one ledger, with the
 *   reserve + settle latency p50/p95: with group commit (the default) and with one lock section
 *   per call (`groupCommit: false`, the path before issue 19), side by side.
 * Numbers depend mostly on the disk's fsync latency; the in-memory check is what the 1 ms target
 * is about.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configSchema } from '../src/core/config';
import { LedgerFiles, ledgerFileName } from '../src/core/cost/ledger';
import { LEDGER_FORMAT_VERSION, serializeRecord, type LedgerRecord, type UsageRecord } from '../src/core/cost/ledgerRecords';
import { dayKey, monthKey } from '../src/core/cost/periods';
import { LedgerSpendGuard } from '../src/core/cost/spendGuard';
import { silentLogger, type SpendRequest } from '../src/core/types';

/** The brief's synthetic load: a busy user's year. */
const REQUESTS_PER_DAY = 200;
const DAYS = 365;
const CHECK_SAMPLES = 5_000;
const CYCLE_SAMPLES = 300;
const DAY_MS = 86_400_000;

const config = configSchema.parse({ budget: { dailyLimit: 1_000, globalDailyLimit: 1_000, globalMonthlyLimit: 100_000 } });
const request: SpendRequest = {
  workspaceId: 'ws-0',
  task: 'code',
  ref: { provider: 'openai', model: 'gpt-4o-mini' },
  locality: 'cloud',
  inputTokensEstimate: 800,
  maxTokens: 1_024,
};

function usageRecord(i: number, day: string, time: string): UsageRecord {
  return {
    t: 'usage',
    v: LEDGER_FORMAT_VERSION,
    id: `syn-${i}`,
    requestId: `syn-req-${i}`,
    time,
    day,
    workspace: `ws-${i % 5}`,
    task: i % 3 === 0 ? 'completion' : 'code',
    purpose: i % 3 === 0 ? 'completion' : 'chat',
    provider: i % 2 === 0 ? 'ollama' : 'openai',
    model: i % 2 === 0 ? 'qwen2.5-coder:7b' : 'gpt-4o-mini',
    locality: i % 2 === 0 ? 'local' : 'cloud',
    inputTokens: 800,
    outputTokens: 200,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costUsd: i % 2 === 0 ? 0 : 0.00024,
    estimated: false,
    priceSource: 'table',
    latencyMs: 900,
    outcome: 'stop',
    pid: 1,
  };
}

/** Writes a year of records: into monthly files (as the ledger does), or all into the current month's file. */
function writeYear(dir: string, oneFile: boolean): number {
  const now = Date.now();
  const byFile = new Map<string, string[]>();
  let n = 0;
  for (let d = DAYS - 1; d >= 0; d--) {
    const t = now - d * DAY_MS;
    const file = path.join(dir, ledgerFileName(oneFile ? monthKey(now) : monthKey(t)));
    const lines = byFile.get(file) ?? [];
    for (let k = 0; k < REQUESTS_PER_DAY; k++) lines.push(serializeRecord(usageRecord(n++, dayKey(t), new Date(t).toISOString())));
    byFile.set(file, lines);
  }
  for (const [file, lines] of byFile) fs.writeFileSync(file, lines.join(''));
  return n;
}

function percentiles(samples: number[]): { p50: number; p95: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
const rows: string[][] = [];
const row = (what: string, ...cols: string[]) => rows.push([what, ...cols]);

async function scenario(label: string, oneFile: boolean): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-ledger-'));
  try {
    const records = writeYear(dir, oneFile);
    const bytes = fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
    let t = performance.now();
    const guard = new LedgerSpendGuard({ dir, config, logger: silentLogger });
    guard.preflight(request);
    row(`${label}: first load (${records.toLocaleString('en')} records, ${(bytes / 1e6).toFixed(1)} MB)`, fmt(performance.now() - t));

    // Another process appending between checks: each check reads the new tail, then decides.
    const other = new LedgerFiles(dir, silentLogger);
    const samples: number[] = [];
    for (let i = 0; i < CHECK_SAMPLES; i++) {
      if (i % 10 === 0) {
        await other.withLock((io) => {
          io.readNew();
          io.append([usageRecord(records + i, dayKey(Date.now()), new Date().toISOString())]);
        });
      }
      t = performance.now();
      guard.preflight(request);
      samples.push(performance.now() - t);
    }
    const p = percentiles(samples);
    row(`${label}: pre-flight check`, `p50 ${fmt(p.p50)}`, `p95 ${fmt(p.p95)}`, `p99 ${fmt(p.p99)}`);
    other.close();
    guard.dispose();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function cycles(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-ledger-'));
  try {
    writeYear(dir, false);
    const guard = new LedgerSpendGuard({ dir, config, logger: silentLogger });
    const samples: number[] = [];
    const started = performance.now();
    for (let i = 0; i < CYCLE_SAMPLES; i++) {
      const t = performance.now();
      const r = await guard.reserve(request);
      await r.settle({ usage: { inputTokens: 800, outputTokens: 200, estimated: false }, finish: 'stop', latencyMs: 1 });
      samples.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    const p = percentiles(samples);
    row('reserve + settle (2 locked appends, 1 fdatasync)', `p50 ${fmt(p.p50)}`, `p95 ${fmt(p.p95)}`, `p99 ${fmt(p.p99)}`);
    row('requests/s, one process (2 ledger lines each)', `${Math.round(CYCLE_SAMPLES / seconds)} requests/s`, `${Math.round((2 * CYCLE_SAMPLES) / seconds)} lines/s`);
    guard.dispose();

    const files = new LedgerFiles(dir, silentLogger);
    const batch: LedgerRecord[] = Array.from({ length: 1_000 }, (_, i) => usageRecord(10_000_000 + i, dayKey(Date.now()), new Date().toISOString()));
    const t = performance.now();
    for (let i = 0; i < 10; i++) await files.withLock((io) => (io.readNew(), io.append(batch)));
    row('append throughput, 1,000 records per fsync', `${Math.round(10_000 / ((performance.now() - t) / 1000)).toLocaleString('en')} records/s`);
    files.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Requests per throughput run and process: a few hundred batches at 64 concurrent. */
const LOAD_REQUESTS = 4_000;
const CONCURRENCY = [1, 16, 64];

interface LoadResult {
  seconds: number;
  samples: number[];
}

/** `concurrency` callers each running reserve → settle until `total` requests are done. */
async function load(dir: string, concurrency: number, total: number, groupCommit: boolean): Promise<LoadResult> {
  const guard = new LedgerSpendGuard({ dir, config, logger: silentLogger, groupCommit });
  const samples: number[] = [];
  let started = 0;
  const caller = async () => {
    while (started++ < total) {
      const t = performance.now();
      const r = await guard.reserve(request);
      await r.settle({ usage: { inputTokens: 800, outputTokens: 200, estimated: false }, finish: 'stop', latencyMs: 1 });
      samples.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, caller));
  const seconds = (performance.now() - t0) / 1000;
  await guard.dispose();
  return { seconds, samples };
}

/** The second process of a two-process run: loads, waits for "go", reports its result. */
async function child(dir: string, concurrency: number, total: number, groupCommit: boolean): Promise<void> {
  process.send!({ ready: true });
  await once(process, 'message');
  const result = await load(dir, concurrency, total, groupCommit);
  process.send!({ result }, () => process.disconnect());
}

async function throughput(concurrency: number, processes: 1 | 2, groupCommit: boolean): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-ledger-'));
  try {
    const total = concurrency === 1 ? LOAD_REQUESTS / 4 : LOAD_REQUESTS;
    let other: Promise<LoadResult> | undefined;
    if (processes === 2) {
      const c = fork(__filename, ['--child', dir, String(concurrency), String(total), String(groupCommit)]);
      await once(c, 'message');
      other = new Promise((resolve) => c.on('message', (m: { result?: LoadResult }) => m.result && resolve(m.result)));
      c.send('go');
    }
    const results = [await load(dir, concurrency, total, groupCommit), ...(other ? [await other] : [])];
    const requests = results.reduce((n, r) => n + r.samples.length, 0);
    const seconds = Math.max(...results.map((r) => r.seconds));
    const p = percentiles(results.flatMap((r) => r.samples));
    row(
      `${groupCommit ? 'group commit' : 'one section per call (before)'}: ${concurrency} concurrent × ${processes} process${processes === 2 ? 'es' : ''}`,
      `${Math.round(requests / seconds).toLocaleString('en')} requests/s`,
      `reserve+settle p50 ${fmt(p.p50)}`,
      `p95 ${fmt(p.p95)}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    const [, , , dir, concurrency, total, groupCommit] = process.argv;
    return child(dir!, Number(concurrency), Number(total), groupCommit === 'true');
  }
  // `--throughput`: only the requests/s rows (the year scenarios take a while to build).
  if (process.argv[2] !== '--throughput') {
    await scenario('year in monthly files', false);
    await scenario('year in one file', true);
    await cycles();
  }
  for (const processes of process.argv[3] === '2' ? ([2] as const) : ([1, 2] as const)) {
    for (const concurrency of CONCURRENCY) {
      for (const groupCommit of [false, true]) await throughput(concurrency, processes, groupCommit);
    }
  }
  const width = Math.max(...rows.map((r) => r[0]!.length));
  console.log(`ledger benchmark — ${REQUESTS_PER_DAY} requests/day × ${DAYS} days, node ${process.version}, ${os.cpus().length} CPUs`);
  for (const r of rows) console.log(`${r[0]!.padEnd(width)}  ${r.slice(1).join('  ')}`);
}

void main();

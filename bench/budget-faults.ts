/**
 * Budget under a faulty provider: `npm run bench:budget` (or `npx tsx bench/budget-faults.ts`).
 *
 * 8 processes (each what one VS Code window or CLI run would be) send 3 streamed requests each
 * through the real router to the OpenAI-compatible double, all spending from one workspace cap
 * that fits about half of them. The double cuts a third of its streams mid-answer (no usage
 * chunk) and stalls some after a few tokens; the provider's idle timeout ends the stalls.
 *
 * Reported:
 * - what the double served (its own log of the tokens it sent, priced with the same price table)
 *   against the cap: the goal is never over;
 * - the ledger's total against what was served: the goal is at or above, at most 10 % above;
 * - the worst time from a stall (the double's last write) to the attempt's end in the process.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { configSchema } from '../src/core/config';
import { costOf } from '../src/core/cost/costMath';
import { resolvePrice } from '../src/core/cost/prices';
import { readUsage } from '../src/core/cost/reports';
import { createSpendGuard } from '../src/core/cost';
import { createSwitchyard } from '../src/core/switchyard';
import type { KeyStore } from '../src/core/types';
import type { ChatReply } from '../test/servers/openaiCompatible';
import { CODING_ANSWER as ANSWER, CODING_PROMPT as PROMPT } from '../test/fixtures/codingRequest';

const PROCESSES = 8;
const REQUESTS_EACH = 3;
/** The provider's idle timeout (config timeoutMs): short, so that a stalled stream ends soon. */
const IDLE_TIMEOUT_MS = 500;
const MAX_TOKENS = 600;
/** gpt-4o at the table price: one full answer is ~$0.005, its worst case ~$0.0066. */
const MODEL = { provider: 'openai', model: 'gpt-4o' };
const keys: KeyStore = { getKey: async () => 'test-key' };

async function child(dir: string, baseUrl: string, cap: number, id: string): Promise<void> {
  const config = configSchema.parse({
    providers: { openai: { kind: 'openai-compatible', vendor: 'openai', baseUrl, locality: 'cloud', models: ['gpt-4o'], timeoutMs: IDLE_TIMEOUT_MS } },
    tasks: { chat: ['openai/gpt-4o'] },
    escalation: { policy: 'off' },
    budget: { dailyLimit: cap, globalDailyLimit: 100, globalMonthlyLimit: 1_000 },
  });
  const cost = createSpendGuard({ dir, config });
  const sy = createSwitchyard({ config, keys, spendGuard: cost, env: {} });
  // endedAt: the finish event, after the reservation is settled; streamEndAt: when the attempt gave up the stream (before settling).
  const ends: Record<string, { endedAt: number; streamEndAt?: number; outcome: string }> = {};
  for (let i = 0; i < REQUESTS_EACH; i++) {
    const tag = `${id}-${i}`;
    let outcome = 'answered';
    for await (const ev of sy.stream({ messages: [{ role: 'user', content: `[${tag}] ${PROMPT}` }], task: 'chat', mode: 'cloud', maxTokens: MAX_TOKENS, workspaceId: 'bench', signal: new AbortController().signal })) {
      if (ev.type === 'finish') ends[tag] = { endedAt: Date.now(), streamEndAt: ev.timing.startedAt + ev.timing.totalMs, outcome: ev.reason };
      if (ev.type === 'error') outcome = ev.error.kind;
    }
    if (ends[tag]) ends[tag].outcome = `${ends[tag].outcome}/${outcome}`;
    else ends[tag] = { endedAt: Date.now(), outcome };
  }
  await cost.dispose();
  process.send!({ ends }, () => process.disconnect());
}

/** Request k's fate, fixed by its order of arrival: every 3rd cut mid-answer, every 4th otherwise stalled after a few tokens. */
function planFor(k: number): ChatReply & { fate: string } {
  const frames = [...ANSWER].length;
  if (k % 3 === 0) return { text: ANSWER, chunking: { delayMs: 2, breakAfterChunks: Math.floor(frames * (0.2 + 0.6 * ((k * 7) % 10) / 10)) }, fate: 'cut' };
  if (k % 4 === 1) return { text: ANSWER, chunking: { delayMs: 2, stallAfterChunks: 20 + ((k * 13) % 60) }, fate: 'stall' };
  return { text: ANSWER, chunking: { delayMs: 2 }, fate: 'complete' };
}

async function main(): Promise<void> {
  const { startOpenAICompatibleServer } = await import('../test/servers/openaiCompatible');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-budget-'));
  const script = path.join(dir, 'child.js');
  await esbuild.build({ entryPoints: [__filename], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: script, logLevel: 'error' });
  const price = resolvePrice(MODEL, 'cloud', { overrides: {}, allowUnpriced: [], vendorOf: () => 'openai' });
  const fates = new Map<string, string>();
  let k = 0;
  const server = await startOpenAICompatibleServer({
    vendor: 'openai',
    models: ['gpt-4o'],
    reply: (rec) => {
      const plan = planFor(k++);
      const tag = /^\[([^\]]+)\]/.exec(String(rec.body?.messages?.at(-1)?.content ?? ''))?.[1] ?? '?';
      fates.set(tag, plan.fate);
      (rec as { tag?: string }).tag = tag;
      return plan;
    },
  });
  // One full answer served costs about this; the cap fits about half of the 24.
  const fullUsd = costOf({ inputTokens: Math.ceil(PROMPT.length / 4), outputTokens: [...ANSWER].length, estimated: false }, price, false).totalUsd;
  const cap = Number(((PROCESSES * REQUESTS_EACH * fullUsd) / 2).toFixed(4));
  const started = Date.now();
  const ends = (
    await Promise.all(
      Array.from({ length: PROCESSES }, (_, i) => {
        const c = fork(script, ['child', dir, server.baseUrl, String(cap), `p${i}`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        return new Promise<Record<string, { endedAt: number; streamEndAt?: number; outcome: string }>>((resolve, reject) => {
          c.on('message', (m: { ends: Record<string, { endedAt: number; streamEndAt?: number; outcome: string }> }) => resolve(m.ends));
          c.on('exit', (code) => code !== 0 && reject(new Error(`child ${i} exited ${code}`)));
        });
      }),
    )
  ).reduce((a, b) => ({ ...a, ...b }), {});
  const wallMs = Date.now() - started;

  const chats = server.requests.filter((r) => r.path.endsWith('/chat/completions'));
  const servedUsd = chats.reduce((sum, r) => sum + (r.served ? costOf({ inputTokens: r.served.promptTokens, outputTokens: r.served.outputTokens, estimated: false }, price, false).totalUsd : 0), 0);
  const records = readUsage(fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(dir, f)), { workspaceId: 'bench' });
  const ledgerUsd = records.reduce((sum, r) => sum + r.costUsd, 0);
  let worstStallMs = 0;
  let worstStreamMs = 0;
  for (const r of chats) {
    const tag = (r as { tag?: string }).tag ?? '?';
    if (fates.get(tag) !== 'stall' || r.lastWriteAt === undefined) continue;
    const end = ends[tag];
    if (end) worstStallMs = Math.max(worstStallMs, end.endedAt - r.lastWriteAt);
    if (end?.streamEndAt !== undefined) worstStreamMs = Math.max(worstStreamMs, end.streamEndAt - r.lastWriteAt);
  }
  const count = (fate: string) => [...fates.values()].filter((f) => f === fate).length;
  const refused = Object.values(ends).filter((e) => e.outcome.endsWith('budget')).length;
  console.log(`${PROCESSES} processes × ${REQUESTS_EACH} requests to gpt-4o (table price), cap $${cap.toFixed(4)} (about half of them), idle timeout ${IDLE_TIMEOUT_MS} ms; ${wallMs} ms wall`);
  const outcomes = new Map<string, number>();
  for (const e of Object.values(ends)) outcomes.set(e.outcome, (outcomes.get(e.outcome) ?? 0) + 1);
  console.log(`  attempts by finish/error: ${[...outcomes].map(([o, n]) => `${o} ${n}`).join(', ')}`);
  console.log(`  provider: ${chats.length} calls answered (${count('complete')} complete, ${count('cut')} cut mid-answer, ${count('stall')} stalled), ${refused} refused before any call`);
  console.log(`  served by the provider: $${servedUsd.toFixed(6)} = ${((servedUsd / cap) * 100).toFixed(1)} % of the cap (goal: ≤ 100 %)`);
  console.log(`  ledger:                 $${ledgerUsd.toFixed(6)} = ${((ledgerUsd / servedUsd) * 100).toFixed(1)} % of served (goal: 100–110 %), ${records.filter((r) => r.estimated).length} of ${records.length} records estimated`);
  console.log(`  stall → attempt end:    worst ${worstStallMs} ms (idle timeout ${IDLE_TIMEOUT_MS} ms); stream given up after worst ${Math.round(worstStreamMs)} ms, the rest is settling in the ledger shared by 8 processes`);
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

if (process.argv[2] === 'child') {
  const [, , , dir, baseUrl, cap, id] = process.argv;
  child(dir!, baseUrl!, Number(cap), id!).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

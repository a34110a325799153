/**
 * Fault replay (issue 18 benchmark): 1,000 chat requests on a compressed timeline against three
 * cloud doubles (Groq, Gemini and DashScope-like, real HTTP), with scripted faults, run side by
 * side in one process: today's plain failover (no provider guard) and the reliability guard
 * (createProviderGuard), plus a fault-free run as the latency baseline.
 *
 * Timeline: one request every REQUEST_GAP_MS of virtual time (about 17 virtual minutes in all). The
 * doubles' quota windows and spells and the guard all read the same virtual clock; a wait the
 * guard schedules (a backoff, a quota slot) moves the clock forward by its length and fires at
 * once, so the whole replay runs in seconds and a wait still counts in the request's latency.
 *
 * Faults (the free tiers and failure modes of requirements §1 and §3):
 * - Groq: its free tier's 30 requests and 30,000 tokens a minute (the double's own 429 with
 *   retry-after and x-ratelimit-* once a window is full); a 5xx spell of 30 s at request 700.
 * - Gemini: 15 a minute (429 with RetryInfo in its JSON array body); 5xx spells of 60 s at 200 and 600.
 * - DashScope: streams dropped after 5 tokens for 60 s at request 400; a 5xx spell of 30 s at 800.
 * Stalled streams are not replayed: ending one needs the idle timeout of point 5 (another branch);
 * without it both variants would wait forever.
 *
 * Measured per variant: the share answered, requests answered 429 (sent over a quota or inside its
 * retry-after: the guard's goal is 0), HTTP attempts per request p50/p95 (1 = no retry, no
 * failover), added latency p50/p95 against the fault-free run's median, tokens streamed by
 * attempts that were then cut, and the guard's own synchronous cost per request (gate + admit +
 * settle, wall clock, p50/p95).
 *
 * Run: npx tsx bench/fault-replay.ts [requests]   (or npm run bench:faults); FAULTS_WHY=1 prints why each unanswered request failed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../src/core/config';
import type { FetchLike } from '../src/core/net/keyOrigin';
import { createProviderGuard } from '../src/core/reliability/routerGuard';
import type { ProviderGuard } from '../src/core/router/guard';
import { createSwitchyard } from '../src/core/switchyard';
import type { Timers } from '../src/core/timers';
import { silentLogger, type KeyStore, type StreamEvent } from '../src/core/types';
import { type ChatReply, type OpenAICompatibleServer, startOpenAICompatibleServer } from '../test/servers/openaiCompatible';
import { percentile } from './streamTiming';

const REQUESTS = Number(process.argv[2] ?? 1_000);
/** 60 requests a virtual minute: more than Groq (30) and Gemini (15) take together, so DashScope serves too. */
const REQUEST_GAP_MS = 1_000;
/** Tokens per answer (the doubles split the text into one chunk per word). */
const ANSWER = 'The quick brown fox jumps over the lazy dog again and again today.';
const DROP_AFTER_TOKENS = 5;

const MODELS = { groq: 'llama-3.3-70b-versatile', gemini: 'gemini-2.5-flash', dashscope: 'qwen-plus' } as const;
type Name = keyof typeof MODELS;

interface Clock {
  t: number;
}

/** A spell (5xx) or a drop window on the virtual timeline, by request index. */
interface Fault {
  at: number;
  forMs: number;
  server: Name;
  kind: 'server' | 'drop';
}
const FAULTS: Fault[] = [
  { at: 200, forMs: 60_000, server: 'gemini', kind: 'server' },
  { at: 400, forMs: 60_000, server: 'dashscope', kind: 'drop' },
  { at: 600, forMs: 60_000, server: 'gemini', kind: 'server' },
  { at: 700, forMs: 30_000, server: 'groq', kind: 'server' },
  { at: 800, forMs: 30_000, server: 'dashscope', kind: 'server' },
];

interface Result {
  answered: number;
  http429: number;
  attempts: number[];
  latencyMs: number[];
  wastedTokens: number;
  guardUs: number[];
}

/** The guard's waits: the virtual clock jumps by the wait, the callback runs on the next turn. */
function compressedTimers(clock: Clock, waited: { ms: number }): Timers {
  return {
    setTimeout: (cb, ms) => {
      clock.t += ms;
      waited.ms += ms;
      return setImmediate(cb) as never;
    },
    clearTimeout: (h) => h && clearImmediate(h as never),
    setInterval: () => ({}),
    clearInterval: () => undefined,
  };
}

async function startDoubles(clock: Clock, faulty: boolean): Promise<Record<Name, OpenAICompatibleServer>> {
  const now = () => clock.t;
  const drops = { until: -1 };
  const start = (vendor: Name, quota?: { requestsPerMinute: number; tokensPerMinute?: number }) =>
    startOpenAICompatibleServer({
      vendor,
      apiKey: `key-${vendor}`,
      models: [MODELS[vendor]],
      clock: now,
      ...(faulty && quota ? { quota } : {}),
      reply: (): ChatReply => (vendor === 'dashscope' && clock.t < drops.until ? { text: ANSWER, dropAfterTokens: DROP_AFTER_TOKENS } : { text: ANSWER }),
    });
  const servers = {
    groq: await start('groq', { requestsPerMinute: 30, tokensPerMinute: 30_000 }),
    gemini: await start('gemini', { requestsPerMinute: 15 }),
    dashscope: await start('dashscope'),
  };
  return Object.assign(servers, { drops });
}

async function replay(variant: 'plain' | 'guard' | 'fault-free'): Promise<Result> {
  const clock: Clock = { t: new Date(2026, 11, 2, 12, 0, 0).getTime() };
  const faulty = variant !== 'fault-free';
  const servers = (await startDoubles(clock, faulty)) as Record<Name, OpenAICompatibleServer> & { drops: { until: number } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-faults-'));
  const waited = { ms: 0 };
  const result: Result = { answered: 0, http429: 0, attempts: [], latencyMs: [], wastedTokens: 0, guardUs: [] };
  let attemptsNow = 0;
  const countingFetch: FetchLike = async (input, init) => {
    const res = await fetch(input, init);
    if (String(input instanceof Request ? input.url : input).includes('chat/completions')) {
      attemptsNow++;
      if (res.status === 429) result.http429++;
    }
    return res;
  };
  const { config } = parseConfig({
    providers: Object.fromEntries(
      (Object.keys(MODELS) as Name[]).map((n) => [n, { kind: 'openai-compatible', vendor: n, baseUrl: servers[n].baseUrl, locality: 'cloud', models: [MODELS[n]] }]),
    ),
    tasks: { chat: (Object.keys(MODELS) as Name[]).map((n) => `${n}/${MODELS[n]}`) },
    escalation: { policy: 'off' },
  });
  const keys: KeyStore = { getKey: async (id) => `key-${id}` };
  let providerGuard: (ProviderGuard & { close(): void }) | undefined;
  let guardTime = 0;
  if (variant === 'guard') {
    const inner = createProviderGuard({ dir, now: () => clock.t, timers: compressedTimers(clock, waited), random: seeded(7), logger: silentLogger, vendorOf: (p) => p });
    const timed = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
      const t0 = performance.now();
      try {
        return f(...a);
      } finally {
        guardTime += performance.now() - t0;
      }
    };
    providerGuard = { gate: timed(inner.gate), admit: timed(inner.admit), settle: timed(inner.settle), close: inner.close };
  }
  const sy = createSwitchyard({ config, keys, env: {}, fetch: countingFetch, logger: silentLogger, ...(providerGuard ? { providerGuard } : {}) });

  for (let i = 0; i < REQUESTS; i++) {
    if (faulty) for (const f of FAULTS.filter((x) => x.at === i)) {
      if (f.kind === 'server') servers[f.server].spell({ error: 'server', forMs: f.forMs });
      else servers.drops.until = clock.t + f.forMs;
    }
    attemptsNow = 0;
    waited.ms = 0;
    guardTime = 0;
    const t0 = performance.now();
    const events: StreamEvent[] = [];
    for await (const ev of sy.stream({ messages: [{ role: 'user', content: `Hello, request ${i}` }], workspaceId: 'bench', task: 'chat', maxTokens: 64, signal: new AbortController().signal } as never)) events.push(ev);
    result.latencyMs.push(performance.now() - t0 + waited.ms);
    result.attempts.push(attemptsNow);
    if (providerGuard) result.guardUs.push(guardTime * 1000);
    const finished = new Set(events.filter((e) => e.type === 'finish' && e.reason !== 'error' && e.reason !== 'cancelled').map((e) => (e as { attempt: number }).attempt));
    const err = events.find((e) => e.type === 'error');
    if (finished.size > 0 && !err) result.answered++;
    else if (process.env.FAULTS_WHY) console.error(variant, i, err?.type === 'error' ? err.error.message.slice(0, 160) : 'no finish');
    result.wastedTokens += events.filter((e) => e.type === 'text' && !finished.has(e.attempt)).length;
    clock.t += REQUEST_GAP_MS;
  }
  providerGuard?.close();
  await Promise.all((Object.keys(MODELS) as Name[]).map((n) => servers[n].close()));
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const p = (xs: number[], q: number) => percentile(xs, q * 100);

async function main(): Promise<void> {
  const base = await replay('fault-free');
  const baseline = p(base.latencyMs, 0.5);
  const rows: [string, Result][] = [
    ['plain failover', await replay('plain')],
    ['reliability guard', await replay('guard')],
  ];
  console.log(`fault replay: ${REQUESTS} requests, one every ${REQUEST_GAP_MS / 1000} virtual s; fault-free median ${baseline.toFixed(2)} ms`);
  for (const [name, r] of rows) {
    const added = r.latencyMs.map((x) => x - baseline);
    console.log(
      [
        `${name}:`,
        `answered ${((100 * r.answered) / REQUESTS).toFixed(1)} %`,
        `429s received ${r.http429}`,
        `attempts/request p50 ${p(r.attempts, 0.5)} p95 ${p(r.attempts, 0.95)}`,
        `added latency p50 ${p(added, 0.5).toFixed(1)} ms p95 ${p(added, 0.95).toFixed(1)} ms`,
        `tokens wasted on cut streams ${r.wastedTokens}`,
        r.guardUs.length ? `guard cost p50 ${p(r.guardUs, 0.5).toFixed(0)} µs p95 ${p(r.guardUs, 0.95).toFixed(0)} µs` : 'guard cost -',
      ].join('  '),
    );
  }
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

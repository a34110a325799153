/**
 * What `switchyard serve` adds, against calling the same fake upstream directly (issue 19):
 * the OpenAI-compatible double (vendor "openai", 200 tokens, no artificial delay) in its own
 * process, the gateway in its own process (the CLI's core: ledger, router, a pinned local
 * provider so no price applies), and this process as the client with keep-alive connections.
 *
 *   streaming       200-token SSE answers: added time to first byte of the body (the gateway
 *                   writes its headers with the first token), added total time, throughput
 *   non-streaming   the same answer as one JSON body: added total time, throughput
 *   at 1, 16 and 64 concurrent clients; variants interleaved per round, so load drift hits both.
 *   RSS of the gateway process before and after RSS_REQUESTS more non-streaming requests.
 *
 * Side by side, through @portkey-ai/gateway (a devDependency, its own process, headless, the
 * double as an "openai" custom host). Not yet here: a priced cloud model, whose ledger
 * reserve + settle (fsync) is the known bottleneck (bench:ledger).
 * Run: npx tsx bench/gateway.ts [requestsPerRound] [rounds] [rssRequests]   (BENCH_LEDGER=off: without the ledger;
 * BENCH_PORTKEY=off: without Portkey; BENCH_PROFILE=DIR: a CPU profile of the gateway process)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

const REQUESTS = Number(process.argv[2] ?? 400);
const ROUNDS = Number(process.argv[3] ?? 3);
/** Issue 19: RSS growth under 20 MB over 50,000 requests. */
const RSS_REQUESTS = Number(process.argv[4] ?? 50_000);
const CONCURRENCY = [1, 16, 64];
const TOKENS = 200;

async function serveUpstream(): Promise<void> {
  const { startOpenAICompatibleServer } = await import('../test/servers/openaiCompatible');
  const s = await startOpenAICompatibleServer({ vendor: 'openai', apiKey: null, models: ['bench-model'], reply: { text: Array.from({ length: TOKENS }, (_, i) => `t${i} `) } });
  // The double records every request; a bench of 100,000 requests must not grow it without end.
  setInterval(() => void s.requests.splice(0, s.requests.length), 1_000).unref();
  process.stdout.write(`${s.baseUrl}\n`);
}

async function serveGateway(upstream: string, stateDir: string): Promise<void> {
  const { parseConfig } = await import('../src/core/config');
  const { openGatewayCore } = await import('../src/gateway/core');
  const { startGateway } = await import('../src/gateway/server');
  const { parseGatewaySettings } = await import('../src/gateway/settings');
  const { loadOrCreateToken, tokenPath } = await import('../src/gateway/token');
  const { silentLogger } = await import('../src/core/types');
  const raw = { providers: { up: { kind: 'openai-compatible', vendor: 'custom', baseUrl: upstream, locality: 'local', models: ['bench-model'] } }, escalation: { policy: 'off' } };
  const env = { ...process.env, SWITCHYARD_STATE_DIR: stateDir };
  // BENCH_LEDGER=off: the same gateway without the budget ledger, to tell its cost from the rest.
  const core = openGatewayCore({ config: parseConfig(raw).config, env, logger: silentLogger, budget: process.env.BENCH_LEDGER !== 'off' });
  const tokenFile = tokenPath(env);
  const token = await loadOrCreateToken(tokenFile);
  const gw = await startGateway({ core, settings: parseGatewaySettings(raw), token, tokenFile, port: 0, limits: { maxConnections: 1024 } });
  // Exit on SIGTERM (not killed), so that a --cpu-prof profile (BENCH_PROFILE=DIR) is written.
  process.on('SIGTERM', () => process.exit(0));
  process.stdout.write(`${gw.url} ${token}\n`);
}

function start(args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const profile = args[0] === 'gateway' && process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', __filename, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve({ child, line: d.toString().trim() }));
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}`)));
  });
}

interface Sample {
  firstByteMs: number;
  totalMs: number;
}

function once(agent: http.Agent, url: URL, headers: Record<string, string>, body: string): Promise<Sample> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let first = 0;
      res.on('data', () => {
        if (first === 0) first = performance.now() - t0;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve({ firstByteMs: first, totalMs: performance.now() - t0 }) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function round(target: { url: URL; headers: Record<string, string>; model: string }, stream: boolean, concurrency: number, n: number): Promise<{ samples: Sample[]; wallMs: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const body = JSON.stringify({ model: target.model, messages: [{ role: 'user', content: 'Count to two hundred.' }], stream, ...(stream ? { stream_options: { include_usage: true } } : {}) });
  const samples: Sample[] = [];
  let left = n;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) samples.push(await once(agent, target.url, target.headers, body));
    }),
  );
  const wallMs = performance.now() - t0;
  agent.destroy();
  return { samples, wallMs };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function rssKb(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Portkey's gateway, headless; ready once GET / answers (a bench may poll). */
async function startPortkey(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const entry = require.resolve('@portkey-ai/gateway/build/start-server.js');
  const child = spawn(process.execPath, [entry, `--port=${port}`, '--headless'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(url).then((r) => r.ok).catch(() => false)) return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('portkey did not start');
}

async function main(): Promise<void> {
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-bench-gateway-'));
  const up = await start(['upstream']);
  const gw = await start(['gateway', up.line, stateDir]);
  const [gwUrl, token] = gw.line.split(' ');
  const direct = { url: new URL(`${up.line}/chat/completions`), headers: {}, model: 'bench-model' };
  const through = { url: new URL(`${gwUrl}/v1/chat/completions`), headers: { authorization: `Bearer ${token}` }, model: 'up/bench-model' };
  const pk = process.env.BENCH_PORTKEY === 'off' ? undefined : await startPortkey().catch((err: Error) => (console.log(`portkey: not run (${err.message})`), undefined));
  const portkey = pk && { url: new URL(`${pk.url}/v1/chat/completions`), headers: { authorization: 'Bearer none', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': up.line }, model: 'bench-model' };
  try {
    console.log(`gateway bench: ${TOKENS}-token answers, ${ROUNDS} rounds × ${REQUESTS} requests per variant and case`);
    for (const stream of [true, false]) {
      for (const c of CONCURRENCY) {
        // Portkey 1.15's streaming path fails on Node 20 (a 500 "immutable" from undici's Headers), so it runs non-streaming only.
        const variants = [['direct', direct], ['through', through], ...(portkey && !stream ? [['portkey', portkey] as const] : [])] as const;
        for (const [, t] of variants) await round(t, stream, c, Math.min(200, REQUESTS)); // warm-up
        const acc: Record<string, { s: Sample[]; wall: number }> = { direct: { s: [], wall: 0 }, through: { s: [], wall: 0 }, portkey: { s: [], wall: 0 } };
        for (let r = 0; r < ROUNDS; r++) {
          for (const [name, t] of variants) {
            const res = await round(t, stream, c, REQUESTS);
            acc[name]!.s.push(...res.samples);
            acc[name]!.wall += res.wallMs;
          }
        }
        const f = (name: string, k: keyof Sample, p: number) => pct(acc[name]!.s.map((x) => x[k]), p);
        const rps = (name: string) => (acc[name]!.s.length / acc[name]!.wall) * 1000;
        for (const [name] of variants.slice(1)) {
          const line = [
            `${stream ? 'stream' : 'json  '} c=${String(c).padEnd(3)} ${name.padEnd(8)}`,
            stream ? `added first byte p50 ${(f(name, 'firstByteMs', 50) - f('direct', 'firstByteMs', 50)).toFixed(2)} ms p95 ${(f(name, 'firstByteMs', 95) - f('direct', 'firstByteMs', 95)).toFixed(2)} ms` : '',
            `added total p50 ${(f(name, 'totalMs', 50) - f('direct', 'totalMs', 50)).toFixed(2)} ms p95 ${(f(name, 'totalMs', 95) - f('direct', 'totalMs', 95)).toFixed(2)} ms`,
            `throughput ${Math.round(rps(name))}/${Math.round(rps('direct'))} req/s = ${((rps(name) / rps('direct')) * 100).toFixed(1)} % of direct`,
          ];
          console.log(line.filter(Boolean).join('  '));
        }
      }
    }
    const before = await rssKb(gw.child.pid!);
    const t0 = performance.now();
    await round(through, false, 16, RSS_REQUESTS);
    const after = await rssKb(gw.child.pid!);
    console.log(`RSS of the gateway: ${(before / 1024).toFixed(1)} MB → ${(after / 1024).toFixed(1)} MB after ${RSS_REQUESTS} more requests (${((after - before) / 1024).toFixed(1)} MB growth, ${Math.round(RSS_REQUESTS / ((performance.now() - t0) / 1000))} req/s)`);
  } finally {
    up.child.kill();
    gw.child.kill();
    pk?.child.kill();
    await fs.rm(stateDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'upstream') void serveUpstream();
else if (process.argv[2] === 'gateway') void serveGateway(process.argv[3]!, process.argv[4]!);
else void main();

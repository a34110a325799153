/**
 * Which HTTP framework the gateway (`switchyard serve`, src/gateway) is built on, by measured
 * overhead (issue 19): plain node:http as the floor, Fastify 5, and Hono 4 on @hono/node-server.
 * Each server runs in its own child process and answers what the gateway answers most:
 *
 *   POST /json    parse a ~1 KB chat body, answer a ~300-byte JSON completion (non-streaming)
 *   POST /sse     parse the same body, answer 50 SSE events then `data: [DONE]` (streaming)
 *
 * The client (this process) keeps C connections alive and sends requests back to back on each;
 * latency is per request (first byte sent to last byte read), rounds are interleaved
 * (floor, fastify, hono, floor, …) so the machine's load drifts over every variant alike.
 * Reported: p50/p95 latency, the p50 added over node:http, requests/s.
 *
 * Run: npx tsx bench/gateway-framework.ts [requestsPerRound] [rounds]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';

const FRAMEWORKS = ['node', 'fastify', 'hono'] as const;
type Framework = (typeof FRAMEWORKS)[number];
/** Requests per variant per round; × rounds gives a stable p95 on a loaded 2-core machine. */
const REQUESTS = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);
const CONCURRENCY = [1, 16];
/** SSE events per streamed answer: enough that per-write overhead shows. */
const EVENTS = 50;

const BODY = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'x'.repeat(1000) }], stream: false });
const ANSWER = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'ollama/qwen', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there, this is the answer.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 10, completion_tokens: 7, total_tokens: 17 } });
const EVENT = `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'tok ' } }] })}\n\n`;

async function serve(fw: Framework): Promise<void> {
  const port = 0;
  let address: number;
  if (fw === 'node') {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (req.url === '/json') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(ANSWER);
        } else {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          for (let i = 0; i < EVENTS; i++) res.write(EVENT);
          res.end('data: [DONE]\n\n');
        }
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    address = (server.address() as { port: number }).port;
  } else if (fw === 'fastify') {
    const { default: Fastify } = await import('fastify');
    const app = Fastify({ logger: false });
    app.post('/json', async (req, reply) => {
      void req.body;
      reply.header('content-type', 'application/json');
      return ANSWER;
    });
    app.post('/sse', (req, reply) => {
      void req.body;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (let i = 0; i < EVENTS; i++) res.write(EVENT);
      res.end('data: [DONE]\n\n');
    });
    await app.listen({ port, host: '127.0.0.1' });
    address = (app.server.address() as { port: number }).port;
  } else {
    const { Hono } = await import('hono');
    const { streamSSE } = await import('hono/streaming');
    const { serve: honoServe } = await import('@hono/node-server');
    const app = new Hono();
    app.post('/json', async (c) => {
      await c.req.json();
      return c.body(ANSWER, 200, { 'content-type': 'application/json' });
    });
    app.post('/sse', async (c) => {
      await c.req.json();
      return streamSSE(c, async (stream) => {
        for (let i = 0; i < EVENTS; i++) await stream.writeSSE({ data: EVENT.slice(6, -2) });
        await stream.writeSSE({ data: '[DONE]' });
      });
    });
    address = await new Promise<number>((r) => {
      honoServe({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) => r(info.port));
    });
  }
  process.stdout.write(`${address}\n`);
}

function start(fw: Framework): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, 'serve', fw], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
    child.once('exit', (code) => reject(new Error(`${fw} server exited ${code}`)));
  });
}

function once(agent: http.Agent, port: number, path: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) } }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(performance.now() - t0));
    });
    req.on('error', reject);
    req.end(BODY);
  });
}

async function round(port: number, path: string, concurrency: number, n: number): Promise<{ lat: number[]; wallMs: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const lat: number[] = [];
  let left = n;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) lat.push(await once(agent, port, path));
    }),
  );
  const wallMs = performance.now() - t0;
  agent.destroy();
  return { lat, wallMs };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main(): Promise<void> {
  const servers = new Map<Framework, { child: ChildProcess; port: number }>();
  for (const fw of FRAMEWORKS) servers.set(fw, await start(fw));
  try {
    for (const path of ['/json', '/sse']) {
      for (const c of CONCURRENCY) {
        const results = new Map<Framework, { lat: number[]; wallMs: number }>();
        // Warm-up (JIT, connection setup), not measured.
        for (const fw of FRAMEWORKS) await round(servers.get(fw)!.port, path, c, 300);
        for (let r = 0; r < ROUNDS; r++) {
          for (const fw of FRAMEWORKS) {
            const res = await round(servers.get(fw)!.port, path, c, REQUESTS);
            const acc = results.get(fw) ?? { lat: [], wallMs: 0 };
            acc.lat.push(...res.lat);
            acc.wallMs += res.wallMs;
            results.set(fw, acc);
          }
        }
        const floor = pct(results.get('node')!.lat, 50);
        for (const fw of FRAMEWORKS) {
          const { lat, wallMs } = results.get(fw)!;
          const p50 = pct(lat, 50);
          console.log(
            `${path.padEnd(6)} c=${String(c).padEnd(3)} ${fw.padEnd(8)} p50 ${p50.toFixed(3)} ms  p95 ${pct(lat, 95).toFixed(3)} ms  added p50 ${(p50 - floor).toFixed(3)} ms  ${Math.round((lat.length / wallMs) * 1000)} req/s`,
          );
        }
      }
    }
  } finally {
    for (const { child } of servers.values()) child.kill();
  }
}

if (process.argv[2] === 'serve') void serve(process.argv[3] as Framework);
else void main();

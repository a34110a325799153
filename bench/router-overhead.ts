/**
 * What routing through Switchyard costs, against calling the SDKs directly, on ONE local
 * streaming server (the Ollama double: native /api/chat and OpenAI-compatible /v1, no
 * artificial delay, one token per NDJSON line / SSE event):
 *
 *   direct openai SDK  vs  Switchyard → OpenAI-compatible provider (same /v1 endpoint)
 *   direct ollama SDK  vs  Switchyard → Ollama provider            (same /api/chat endpoint)
 *
 * Runs are interleaved (A, B, C, D, A, B, …) so drift in the machine's load hits every variant
 * alike. Time to first token (TTFT) is from the call to the first text delta; throughput is
 * tokens after the first divided by the time after the first. Switchyard runs include the whole
 * request path: classification skipped (task given), selection (pinned model, cached installed
 * list), the router loop and the provider's stream guard. Budget and escalation hooks are off
 * (they are measured by their own modules).
 *
 * Targets (issue 4): < 1 ms added to TTFT, ≥ 95 % of the direct throughput.
 * Run: npx tsx bench/router-overhead.ts [runs] [tokens]   (or npm run bench:router)
 */
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { parseConfig } from '../src/core/config';
import { createSwitchyard } from '../src/core/switchyard';
import { silentLogger } from '../src/core/types';
import { startOllamaServer } from '../test/servers/ollama';
import { percentile, timeDeltas, type Sample } from './streamTiming';

/** Measured runs per variant; enough for a stable p95. */
const RUNS = Number(process.argv[2] ?? 200);
/** Tokens per answer: many small chunks, so per-chunk overhead shows in the throughput. */
const TOKENS = Number(process.argv[3] ?? 400);
/** Runs discarded per variant while the JIT, sockets and caches warm up (incl. the tokenizer). */
const WARMUP = 20;
const MODEL = 'qwen2.5-coder:7b';
/** Groq's advertised speed (requirements §1: "300+ tokens/s"), the fastest real stream we route. */
const REAL_FAST_TPS = 300;
/** A 7B model on a laptop GPU, roughly (glm-4.7-flash is quoted at ~27 tok/s). */
const REAL_LOCAL_TPS = 50;

type Variant = { name: string; run: () => Promise<Sample> };

async function main(): Promise<void> {
  const words = Array.from({ length: TOKENS }, (_, i) => (i === 0 ? 'tok0' : ` tok${i}`));
  const server = await startOllamaServer({ models: [MODEL], reply: { text: words, evalCount: TOKENS } });
  const messages = [{ role: 'user' as const, content: 'Write a function that reverses a string.' }];

  const { config } = parseConfig({
    providers: {
      ollama: { kind: 'ollama', baseUrl: server.url, locality: 'local', models: [MODEL] },
      ollamav1: { kind: 'openai-compatible', vendor: 'ollama-openai', baseUrl: `${server.url}/v1`, locality: 'local', models: [MODEL] },
    },
  });
  const sy = createSwitchyard({ config, keys: { getKey: async () => undefined }, logger: silentLogger, env: {} });
  const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'ollama', maxRetries: 0 });
  const ollama = new Ollama({ host: server.url });

  const time = (deltas: AsyncIterable<string | undefined>) => timeDeltas(deltas, TOKENS);

  async function* viaSwitchyard(pinned: string): AsyncIterable<string | undefined> {
    for await (const ev of sy.stream({ messages, task: 'code', pinned, workspaceId: 'bench', signal: new AbortController().signal })) {
      if (ev.type === 'text') yield ev.text;
      else if (ev.type === 'error') throw new Error(ev.error.message);
    }
  }
  async function* directOpenAI(): AsyncIterable<string | undefined> {
    const stream = await openai.chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) yield chunk.choices[0]?.delta?.content ?? undefined;
  }
  async function* directOllama(): AsyncIterable<string | undefined> {
    const stream = await ollama.chat({ model: MODEL, messages, stream: true });
    for await (const part of stream) yield part.message.content;
  }

  const variants: Variant[] = [
    { name: 'openai SDK, direct', run: () => time(directOpenAI()) },
    { name: 'openai-compatible via Switchyard', run: () => time(viaSwitchyard(`ollamav1/${MODEL}`)) },
    { name: 'ollama SDK, direct', run: () => time(directOllama()) },
    { name: 'ollama via Switchyard', run: () => time(viaSwitchyard(`ollama/${MODEL}`)) },
  ];
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
  for (let i = 0; i < WARMUP + RUNS; i++) {
    for (const v of variants) {
      const s = await v.run();
      if (i >= WARMUP) samples.get(v.name)!.push(s);
    }
  }

    const stats = (name: string) => {
    const xs = samples.get(name)!;
    return {
      ttft50: percentile(xs.map((s) => s.ttftMs), 50),
      ttft95: percentile(xs.map((s) => s.ttftMs), 95),
      tps50: percentile(xs.map((s) => s.tokensPerSecond), 50),
    };
  };
  console.log(`router overhead: ${RUNS} interleaved runs per variant (after ${WARMUP} warm-up), ${TOKENS} tokens per answer, Node ${process.version}`);
  console.log('variant                              TTFT p50   TTFT p95   tokens/s p50');
  for (const v of variants) {
    const s = stats(v.name);
    console.log(`${v.name.padEnd(36)} ${s.ttft50.toFixed(3).padStart(7)} ms ${s.ttft95.toFixed(3).padStart(7)} ms ${s.tps50.toFixed(0).padStart(12)}`);
  }
  for (const [direct, routed] of [
    ['openai SDK, direct', 'openai-compatible via Switchyard'],
    ['ollama SDK, direct', 'ollama via Switchyard'],
  ] as const) {
    const d = stats(direct);
    const r = stats(routed);
    // Per-token cost of the extra layers, and what it means for models of real speeds.
    const perTokenUs = 1e6 / r.tps50 - 1e6 / d.tps50;
    const atRate = (tps: number) => ((1 / tps / (1 / tps + perTokenUs / 1e6)) * 100).toFixed(2);
    console.log(
      `${routed}: TTFT +${(r.ttft50 - d.ttft50).toFixed(3)} ms (p50), +${(r.ttft95 - d.ttft95).toFixed(3)} ms (p95); ` +
        `throughput ${((r.tps50 / d.tps50) * 100).toFixed(1)} % of direct on this zero-delay stream = ${perTokenUs.toFixed(1)} µs per token, ` +
        `i.e. ${atRate(REAL_FAST_TPS)} % of a ${REAL_FAST_TPS} tok/s model and ${atRate(REAL_LOCAL_TPS)} % of a ${REAL_LOCAL_TPS} tok/s one`,
    );
  }
  sy.dispose();
  await server.close();
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

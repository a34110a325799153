/**
 * What the provider layer alone costs per request and per token, against the bare SDKs, on the
 * same local doubles (no artificial delay, one token per NDJSON line / SSE event):
 *
 *   ollama SDK direct   vs  OllamaProvider            (Ollama double, /api/chat)
 *   openai SDK direct   vs  OpenAICompatibleProvider  (OpenAI double, Groq quirks)
 *
 * Runs are interleaved so machine drift hits every variant alike. TTFT is from the call to the
 * first text delta; throughput is tokens after the first over the time after the first.
 * Run: npx tsx bench/providers.ts [runs] [tokens]
 */
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { providerConfigSchema } from '../src/core/config';
import { createNetwork } from '../src/core/net';
import { createProvider } from '../src/core/providers';
import { startOllamaServer } from '../test/servers/ollama';
import { startOpenAICompatibleServer } from '../test/servers/openaiCompatible';
import { percentile, timeDeltas, type Sample } from './streamTiming';

/** Measured runs per variant. */
const RUNS = Number(process.argv[2] ?? 100);
/** Tokens per answer: many small chunks, so per-chunk costs show. */
const TOKENS = Number(process.argv[3] ?? 400);
/** Discarded warm-up runs per variant (JIT, sockets, tokenizer). */
const WARMUP = 10;
const KEY = 'gsk_bench_key';


async function main(): Promise<void> {
  const words = Array.from({ length: TOKENS }, (_, i) => (i === 0 ? 'tok0' : ` tok${i}`));
  const ollamaServer = await startOllamaServer({ models: ['llama3.2'], reply: { text: words } });
  const groqServer = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: KEY, reply: { text: words } });
  const network = createNetwork({});
  const keys = { getKey: async (id: string, origin: string) => (origin === groqServer.url ? KEY : undefined) };
  const ollamaProvider = createProvider('ollama', providerConfigSchema.parse({ kind: 'ollama', baseUrl: ollamaServer.url }), { keys, network });
  const groqProvider = createProvider('groq', providerConfigSchema.parse({ kind: 'openai-compatible', vendor: 'groq', baseUrl: groqServer.baseUrl, locality: 'cloud' }), { keys, network });
  const ollama = new Ollama({ host: ollamaServer.url });
  const openai = new OpenAI({ baseURL: groqServer.baseUrl, apiKey: KEY, maxRetries: 0 });
  const messages = [{ role: 'user' as const, content: 'Write a function that reverses a string.' }];

  const texts = async function* (events: AsyncIterable<{ type: string; text?: string }>) {
    for await (const e of events) if (e.type === 'text') yield e.text;
  };
  const variants: { name: string; run: () => Promise<Sample>; samples: Sample[] }[] = [
    {
      name: 'ollama SDK, direct',
      run: async () =>
        timeDeltas(
          (async function* () {
            for await (const p of await ollama.chat({ model: 'llama3.2', messages, stream: true })) yield p.message.content;
          })(),
        ),
      samples: [],
    },
    { name: 'OllamaProvider', run: () => timeDeltas(texts(ollamaProvider.stream({ model: 'llama3.2', messages, signal: new AbortController().signal }))), samples: [] },
    {
      name: 'openai SDK, direct (Groq double)',
      run: async () =>
        timeDeltas(
          (async function* () {
            const s = await openai.chat.completions.create({ model: 'llama-3.3-70b-versatile', messages, stream: true });
            for await (const c of s) yield c.choices[0]?.delta?.content ?? undefined;
          })(),
        ),
      samples: [],
    },
    { name: 'OpenAICompatibleProvider (groq)', run: () => timeDeltas(texts(groqProvider.stream({ model: 'llama-3.3-70b-versatile', messages, signal: new AbortController().signal }))), samples: [] },
  ];
  for (let i = 0; i < WARMUP + RUNS; i++) {
    for (const v of variants) {
      const s = await v.run();
      if (i >= WARMUP) v.samples.push(s);
    }
  }
  console.log(`provider overhead: ${RUNS} interleaved runs per variant (after ${WARMUP} warm-up), ${TOKENS} tokens per answer, Node ${process.version}`);
  console.log('variant                              TTFT p50    TTFT p95   tokens/s p50');
  for (const v of variants) {
    const t = v.samples.map((s) => s.ttftMs);
    const r = v.samples.map((s) => s.tokensPerSecond);
    console.log(`${v.name.padEnd(36)} ${percentile(t, 50).toFixed(3).padStart(8)} ms ${percentile(t, 95).toFixed(3).padStart(8)} ms ${Math.round(percentile(r, 50)).toString().padStart(12)}`);
  }
  for (const [a, b] of [
    [0, 1],
    [2, 3],
  ] as const) {
    const da = variants[a]!.samples;
    const db = variants[b]!.samples;
    const ttft = percentile(db.map((s) => s.ttftMs), 50) - percentile(da.map((s) => s.ttftMs), 50);
    const thr = percentile(db.map((s) => s.tokensPerSecond), 50) / percentile(da.map((s) => s.tokensPerSecond), 50);
    // On a zero-delay stream the ratio is all CPU; per token it is what matters against a real model's pace.
    const perTokenUs = (1 / percentile(db.map((s) => s.tokensPerSecond), 50) - 1 / percentile(da.map((s) => s.tokensPerSecond), 50)) * 1e6;
    console.log(
      `${variants[b]!.name}: TTFT ${ttft >= 0 ? '+' : ''}${ttft.toFixed(3)} ms (p50); throughput ${(thr * 100).toFixed(1)} % of direct = ${perTokenUs.toFixed(2)} µs per token`,
    );
  }
  await network.close();
  await Promise.all([ollamaServer.close(), groqServer.close()]);
}

void main();

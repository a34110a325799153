/**
 * The local sidecar in numbers:
 *  1. what the residency planner and the recommender decide for typical machines (a table);
 *  2. how long Switchyard's own steps take against the Ollama double: adopting a running server,
 *     starting the fake `ollama serve` (spawn → /api/version answers; most of it is the fake's
 *     own TypeScript loader, a real Ollama starts in 1–3 s), a warm-up request, and parsing a
 *     pull progress stream.
 * Usage: npx tsx bench/localSidecar.ts [runs]
 */
import * as os from 'node:os';
import { currentEnvironment, locateOllamaBinary } from '../src/core/local/binaryLocator';
import { recommendModels } from '../src/core/local/catalogue';
import type { Hardware } from '../src/core/local/hardware';
import { formatBytes, usableModelMemory } from '../src/core/local/memory';
import { OllamaAdmin } from '../src/core/local/ollamaAdmin';
import { parseOllamaHost } from '../src/core/local/ollamaHost';
import { OllamaManager } from '../src/core/local/ollamaManager';
import { PullProgressTracker } from '../src/core/local/pullProgress';
import { planResidency } from '../src/core/local/residency';
import { silentLogger } from '../src/core/types';
import { startOllamaServer } from '../test/servers/ollama';
import { FAKE_BIN_DIR, freePort } from '../test/unit/local/helpers';

const GIB = 1024 ** 3;
const DEFAULT_RUNS = 5;

const MACHINES: [string, Hardware][] = [
  ['4 GB laptop, CPU', { totalMemoryBytes: 4 * GIB }],
  ['8 GB laptop, CPU', { totalMemoryBytes: 8 * GIB }],
  ['16 GB laptop, CPU', { totalMemoryBytes: 16 * GIB }],
  ['32 GB desktop, CPU', { totalMemoryBytes: 32 * GIB }],
  ['16 GB + 8 GB GPU', { totalMemoryBytes: 16 * GIB, gpu: { kind: 'nvidia', name: 'RTX 4060', vramBytes: 8 * GIB } }],
  ['64 GB + 24 GB GPU', { totalMemoryBytes: 64 * GIB, gpu: { kind: 'nvidia', name: 'RTX 4090', vramBytes: 24 * GIB } }],
  ['Apple M-series 16 GB', { totalMemoryBytes: 16 * GIB, gpu: { kind: 'apple', name: 'Apple silicon', vramBytes: Math.floor((16 * GIB * 2) / 3) } }],
];

function planTable(): void {
  console.log('\nRecommendations and residency plan per machine (completion + chat models as recommended):');
  console.log('machine               | usable  | completion          | chat          | reasoning  | plan');
  console.log('----------------------|---------|---------------------|---------------|------------|------------------------------');
  const caps: Record<string, string[]> = {};
  for (const [name, hw] of MACHINES) {
    const recs = Object.fromEntries(recommendModels(hw).map((r) => [r.task, r]));
    const completion = recs.completion!;
    const chat = recs.chat!;
    // Coder models fill in the middle ("insert"); general chat models do not.
    const capsOf = (m: string) => caps[m] ?? (m.includes('coder') ? ['completion', 'insert'] : ['completion', 'tools']);
    const plan = planResidency({
      roles: [
        { role: 'completion', model: completion.model, needs: ['insert'] },
        { role: 'chat', model: chat.model },
      ],
      models: { [completion.model]: { fileBytes: completion.sizeBytes, capabilities: capsOf(completion.model) }, [chat.model]: { fileBytes: chat.sizeBytes, capabilities: capsOf(chat.model) } },
      usableBytes: usableModelMemory(hw),
      maxLoadedModels: 3,
      numParallel: 1,
      keepAlive: '30m',
      loaded: [],
    });
    const planText =
      plan.strategy === 'separate'
        ? 'both stay loaded'
        : plan.strategy === 'shared'
          ? `shared: ${plan.assignments.chat}`
          : plan.resident.length
            ? 'priority (chat unloads after use)'
            : 'too small: nothing fits, use cloud';
    console.log(
      `${name.padEnd(22)}| ${formatBytes(usableModelMemory(hw)).padEnd(8)}| ${completion.model.padEnd(20)}| ${chat.model.padEnd(14)}| ${recs.reasoning!.model.padEnd(11)}| ${planText}`,
    );
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timings(runs: number): Promise<void> {
  const adopt: number[] = [];
  const spawnReady: number[] = [];
  const warm: number[] = [];
  const server = await startOllamaServer({ models: ['qwen2.5-coder:1.5b'] });
  for (let i = 0; i < runs; i++) {
    const m = new OllamaManager({ host: parseOllamaHost(server.url), manage: false, logger: silentLogger, locateBinary: () => undefined });
    let t = performance.now();
    await m.ensureRunning();
    adopt.push(performance.now() - t);
    await m.dispose();

    const admin = new OllamaAdmin(server.url);
    t = performance.now();
    await admin.load('qwen2.5-coder:1.5b', '30m');
    warm.push(performance.now() - t);

    const port = await freePort();
    const managed = new OllamaManager({
      host: parseOllamaHost(`127.0.0.1:${port}`),
      manage: true,
      logger: silentLogger,
      locateBinary: () => locateOllamaBinary({ ...currentEnvironment({ PATH: FAKE_BIN_DIR }), homedir: os.tmpdir() }),
    });
    t = performance.now();
    const s = await managed.ensureRunning();
    if (s.status !== 'ready') throw new Error(`fake ollama did not start: ${s.reason}`);
    spawnReady.push(performance.now() - t);
    await managed.dispose();
  }
  await server.close();

  // Pull progress parsing: a 4 GB model reported in 1 MB steps.
  const tracker = new PullProgressTracker();
  const lines = 4_000;
  const t = performance.now();
  for (let i = 1; i <= lines; i++) tracker.update({ status: 'pulling 6a0746a1ec1a', digest: 'sha256:6a07', total: 4e9, completed: i * 1e6 }, i * 10);
  const parseMs = performance.now() - t;

  console.log(`\nSidecar steps against the Ollama double (median of ${runs} runs):`);
  console.log('step                                          | ms');
  console.log('----------------------------------------------|--------');
  console.log(`adopt a running server (probe /api/version)    | ${median(adopt).toFixed(1)}`);
  console.log(`warm-up request (empty messages, keep_alive)   | ${median(warm).toFixed(1)}`);
  console.log(`spawn fake \`ollama serve\` → answering          | ${median(spawnReady).toFixed(0)}`);
  console.log(`pull progress: ${lines} lines tracked            | ${parseMs.toFixed(1)} (${((parseMs * 1000) / lines).toFixed(2)} µs/line)`);
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? DEFAULT_RUNS);
  planTable();
  await timings(runs);
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

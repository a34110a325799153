/**
 * Local models we recommend, per task, from small to large, and the rule that picks one for this
 * machine. Sizes are the default (Q4_K_M) download sizes shown on ollama.com/library, rounded;
 * they are only used to choose, never to bill. Qwen models come first for chat because many
 * Switchyard users write in Chinese and Qwen is trained bilingually.
 */
import type { Hardware } from './hardware';
import { estimateResidentBytes, formatBytes, usableModelMemory } from './memory';

export type LocalTask = 'completion' | 'code' | 'chat' | 'math' | 'reasoning';
export const LOCAL_TASKS: readonly LocalTask[] = ['completion', 'code', 'chat', 'math', 'reasoning'];

export interface CatalogueEntry {
  model: string;
  task: LocalTask;
  /** Billions of parameters, for the CPU speed cap. */
  paramsB: number;
  /** Approximate download size in bytes (ollama.com/library). */
  sizeBytes: number;
}

const GB = 1e9;
const MB = 1e6;

export const CATALOGUE: readonly CatalogueEntry[] = [
  // Completion needs fill-in-the-middle ("insert" capability): Qwen2.5-Coder is trained for it.
  { task: 'completion', model: 'qwen2.5-coder:1.5b', paramsB: 1.5, sizeBytes: 986 * MB },
  { task: 'completion', model: 'qwen2.5-coder:3b', paramsB: 3, sizeBytes: 1.9 * GB },
  { task: 'completion', model: 'qwen2.5-coder:7b', paramsB: 7, sizeBytes: 4.7 * GB },
  { task: 'code', model: 'qwen2.5-coder:3b', paramsB: 3, sizeBytes: 1.9 * GB },
  { task: 'code', model: 'qwen2.5-coder:7b', paramsB: 7, sizeBytes: 4.7 * GB },
  { task: 'code', model: 'qwen2.5-coder:14b', paramsB: 14, sizeBytes: 9.0 * GB },
  { task: 'code', model: 'qwen2.5-coder:32b', paramsB: 32, sizeBytes: 20 * GB },
  // The requirements name llama3.2:3b for an 8 GB CPU machine and qwen2.5:7b as the mid model.
  { task: 'chat', model: 'llama3.2:3b', paramsB: 3, sizeBytes: 2.0 * GB },
  { task: 'chat', model: 'qwen2.5:7b', paramsB: 7, sizeBytes: 4.7 * GB },
  { task: 'chat', model: 'qwen2.5:14b', paramsB: 14, sizeBytes: 9.0 * GB },
  { task: 'chat', model: 'qwen2.5:32b', paramsB: 32, sizeBytes: 20 * GB },
  { task: 'math', model: 'qwen2-math:1.5b', paramsB: 1.5, sizeBytes: 935 * MB },
  { task: 'math', model: 'qwen2-math:7b', paramsB: 7, sizeBytes: 4.4 * GB },
  // Thinking models: their reasoning streams separately (think: true, Ollama ≥ 0.9.0).
  { task: 'reasoning', model: 'qwen3:4b', paramsB: 4, sizeBytes: 2.5 * GB },
  { task: 'reasoning', model: 'qwen3:8b', paramsB: 8, sizeBytes: 5.2 * GB },
  { task: 'reasoning', model: 'qwen3:14b', paramsB: 14, sizeBytes: 9.3 * GB },
];

/**
 * Share of the usable memory one task's model may take, so that the completion model and one
 * larger model (chat, code…) stay loaded side by side: 0.3 + 0.6 leaves 10 % headroom.
 */
const TASK_MEMORY_SHARE: Record<LocalTask, number> = { completion: 0.3, code: 0.6, chat: 0.6, math: 0.6, reasoning: 0.6 };
/**
 * On CPU only, speed rather than memory is the limit: ghost text must arrive while the user
 * pauses (a 3B model gives ~20 tokens/s on a laptop CPU), chat stays readable up to ~8B (~5–8 tokens/s).
 */
const CPU_MAX_PARAMS_B: Record<LocalTask, number> = { completion: 3, code: 8, chat: 8, math: 8, reasoning: 8 };

export interface Recommendation {
  task: LocalTask;
  model: string;
  sizeBytes: number;
  /** False when even the smallest model of the ladder exceeds this task's share of memory. */
  fits: boolean;
  installed: boolean;
  why: string;
}

export function recommendModels(hw: Hardware, installed: ReadonlySet<string> = new Set(), numParallel = 1): Recommendation[] {
  const usable = usableModelMemory(hw);
  return LOCAL_TASKS.map((task) => {
    const ladder = CATALOGUE.filter((e) => e.task === task);
    const budget = usable * TASK_MEMORY_SHARE[task];
    const speedCap = hw.gpu ? Infinity : CPU_MAX_PARAMS_B[task];
    const fitting = ladder.filter((e) => e.paramsB <= speedCap && estimateResidentBytes(e.sizeBytes, numParallel) <= budget);
    const pick = fitting[fitting.length - 1] ?? ladder[0]!;
    const device = hw.gpu ? `${formatBytes(hw.gpu.vramBytes)} ${hw.gpu.kind === 'apple' ? 'unified memory' : 'VRAM'}` : `${formatBytes(hw.totalMemoryBytes)} RAM, no GPU`;
    const why = fitting.length
      ? `largest ${task} model that fits ${Math.round(TASK_MEMORY_SHARE[task] * 100)}% of usable memory (${device})${hw.gpu ? '' : `, at most ${CPU_MAX_PARAMS_B[task]}B on CPU`}`
      : `smallest ${task} model; this machine (${device}) is below its comfortable size`;
    return { task, model: pick.model, sizeBytes: pick.sizeBytes, fits: fitting.length > 0, installed: installed.has(pick.model), why };
  });
}

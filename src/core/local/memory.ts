/**
 * How much memory a model needs once loaded, and how much of the machine we may plan with.
 * Estimates only matter when Ollama has not told us (a model it has loaded reports its real size
 * in /api/ps); they are deliberately on the generous side so that a plan never overcommits.
 */
import type { Hardware } from './hardware';

const GIB = 1024 ** 3;

/**
 * Weights in memory are a little larger than the file (compute graph, runtime buffers): llama.cpp
 * typically adds 10–20 %; we take the upper end.
 */
export const RUNTIME_OVERHEAD_FACTOR = 1.2;
/**
 * KV cache per parallel request slot at Ollama's default 4k context: 2 × layers × ctx × kv_heads ×
 * head_dim × 2 bytes = 2×32×4096×8×128×2 ≈ 512 MiB for Llama-3.1-8B (fp16 cache); smaller
 * models need less, so this bounds the common ≤ 8B models from above.
 */
export const KV_CACHE_BYTES_PER_SLOT = 512 * 1024 ** 2;
/** Memory we leave to the OS, VS Code and the user's other work on a CPU-only machine: the larger of 3 GiB and a quarter. */
export const CPU_RESERVE_MIN_BYTES = 3 * GIB;
export const CPU_RESERVE_FRACTION = 0.25;
/** Ollama keeps some VRAM free for the CUDA/Metal context and graph (OLLAMA_GPU_OVERHEAD, scheduler headroom). */
export const GPU_USABLE_FRACTION = 0.9;

/** Resident size of a model whose file is `fileBytes`, serving `numParallel` requests at once. */
export function estimateResidentBytes(fileBytes: number, numParallel = 1): number {
  return Math.round(fileBytes * RUNTIME_OVERHEAD_FACTOR + KV_CACHE_BYTES_PER_SLOT * Math.max(1, numParallel));
}

/** The memory models may occupy: VRAM on a GPU machine, otherwise RAM minus what the rest of the machine needs. */
export function usableModelMemory(hw: Hardware): number {
  if (hw.gpu) return Math.floor(hw.gpu.vramBytes * GPU_USABLE_FRACTION);
  const reserve = Math.max(CPU_RESERVE_MIN_BYTES, hw.totalMemoryBytes * CPU_RESERVE_FRACTION);
  return Math.max(0, Math.floor(hw.totalMemoryBytes - reserve));
}

export function formatBytes(bytes: number): string {
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(1)} GB`;
  return `${Math.round(bytes / 1024 ** 2)} MB`;
}

/**
 * What the machine can hold: total memory and, when one is found, the GPU's memory. GPU detection
 * is best effort — no nvidia-smi simply means "CPU only" — and runs on first need, never at activation.
 */
import { execFile } from 'node:child_process';
import * as os from 'node:os';

export interface GpuInfo {
  kind: 'nvidia' | 'apple';
  name: string;
  vramBytes: number;
}

export interface Hardware {
  totalMemoryBytes: number;
  gpu?: GpuInfo;
}

/** nvidia-smi normally answers in well under a second; a driver in a bad state can hang it. */
const NVIDIA_SMI_TIMEOUT_MS = 3_000;
const MIB = 1024 * 1024;
/**
 * Apple silicon shares memory between CPU and GPU; Metal lets one process wire about two thirds
 * of it on machines up to 36 GB (recommendedMaxWorkingSetSize), which is what Ollama schedules on.
 */
const APPLE_GPU_SHARE = 2 / 3;

/** Parses `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits` (MiB). */
export function parseNvidiaSmi(output: string): GpuInfo | undefined {
  let best: GpuInfo | undefined;
  for (const line of output.split(/\r?\n/)) {
    const m = /^(.*?),\s*(\d+)\s*$/.exec(line.trim());
    if (!m) continue;
    const gpu: GpuInfo = { kind: 'nvidia', name: m[1]!.trim(), vramBytes: Number(m[2]) * MIB };
    // Ollama places a model on one GPU when it fits, so the biggest card is the one that matters.
    if (!best || gpu.vramBytes > best.vramBytes) best = gpu;
  }
  return best;
}

export interface HardwareProbe {
  totalmem(): number;
  platform: NodeJS.Platform;
  arch: string;
  /** Runs nvidia-smi and returns its stdout, or undefined when it is absent or fails. */
  nvidiaSmi(): Promise<string | undefined>;
}

export const systemProbe: HardwareProbe = {
  totalmem: () => os.totalmem(),
  platform: process.platform,
  arch: process.arch,
  nvidiaSmi: () =>
    new Promise((resolve) => {
      execFile(
        'nvidia-smi',
        ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'],
        { timeout: NVIDIA_SMI_TIMEOUT_MS, windowsHide: true },
        (err, stdout) => resolve(err ? undefined : stdout),
      );
    }),
};

export async function detectHardware(probe: HardwareProbe = systemProbe): Promise<Hardware> {
  const totalMemoryBytes = probe.totalmem();
  if (probe.platform === 'darwin' && probe.arch === 'arm64') {
    return { totalMemoryBytes, gpu: { kind: 'apple', name: 'Apple silicon', vramBytes: Math.floor(totalMemoryBytes * APPLE_GPU_SHARE) } };
  }
  const smi = await probe.nvidiaSmi().catch(() => undefined);
  const gpu = smi ? parseNvidiaSmi(smi) : undefined;
  return gpu ? { totalMemoryBytes, gpu } : { totalMemoryBytes };
}

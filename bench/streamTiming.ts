/**
 * Timing of one streamed answer, shared by the streaming benchmarks (bench/providers.ts,
 * bench/router-overhead.ts) so that they measure exactly the same thing: time to first token
 * is from the call to the first text delta; throughput is tokens after the first divided by the
 * time after the first.
 */
export interface Sample {
  ttftMs: number;
  tokensPerSecond: number;
}

/** Times a stream of text deltas (empty ones skipped). With `expectedTokens`, a short stream throws instead of skewing the numbers. */
export async function timeDeltas(deltas: AsyncIterable<string | undefined>, expectedTokens?: number): Promise<Sample> {
  const t0 = performance.now();
  let first: number | undefined;
  let count = 0;
  for await (const d of deltas) {
    if (!d) continue;
    first ??= performance.now();
    count++;
  }
  const end = performance.now();
  if (expectedTokens !== undefined && (first === undefined || count !== expectedTokens)) {
    throw new Error(`expected ${expectedTokens} deltas, got ${count}`);
  }
  return { ttftMs: (first ?? end) - t0, tokensPerSecond: ((count - 1) / (end - (first ?? end))) * 1000 };
}

/** The p-th percentile (nearest rank, 0–100) of some samples. */
export function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

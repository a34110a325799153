/**
 * When a local server's last health probe still stands, for Ollama (ollamaManager.ts) and every
 * other local endpoint (localSidecar.ts) alike: a server that answered is trusted for one health
 * interval; one that did not is reported down from cache for a short while, so that a burst of
 * requests probes it once instead of once each.
 */

/** Health probe of a ready server: every 60 s, as the requirements ask of every provider (§3). */
export const DEFAULT_HEALTH_INTERVAL_MS = 60_000;
/** After a failed probe, callers get the cached "down" for this long instead of a new probe each request. */
export const REPROBE_DOWN_MS = 5_000;

export interface LastProbe {
  /** Whether the server answered. */
  up: boolean;
  /** When (ms since the epoch); undefined when never probed, or when the result was forgotten on purpose. */
  checkedAt: number | undefined;
}

/** True while `last` may be answered from cache at `now`; false means probe again. */
export function probeStillHolds(last: LastProbe, now: number, healthIntervalMs: number = DEFAULT_HEALTH_INTERVAL_MS): boolean {
  if (last.checkedAt === undefined) return false;
  return now - last.checkedAt < (last.up ? healthIntervalMs : REPROBE_DOWN_MS);
}

/**
 * Per-layer counts for the closing line of `npm test`. Each layer writes <layer>.json into the
 * folder named by SWITCHYARD_SUMMARY_DIR (set by scripts/test.sh); the script adds them up and
 * prints `N passed, N failed`. Outside test.sh (no env var) writing is skipped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SUMMARY_DIR_ENV = 'SWITCHYARD_SUMMARY_DIR';

export interface LayerCounts {
  passed: number;
  failed: number;
  pending?: number;
}

export function writeSummary(layer: string, counts: LayerCounts): void {
  const dir = process.env[SUMMARY_DIR_ENV];
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const { passed, failed, pending = 0 } = counts;
  fs.writeFileSync(path.join(dir, `${layer}.json`), JSON.stringify({ passed, failed, pending }));
}

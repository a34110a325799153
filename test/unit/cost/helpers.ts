/** Shared setup for the cost tests: a fresh ledger directory and a config with budget overrides. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configSchema, type BudgetConfig, type SwitchyardConfig } from '../../../src/core/config';
import { createSpendGuard, type CostService } from '../../../src/core/cost';

export function tempLedgerDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-ledger-'));
}

export function configWith(budget: Partial<BudgetConfig> = {}, extra: Record<string, unknown> = {}): SwitchyardConfig {
  return configSchema.parse({ ...extra, budget });
}

/** Every usage line in the ledger directory, parsed. */
export function usageLines(dir: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      try {
        const rec = JSON.parse(line) as Record<string, unknown>;
        if (rec.t === 'usage') out.push(rec);
      } catch {
        /* torn or empty line */
      }
    }
  }
  return out;
}

/**
 * A fresh ledger directory per test and spend guards over it, all disposed (and the directory
 * removed) after each test. Call inside a `describe`: it registers the mocha hooks.
 */
export function useSpendGuards(): { readonly dir: string; create(config: SwitchyardConfig, opts?: Omit<Parameters<typeof createSpendGuard>[0], 'dir' | 'config'>): CostService } {
  let dir = '';
  const guards: CostService[] = [];
  beforeEach(() => {
    dir = tempLedgerDir();
  });
  afterEach(async () => {
    // Awaited: dispose waits for background ledger writes (progress lines) that would race the removal.
    await Promise.all(guards.splice(0).map((g) => g.dispose()));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    create(config, opts = {}) {
      const g = createSpendGuard({ dir, config, ...opts });
      guards.push(g);
      return g;
    },
  };
}

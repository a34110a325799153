import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createReliabilityGuard, type GuardCandidate, type ReliabilityGuard, type ReliabilityGuardOptions } from '../../../src/core/reliability/guard';
import { parseReliabilitySettings } from '../../../src/core/reliability/settings';
import type { ErrorKind, NormalizedError } from '../../../src/core/types';
import { manualTimers, type ManualTimers } from '../../harness/manualTimers';

export function tempGuardDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-guard-'));
}

export const cloud = (provider: string, model: string): GuardCandidate => ({ ref: { provider, model }, locality: 'cloud' });
export const groq = cloud('groq', 'llama-3.3-70b-versatile');
export const gemini = cloud('gemini', 'gemini-2.0-flash');
export const glm = cloud('zhipu', 'glm-4.7-flash');

/** A clock the test moves by hand, from a fixed local noon (far from midnight). */
export interface TestClock {
  t: number;
  now: () => number;
  timers: ManualTimers;
  advance(ms: number): void;
}

export function testClock(start = new Date(2026, 11, 2, 12, 0, 0).getTime()): TestClock {
  const timers = manualTimers();
  const c: TestClock = {
    t: start,
    now: () => c.t,
    timers,
    advance(ms: number) {
      c.t += ms;
      timers.advance(ms);
    },
  };
  return c;
}

export function guardWith(dir: string, clock: TestClock, settings: unknown = {}, extra: Partial<ReliabilityGuardOptions> = {}): ReliabilityGuard {
  return createReliabilityGuard({ dir, now: clock.now, timers: clock.timers, settings: parseReliabilitySettings(settings).settings, vendorOf: (p) => p, ...extra });
}

export const failure = (kind: ErrorKind, extra: Partial<NormalizedError> = {}): NormalizedError => ({ kind, message: `${kind} failure`, retryable: true, ...extra });

/**
 * The `switchyard.reliability.*` settings (application scope: quotas and breakers describe the
 * machine's providers, not a workspace). Parsing is lenient like src/core/config.ts: a bad value
 * is reported with its setting's full name and dropped, and its default stays in force. Every
 * default here allows no more traffic than the value the user could have meant... except that a
 * dropped quota falls back to the free-tier default, which is the conservative reading anyway.
 */
import { z } from 'zod/v3';
import { DEFAULT_BREAKER, DEFAULT_HEALTH_INTERVAL_MS, DEFAULT_RETRY, DEFAULT_WAIT_FOR_SLOT_MS, type QuotaLimits } from './defaults';

const count = z.number().int().positive();

/** One scope's limits; `null` lifts a shipped default (a paid tier has no per-day cap). */
export const quotaLimitsSchema = z
  .object({
    requestsPerMinute: count.nullable().optional(),
    tokensPerMinute: count.nullable().optional(),
    requestsPerDay: count.nullable().optional(),
    tokensPerDay: count.nullable().optional(),
    concurrent: count.nullable().optional(),
  })
  .strict();

/** "provider", "provider/*" (each model) or "provider/model". */
const QUOTA_KEY = /^[^/\s]+(\/.+)?$/;

export const reliabilitySettingsSchema = z.object({
  quotas: z.record(z.string().regex(QUOTA_KEY, 'write "provider", "provider/*" or "provider/model"'), quotaLimitsSchema).default({}),
  waitForSlotMs: z.number().int().min(0).max(600_000).default(DEFAULT_WAIT_FOR_SLOT_MS),
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).max(10).default(DEFAULT_RETRY.maxAttempts),
      baseDelayMs: z.number().int().min(0).max(60_000).default(DEFAULT_RETRY.baseDelayMs),
      maxDelayMs: z.number().int().min(0).max(600_000).default(DEFAULT_RETRY.maxDelayMs),
    })
    .default({}),
  breaker: z
    .object({
      errorRate: z.number().gt(0).max(1).default(DEFAULT_BREAKER.errorRate),
      windowMs: z.number().int().min(1_000).max(3_600_000).default(DEFAULT_BREAKER.windowMs),
      minRequests: z.number().int().min(1).default(DEFAULT_BREAKER.minRequests),
      consecutiveConnectFailures: z.number().int().min(1).default(DEFAULT_BREAKER.consecutiveConnectFailures),
      cooldownMs: z.number().int().min(1_000).max(3_600_000).default(DEFAULT_BREAKER.cooldownMs),
      maxCooldownMs: z.number().int().min(1_000).max(86_400_000).default(DEFAULT_BREAKER.maxCooldownMs),
    })
    .default({}),
  /**
   * Health checks (health.ts): every `intervalMs` (0 turns them off) a free probe of each
   * provider; `completionProbe` names the providers whose probe is a 1-token completion instead
   * (it costs money, so none by default).
   */
  health: z
    .object({
      intervalMs: z.number().int().refine((n) => n === 0 || (n >= 5_000 && n <= 3_600_000), 'write 0 (off) or 5000 to 3600000 ms').default(DEFAULT_HEALTH_INTERVAL_MS),
      completionProbe: z.array(z.string().min(1)).default([]),
    })
    .default({}),
});

export type ReliabilitySettings = z.infer<typeof reliabilitySettingsSchema>;
export type QuotaSetting = z.infer<typeof quotaLimitsSchema>;
export type RetrySettings = ReliabilitySettings['retry'];
export type BreakerSettings = ReliabilitySettings['breaker'];
export type HealthSettings = ReliabilitySettings['health'];

export interface ReliabilityProblem {
  /** The full setting name, e.g. "switchyard.reliability.quotas.groq.requestsPerMinute". */
  setting: string;
  message: string;
}

export const SETTINGS_PREFIX = 'switchyard.reliability';

export function defaultReliabilitySettings(): ReliabilitySettings {
  return reliabilitySettingsSchema.parse({});
}

/**
 * Reads `switchyard.reliability` (the object below that prefix). Never throws: each invalid value
 * is named in a problem and removed, so its default applies and the rest is kept.
 */
export function parseReliabilitySettings(raw: unknown): { settings: ReliabilitySettings; problems: ReliabilityProblem[] } {
  const problems: ReliabilityProblem[] = [];
  const isObject = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  if (raw !== undefined && raw !== null && !isObject) problems.push({ setting: SETTINGS_PREFIX, message: 'expected an object; the defaults apply' });
  const input: unknown = isObject ? structuredClone(raw) : {};
  for (let guard = 0; guard < 200; guard++) {
    const result = reliabilitySettingsSchema.safeParse(input);
    if (result.success) {
      const settings = result.data;
      if (settings.retry.baseDelayMs > settings.retry.maxDelayMs) {
        problems.push({ setting: `${SETTINGS_PREFIX}.retry.baseDelayMs`, message: `is above retry.maxDelayMs (${settings.retry.maxDelayMs}); the defaults apply` });
        settings.retry = defaultReliabilitySettings().retry;
      }
      if (settings.breaker.cooldownMs > settings.breaker.maxCooldownMs) {
        problems.push({ setting: `${SETTINGS_PREFIX}.breaker.cooldownMs`, message: `is above breaker.maxCooldownMs (${settings.breaker.maxCooldownMs}); the defaults apply` });
        settings.breaker.cooldownMs = DEFAULT_BREAKER.cooldownMs;
        settings.breaker.maxCooldownMs = DEFAULT_BREAKER.maxCooldownMs;
      }
      return { settings, problems };
    }
    const issue = result.error.issues[0]!;
    // An unknown key inside a quota entry is reported on the entry; name the key itself.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      const path = [...issue.path.map(String), ...(key ? [key] : [])];
      problems.push({ setting: [SETTINGS_PREFIX, ...path].join('.'), message: issue.code === 'unrecognized_keys' ? 'is not a quota setting (requestsPerMinute, tokensPerMinute, requestsPerDay, tokensPerDay, concurrent)' : issue.message });
      if (!drop(input, path)) return { settings: defaultReliabilitySettings(), problems };
    }
  }
  return { settings: defaultReliabilitySettings(), problems };
}

function drop(root: unknown, path: string[]): boolean {
  if (path.length === 0) return false;
  let node = root as Record<string, unknown> | undefined;
  for (const key of path.slice(0, -1)) {
    const child = node?.[key];
    if (!child || typeof child !== 'object') {
      // The parent itself is the wrong type: drop the parent.
      return drop(root, path.slice(0, -1));
    }
    node = child as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (!node || typeof node !== 'object' || !(last in node)) return path.length > 1 ? drop(root, path.slice(0, -1)) : false;
  delete node[last];
  return true;
}

/** Settings' quotas with `null` meaning "lift this default". */
export type QuotaOverrides = Record<string, QuotaSetting>;

/** Merges a default with an override field by field; null removes the field. */
export function mergeLimits(base: QuotaLimits | undefined, over: QuotaSetting | undefined): QuotaLimits | undefined {
  if (!base && !over) return undefined;
  const out: QuotaLimits = { ...(base ?? {}) };
  for (const [k, v] of Object.entries(over ?? {}) as [keyof QuotaLimits, number | null | undefined][]) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Every number of the reliability layer, each with where it comes from. Settings
 * (`switchyard.reliability.*`, settings.ts) override the user-facing ones.
 */

/** Limits of one scope (a provider as a whole, or one of its models). Absent: no limit. */
export interface QuotaLimits {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  requestsPerDay?: number;
  tokensPerDay?: number;
  /** Requests in flight at once. */
  concurrent?: number;
}

/**
 * Free-tier quotas from the design note "free commercial options" (requirements §1), keyed by
 * vendor: "vendor/model" for one model, "vendor/*" for each model separately (Groq and Gemini
 * count per model), "vendor" for the provider as a whole.
 * - Groq: 30 requests and 30,000 tokens a minute.
 * - Gemini: 15 requests a minute and 1,500 a day.
 * - glm-4.7-flash (Zhipu's free tier): one request at a time.
 */
export const DEFAULT_QUOTAS: Readonly<Record<string, QuotaLimits>> = {
  'groq/*': { requestsPerMinute: 30, tokensPerMinute: 30_000 },
  'gemini/*': { requestsPerMinute: 15, requestsPerDay: 1_500 },
  'zhipu/glm-4.7-flash': { concurrent: 1 },
};

/**
 * Requests in flight per cloud provider when nothing says otherwise: "max concurrent requests
 * (10)" of the dual-API design note (requirements §3). Local providers get none by default: they
 * queue on their own (Ollama's OLLAMA_MAX_QUEUE), and skipping a busy local model would send the
 * request to the cloud.
 */
export const DEFAULT_CLOUD_CONCURRENT = 10;

export const MINUTE_MS = 60_000;

/** How long the router may wait for the earliest quota slot when no candidate is left (issue 18 §1). */
export const DEFAULT_WAIT_FOR_SLOT_MS = 10_000;

/**
 * An in-flight lease (a concurrency slot, a half-open probe) lives this long unless renewed; the
 * holder renews it every LEASE_RENEW_MS while the request runs. A crashed or SIGKILLed holder
 * stops renewing, so its slot frees itself within LEASE_MS. A minute: longer than any pause of a
 * healthy process (GC, a suspended laptop wakes and renews), short against a quota window.
 */
export const LEASE_MS = 60_000;
export const LEASE_RENEW_MS = 20_000;

/** Retries (requirements §3, issue 18 §2): up to 3 attempts, full-jitter exponential backoff, base 1 s, cap 20 s. */
export const DEFAULT_RETRY = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 20_000 } as const;

/**
 * Circuit breaker (the failover design note: "error rate above 10 %"; issue 18 §3): over a rolling
 * 60 s window with at least 5 requests, or 3 consecutive connect failures. Cooldown 30 s, doubling
 * on each failed probe up to 10 min.
 */
export const DEFAULT_BREAKER = {
  errorRate: 0.1,
  windowMs: 60_000,
  minRequests: 5,
  consecutiveConnectFailures: 3,
  cooldownMs: 30_000,
  maxCooldownMs: 600_000,
} as const;

/** Latency percentiles and success rate of the status are over the last hour (issue 18 §9). */
export const STATUS_WINDOW_MS = 3_600_000;

/** Health checks every 60 s: the failover design note (requirements §3, "health checks every 60 s"). */
export const DEFAULT_HEALTH_INTERVAL_MS = 60_000;
/**
 * A probe that has not answered in 10 s is a failure: the same bound as the connect timeout of
 * issue 18 point 5 (a model listing is one small GET; a longer wait says the host is not well).
 */
export const HEALTH_PROBE_TIMEOUT_MS = 10_000;

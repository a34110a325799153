/**
 * Switchyard's settings, as one zod schema shared by the extension (built from VS Code's
 * configuration), the CLI (a JSON file) and the tests. Parsing never throws on a single bad
 * value: `parseConfig` keeps every valid section and reports the rest, so one typo in
 * settings.json does not take the whole product down.
 *
 * Each section is owned by one module: providers/router (providers, mode, tasks, network),
 * escalation, budget (cost), completion, local (sidecar).
 */
import { z } from 'zod/v3';
import { type ConfigInvalid, TASKS } from './types';
import { parseReliabilitySettings, reliabilitySettingsSchema } from './reliability/settings';
import {
  DEFAULT_CODE_PARSE_TASKS,
  DEFAULT_LOW_TOKEN_PROB,
  DEFAULT_MATH_FINAL_TASKS,
  DEFAULT_MAX_LOW_SHARE,
  DEFAULT_MIN_LOGPROB_TOKENS,
} from './escalation/defaults';

/** Ways of filling in the middle over /completions; see `fim` below. */
export const FIM_MODES = ['auto', 'suffix', 'template'] as const;

/** A provider's `timeoutMs` when none is set: 30 s is the requirements' switch condition (section 3). */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 30_000;

export const providerConfigSchema = z.object({
  /** Wire protocol. */
  kind: z.enum(['ollama', 'openai-compatible', 'npu-simple']),
  /** Vendor quirk table for the OpenAI-compatible family; "custom" for LM Studio, vLLM, llama.cpp… */
  vendor: z
    .enum(['openai', 'groq', 'dashscope', 'zhipu', 'gemini', 'llama', 'ollama-openai', 'custom'])
    .default('custom'),
  enabled: z.boolean().default(true),
  /** Named regional endpoint, e.g. dashscope "beijing" | "singapore" | "us", zhipu "bigmodel" | "zai". */
  region: z.string().optional(),
  /** Explicit base URL; wins over region. */
  baseUrl: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'write an http:// or https:// URL')
    .optional(),
  /** Local providers never leave the machine and never go through the proxy. Derived from the URL when absent. */
  locality: z.enum(['local', 'cloud']).optional(),
  /** Models offered by this provider (cloud) or preferred (local; installed ones are discovered). */
  models: z.array(z.string()).default([]),
  /** CLI only: environment variable holding the key. VS Code keeps keys in SecretStorage. */
  apiKeyEnv: z.string().optional(),
  /**
   * Idle timeout, ms: no byte for this long, before the first one or between two chunks of a
   * streaming answer alike, ends the attempt with a `timeout` error (providers/streamGuard.ts),
   * and the router fails over. A stall mid-stream is bounded by it, not only a slow start.
   */
  timeoutMs: z.number().int().positive().default(DEFAULT_PROVIDER_TIMEOUT_MS),
  /**
   * How inline completion fills in the middle over an OpenAI-compatible /completions endpoint
   * (src/core/completion/fimRequest.ts): "suffix" sends prefix and `suffix` and lets the server
   * apply the model's template; "template" sends the raw FIM prompt of the model's family with its
   * stop tokens; "auto" uses "suffix" where the server is known to apply it (Ollama /v1), else
   * "template" when the model's family is known. Many servers (llama.cpp, vLLM, LM Studio) ignore
   * or reject `suffix`, which is why "auto" does not trust it elsewhere. Absent means "auto".
   */
  fim: z
    .enum(FIM_MODES, { errorMap: () => ({ message: `write ${FIM_MODES.map((m) => `"${m}"`).join(', ')} (how inline completion fills in the middle)` }) })
    .optional(),
});
export type ProviderConfig = z.infer<typeof providerConfigSchema>;

export const modeSchema = z.enum(['auto', 'local', 'cloud', 'pinned']);
/** "provider/model": a provider id without slashes or spaces, then a model name (which may contain slashes). */
const MODEL_REF_PATTERN = /^[^/\s]+\/\S.*$/;
/** "provider" alone, or a model reference. */
const PINNED_PATTERN = /^[^/\s]+(?:\/\S.*)?$/;

/** A signal that only has an on/off switch. */
const switchSignalSchema = z.object({ enabled: z.boolean().default(true) });

/** Per-signal switches and thresholds; meanings and defaults live in src/core/escalation/. */
export const escalationSignalsSchema = z.object({
  /** Token log-probabilities (only when the local provider returns them). */
  logprobs: z
    .object({
      enabled: z.boolean().default(true),
      /** A token is low-confidence below this probability. */
      lowTokenProb: z.number().gt(0).lt(1).default(DEFAULT_LOW_TOKEN_PROB),
      /** Fires when more than this share of tokens is low-confidence (a low quantile, not the mean). */
      maxLowShare: z.number().gt(0).lt(1).default(DEFAULT_MAX_LOW_SHARE),
      /** Shorter answers are not judged by this signal. */
      minTokens: z.number().int().positive().default(DEFAULT_MIN_LOGPROB_TOKENS),
    })
    .default({ enabled: true, lowTokenProb: DEFAULT_LOW_TOKEN_PROB, maxLowShare: DEFAULT_MAX_LOW_SHARE, minTokens: DEFAULT_MIN_LOGPROB_TOKENS }),
  /** The local model answers UNCERTAIN when unsure; the local stream stops at once. */
  marker: switchSignalSchema.default({ enabled: true }),
  /** Code blocks of a code answer must parse (TypeScript/JavaScript/JSX, JSON, Python). */
  code_parse: z
    .object({ enabled: z.boolean().default(true), tasks: z.array(z.enum(TASKS)).default([...DEFAULT_CODE_PARSE_TASKS]) })
    .default({ enabled: true, tasks: [...DEFAULT_CODE_PARSE_TASKS] }),
  /** A math answer must reach a final answer. */
  math_final: z
    .object({ enabled: z.boolean().default(true), tasks: z.array(z.enum(TASKS)).default([...DEFAULT_MATH_FINAL_TASKS]) })
    .default({ enabled: true, tasks: [...DEFAULT_MATH_FINAL_TASKS] }),
  /** The answer stopped at max_tokens. */
  truncated: switchSignalSchema.default({ enabled: true }),
  /** The answer is empty. */
  empty: switchSignalSchema.default({ enabled: true }),
  /** The model refused (English and Chinese phrases, or the provider's content filter). */
  refusal: switchSignalSchema.default({ enabled: true }),
});
export type EscalationSignalsConfig = z.infer<typeof escalationSignalsSchema>;

export const escalationConfigSchema = z.object({
  /** off: never escalate; ask: ask the user first; auto: escalate when a signal fires. */
  policy: z.enum(['off', 'ask', 'auto']).default('auto'),
  /** Most a single escalated request may cost, USD; 0 means no per-request ceiling beyond the budget. */
  maxCostPerRequestUsd: z.number().nonnegative().default(0.05),
  signals: escalationSignalsSchema.default(escalationSignalsSchema.parse({})),
});
export type EscalationConfig = z.infer<typeof escalationConfigSchema>;

export const budgetConfigSchema = z.object({
  currency: z.enum(['USD', 'CNY', 'EUR']).default('USD'),
  /** Units of `currency` per 1 USD, overriding the bundled dated rate (src/core/cost/currency.ts). */
  usdRate: z.number().positive().optional(),
  /** Workspace caps in `currency`; 0 means "no cloud spending". Undefined means "the user's cap". */
  dailyLimit: z.number().nonnegative().optional(),
  monthlyLimit: z.number().nonnegative().optional(),
  /** User-level caps across all workspaces; a workspace can only go lower. */
  globalDailyLimit: z.number().nonnegative().default(1),
  globalMonthlyLimit: z.number().nonnegative().default(10),
  alertThresholds: z.array(z.number().positive().max(1)).default([0.5, 0.8, 1]),
  /** "provider/model" → price per 1M tokens, overriding the bundled table. */
  priceOverrides: z
    .record(z.string(), z.object({ input: z.number().nonnegative(), output: z.number().nonnegative(), cachedInput: z.number().nonnegative().optional() }))
    .default({}),
  /** Cloud models with no known price that the user has allowed anyway. */
  allowUnpriced: z.array(z.string()).default([]),
  /** The cloud model the usage report compares against ("what these tokens would have cost on …"). */
  savingsReference: z.string().default('openai/gpt-4o'),
});
export type BudgetConfig = z.infer<typeof budgetConfigSchema>;

export const completionConfigSchema = z.object({
  enabled: z.boolean().default(true),
  /** Language ids where completion is off. */
  disabledLanguages: z.array(z.string()).default(['plaintext', 'markdown', 'scminput']),
  /** "provider/model" used for completions; a small local coder model by default. */
  model: z.string().optional(),
  allowCloud: z.boolean().default(false),
  minDelayMs: z.number().int().nonnegative().default(50),
  maxDelayMs: z.number().int().positive().default(600),
  maxPrefixTokens: z.number().int().positive().default(1500),
  maxSuffixTokens: z.number().int().positive().default(500),
  maxTokens: z.number().int().positive().default(128),
  /** Tokens of recently edited files of the same language added as context; 0 turns it off. */
  contextTokens: z.number().int().nonnegative().default(400),
  /** No text after this long and the suggestion is given up (a completion later than this is rarely wanted). */
  timeoutMs: z.number().int().positive().default(4000),
});

export const localConfigSchema = z.object({
  /** Start `ollama serve` when installed but not running; stop it on exit only if we started it. */
  manageOllama: z.boolean().default(true),
  ollamaHost: z.string().optional(),
  keepAlive: z.union([z.string(), z.number()]).default('30m'),
  /** How long a freshly started `ollama serve` may take to answer (first start with GPU discovery can be slow). */
  startTimeoutMs: z.number().int().positive().default(30_000),
  /** Health probe interval of Ollama and the other local endpoints; 60 s per the requirements (§3). */
  healthIntervalMs: z.number().int().positive().default(60_000),
});

export const networkConfigSchema = z.object({
  proxy: z.string().optional(),
  noProxy: z.array(z.string()).default([]),
  /** PEM file(s) with extra CA certificates for corporate proxies. */
  caCertPaths: z.array(z.string()).default([]),
  /**
   * Non-loopback hosts the user confirms as their own (a GPU box on the LAN): providers there count
   * as local, for Local only and the proxy. Machine-scoped, so a workspace cannot add one; see
   * src/core/net/locality.ts for the entry format.
   */
  trustedLocalHosts: z.array(z.string()).default([]),
});

/** The chat panel (switchyard.panel.*). */
export const panelConfigSchema = z.object({
  /**
   * An answer's text is cut here, with a "truncated at N MB" note and its whole text offered as an
   * untitled document (issue 15); 1 MB = 1,000,000 characters. At most 20 (MAX_ANSWER_CHARS).
   */
  maxAnswerMB: z.number().positive().max(20).default(2),
});

export const configSchema = z.object({
  mode: modeSchema.default('auto'),
  /** With mode "pinned": "provider" or "provider/model". */
  pinned: z.string().regex(PINNED_PATTERN, 'write "provider" or "provider/model", e.g. "ollama/qwen2.5-coder:7b"').optional(),
  providers: z.record(z.string(), providerConfigSchema).default({}),
  /**
   * Task → ordered candidate "provider/model" list ("provider/*" = every model of it). Missing
   * tasks use the shipped defaults (src/core/router/defaults.ts). A malformed entry is dropped alone.
   */
  tasks: z.record(z.enum(TASKS), z.array(z.string().regex(MODEL_REF_PATTERN, 'write "provider/model", e.g. "ollama/qwen2.5-coder:7b"'))).default({}),
  escalation: escalationConfigSchema.default(escalationConfigSchema.parse({})),
  budget: budgetConfigSchema.default(budgetConfigSchema.parse({})),
  completion: completionConfigSchema.default(completionConfigSchema.parse({})),
  local: localConfigSchema.default(localConfigSchema.parse({})),
  network: networkConfigSchema.default(networkConfigSchema.parse({})),
  panel: panelConfigSchema.default(panelConfigSchema.parse({})),
  /** Log prompt text in the output channel (off: only sizes and decisions are logged). */
  logPrompts: z.boolean().default(false),
  /**
   * Quotas, waits, retries and breakers (src/core/reliability/settings.ts). parseConfig reads it
   * with parseReliabilitySettings first (its cross-field checks, its problem names), so this
   * schema only ever sees a valid value.
   */
  reliability: reliabilitySettingsSchema.default({}),
  /** switchyard.routing.*: read leniently by its own parser (router/routingSettings.ts, in assembleCore), kept raw here. */
  routing: z.unknown().optional(),
  /**
   * The Local API Server VS Code starts (src/vscode/gateway/). Only the port is read here; the rest
   * of a settings file's `gateway` section (aliases, allowed origins…) is the gateway's own
   * (src/gateway/settings.ts). 8000: the design note's base URL, the default of `switchyard serve`.
   */
  gateway: z.object({ port: z.number().int().min(1).max(65535).default(8000) }).default({ port: 8000 }),
});
/**
 * The settings in force. `refuseCloud` is set by parseConfig when a setting that fails closed
 * could not be read: the core then refuses every cloud call (never from the schema, so a
 * settings file cannot clear it).
 */
export type SwitchyardConfig = z.infer<typeof configSchema> & { readonly refuseCloud?: readonly ConfigInvalid[] };

export interface ConfigProblem {
  /** The setting's path below `switchyard.`, e.g. "budget.dailyLimit" ("" for the whole object). */
  path: string;
  message: string;
  /**
   * What Switchyard does about it. "default": this value alone falls back to its default, which
   * allows no more than any value the user could have meant. "fail_closed": the default could
   * allow more (a higher cap, another endpoint, cloud where Local only was meant), so cloud calls
   * are refused until the setting is fixed; local calls go on.
   */
  effect: 'default' | 'fail_closed';
}

/**
 * Settings whose default could allow more than the value the user wrote (and so fail closed):
 * - budget caps, the currency and rate they are read in, and the prices spending is estimated
 *   with (a dropped override falls back to a possibly lower bundled price);
 * - the per-request escalation ceiling and the escalation policy ("auto" asks nobody);
 * - where requests go: providers (a provider's bad baseUrl must not become its default
 *   endpoint, nor an unreadable providers map the shipped cloud set) and the proxy;
 * - what may run: mode (an unreadable mode is read as "local", see parseConfig), pinned (without
 *   it, mode "pinned" becomes "auto") and a task's whole candidate list (the shipped list names
 *   cloud models).
 * A problem fails closed when its path is one of these, lies under one, or contains one (a whole
 * section such as `budget` that cannot be read). Everything else defaults safely: the
 * completion and local sections keep requests on this machine by default, allowUnpriced and
 * noProxy default to nothing, signals and alert thresholds only inform.
 */
const FAIL_CLOSED_SETTINGS: readonly string[] = [
  'mode',
  'pinned',
  'providers',
  'tasks',
  'escalation.policy',
  'escalation.maxCostPerRequestUsd',
  'budget.currency',
  'budget.usdRate',
  'budget.dailyLimit',
  'budget.monthlyLimit',
  'budget.globalDailyLimit',
  'budget.globalMonthlyLimit',
  'budget.priceOverrides',
  'network.proxy',
];

/** Whether a problem at this path must fail closed (see FAIL_CLOSED_SETTINGS). */
export function failsClosed(path: readonly string[]): boolean {
  // One bad entry of a task's list is dropped alone (the list gets shorter, never wider), and an
  // unknown task name is never used.
  if (path[0] === 'tasks' && path.length >= 2) return path.length === 2 && (TASKS as readonly string[]).includes(path[1]!);
  const dotted = path.join('.');
  return FAIL_CLOSED_SETTINGS.some((s) => dotted === '' || dotted === s || dotted.startsWith(`${s}.`) || s.startsWith(`${dotted}.`));
}

/**
 * Parses settings leniently: a value that fails validation is reported with its setting's name
 * and dropped. When its default is safe, that default applies and the user keeps working. When
 * the default could allow more (see FAIL_CLOSED_SETTINGS) the config also carries
 * `refuseCloud`, and an unreadable mode is read as "local", so no byte leaves the machine
 * before the user has fixed it.
 */
export function parseConfig(raw: unknown): { config: SwitchyardConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const report = (path: string[], message: string) => problems.push({ path: path.join('.'), message, effect: failsClosed(path) ? 'fail_closed' : 'default' });
  const isObject = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  if (raw !== undefined && raw !== null && !isObject) report([], 'expected an object of settings');
  const input: Record<string, unknown> = isObject ? { ...(raw as Record<string, unknown>) } : {};
  // A bad reliability value keeps its default (no quota is ever raised by a typo): never fails closed.
  const reliability = parseReliabilitySettings(input.reliability);
  for (const p of reliability.problems) problems.push({ path: p.setting.slice('switchyard.'.length), message: p.message, effect: 'default' });
  input.reliability = reliability.settings;
  let parsed: z.infer<typeof configSchema> | undefined;
  for (;;) {
    const result = configSchema.safeParse(input);
    if (result.success) {
      parsed = result.data;
      break;
    }
    const issue = result.error.issues[0];
    if (!issue) break;
    const path = issue.path.map(String);
    report(path, issue.message);
    if (!dropPath(input, path)) {
      // Nothing left to drop: every setting falls back to its default, which fails closed.
      report([], 'the settings could not be read; defaults apply');
      break;
    }
  }
  const config: z.infer<typeof configSchema> = parsed ?? configSchema.parse({});
  const refuseCloud = problems.filter((p) => p.effect === 'fail_closed').map((p): ConfigInvalid => ({ code: 'config_invalid', setting: p.path, problem: p.message }));
  if (refuseCloud.length === 0) return { config, problems };
  // The safest reading of a mode that cannot be read is Local only (the user may have meant it).
  const modeUnread = problems.some((p) => p.path === 'mode' || p.path === '');
  return { config: { ...config, ...(modeUnread ? { mode: 'local' as const } : {}), refuseCloud }, problems };
}

/**
 * Removes the offending value (for record entries, the whole entry) so the default applies.
 * A value that is missing where one is required takes its parent with it.
 */
function dropPath(root: Record<string, unknown>, path: string[]): boolean {
  if (path.length === 0) return false;
  // Drop a whole provider or price entry rather than leave a half-valid one.
  let cut = path[0] === 'providers' && path.length > 2 ? path.slice(0, 2) : path[0] === 'budget' && path[1] === 'priceOverrides' && path.length > 3 ? path.slice(0, 3) : path;
  for (; cut.length > 0; cut = cut.slice(0, -1)) if (dropExact(root, cut)) return true;
  return false;
}

function dropExact(root: Record<string, unknown>, cut: string[]): boolean {
  let node: unknown = root;
  for (let i = 0; i < cut.length - 1; i++) {
    const key = cut[i]!;
    if (!node || typeof node !== 'object') return false;
    const child = (node as Record<string, unknown>)[key];
    if (child && typeof child === 'object') {
      // Copy on write so the caller's object is never mutated.
      (node as Record<string, unknown>)[key] = Array.isArray(child) ? [...child] : { ...(child as object) };
    }
    node = (node as Record<string, unknown>)[key];
  }
  if (!node || typeof node !== 'object') return false;
  const last = cut[cut.length - 1]!;
  if (!(last in (node as object))) return false;
  if (Array.isArray(node)) (node as unknown[]).splice(Number(last), 1);
  else delete (node as Record<string, unknown>)[last];
  return true;
}

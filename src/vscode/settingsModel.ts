/**
 * Turns VS Code settings into the raw object `parseConfig` reads, enforcing who may set what.
 *
 * Pure (no `vscode` import) so the trust rules are unit-tested under plain Node. The extension
 * passes a `SettingSource` backed by `WorkspaceConfiguration.inspect()`.
 *
 * Trust rules (why: a cloned repository's `.vscode/settings.json` is attacker-controlled):
 * - "user" keys (endpoints, providers, prices, caps, proxy…) are read from the user's own
 *   settings only. VS Code already ignores workspace values for `application`-scoped settings,
 *   but we read `globalValue` explicitly so that the rule holds whatever the host does.
 * - "workspace" keys (mode, task maps, workspace budgets…) take the usual precedence.
 * - Workspace budgets can only be lower than the user's global caps, never higher.
 */

/** Where a setting may come from. */
export type SettingTrust = 'user' | 'workspace';

/** One row per `switchyard.*` setting: its path in SwitchyardConfig and who may set it. */
export interface SettingSpec {
  /** Key below `switchyard.`, e.g. "budget.dailyLimit". Also its path in SwitchyardConfig. */
  key: string;
  trust: SettingTrust;
}

/**
 * Every setting the extension reads. package.json declares the same keys with `"scope":
 * "application"` for the "user" rows (test/unit/vscode/settingsModel.test.ts checks they agree).
 */
export const SETTINGS: readonly SettingSpec[] = [
  { key: 'mode', trust: 'workspace' },
  { key: 'pinned', trust: 'workspace' },
  { key: 'providers', trust: 'user' },
  { key: 'tasks', trust: 'workspace' },
  { key: 'escalation.policy', trust: 'workspace' },
  { key: 'escalation.maxCostPerRequestUsd', trust: 'user' },
  { key: 'escalation.signals', trust: 'workspace' },
  { key: 'budget.currency', trust: 'user' },
  { key: 'budget.usdRate', trust: 'user' },
  { key: 'budget.dailyLimit', trust: 'workspace' },
  { key: 'budget.monthlyLimit', trust: 'workspace' },
  { key: 'budget.globalDailyLimit', trust: 'user' },
  { key: 'budget.globalMonthlyLimit', trust: 'user' },
  { key: 'budget.alertThresholds', trust: 'workspace' },
  { key: 'budget.priceOverrides', trust: 'user' },
  { key: 'budget.allowUnpriced', trust: 'user' },
  { key: 'budget.savingsReference', trust: 'workspace' },
  { key: 'completion.enabled', trust: 'workspace' },
  { key: 'completion.disabledLanguages', trust: 'workspace' },
  { key: 'completion.model', trust: 'user' },
  { key: 'completion.allowCloud', trust: 'user' },
  { key: 'completion.minDelayMs', trust: 'workspace' },
  { key: 'completion.maxDelayMs', trust: 'workspace' },
  { key: 'completion.maxPrefixTokens', trust: 'workspace' },
  { key: 'completion.maxSuffixTokens', trust: 'workspace' },
  { key: 'completion.maxTokens', trust: 'workspace' },
  { key: 'completion.contextTokens', trust: 'workspace' },
  { key: 'completion.timeoutMs', trust: 'workspace' },
  { key: 'local.manageOllama', trust: 'user' },
  { key: 'local.ollamaHost', trust: 'user' },
  { key: 'local.keepAlive', trust: 'workspace' },
  { key: 'network.proxy', trust: 'user' },
  { key: 'network.noProxy', trust: 'user' },
  { key: 'network.caCertPaths', trust: 'user' },
  { key: 'logPrompts', trust: 'user' },
];

/** The values VS Code knows for one key, as `WorkspaceConfiguration.inspect()` reports them. */
export interface InspectedSetting {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

export interface SettingSource {
  inspect(key: string): InspectedSetting | undefined;
}

/** Per-workspace choices made in the UI (status bar switcher), stored in workspaceState. */
export interface WorkspaceOverrides {
  mode?: string;
  pinned?: string;
}

/** A value the workspace tried to set but was not allowed to; reported in the log. */
export interface IgnoredSetting {
  key: string;
  reason: 'user-only' | 'above-user-cap';
}

export interface RawSettings {
  raw: Record<string, unknown>;
  ignored: IgnoredSetting[];
}

/** Builds the nested raw config object from the flat settings, applying the trust rules. */
export function readRawSettings(source: SettingSource, overrides: WorkspaceOverrides = {}): RawSettings {
  const raw: Record<string, unknown> = {};
  const ignored: IgnoredSetting[] = [];
  for (const spec of SETTINGS) {
    const seen = source.inspect(spec.key);
    if (!seen) continue;
    let value: unknown;
    if (spec.trust === 'user') {
      value = seen.globalValue;
      if (seen.workspaceValue !== undefined || seen.workspaceFolderValue !== undefined) {
        ignored.push({ key: spec.key, reason: 'user-only' });
      }
    } else {
      value = seen.workspaceFolderValue ?? seen.workspaceValue ?? seen.globalValue;
    }
    // Defaults come from the zod schema, not from package.json, so that the CLI and the
    // extension agree; package.json defaults are documentation. `null` means "unset".
    if (value === undefined || value === null) continue;
    setPath(raw, spec.key, value);
  }
  if (overrides.mode !== undefined) raw['mode'] = overrides.mode;
  if (overrides.pinned !== undefined) raw['pinned'] = overrides.pinned;
  clampWorkspaceBudget(source, raw, ignored);
  return { raw, ignored };
}

/** Default user caps, mirrored from budgetConfigSchema so clamping works before parsing. */
const DEFAULT_GLOBAL_DAILY_LIMIT = 1;
const DEFAULT_GLOBAL_MONTHLY_LIMIT = 10;

function clampWorkspaceBudget(source: SettingSource, raw: Record<string, unknown>, ignored: IgnoredSetting[]): void {
  const budget = (raw['budget'] ?? {}) as Record<string, unknown>;
  const pairs: [limit: string, cap: string, fallback: number][] = [
    ['dailyLimit', 'globalDailyLimit', DEFAULT_GLOBAL_DAILY_LIMIT],
    ['monthlyLimit', 'globalMonthlyLimit', DEFAULT_GLOBAL_MONTHLY_LIMIT],
  ];
  for (const [limitKey, capKey, fallback] of pairs) {
    const limit = budget[limitKey];
    if (typeof limit !== 'number') continue;
    const capValue = source.inspect(`budget.${capKey}`)?.globalValue;
    const cap = typeof capValue === 'number' ? capValue : fallback;
    if (limit > cap) {
      budget[limitKey] = cap;
      ignored.push({ key: `budget.${limitKey}`, reason: 'above-user-cap' });
    }
  }
  if (Object.keys(budget).length > 0) raw['budget'] = budget;
}

function setPath(root: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = root;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    if (!child || typeof child !== 'object') node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

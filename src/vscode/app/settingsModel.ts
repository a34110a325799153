/**
 * Turns VS Code settings into the raw object `parseConfig` reads, enforcing who may set what.
 *
 * Pure (no `vscode` import) so the trust rules are unit-tested under plain Node. The extension
 * passes a `SettingSource` backed by `WorkspaceConfiguration.inspect()` and the settings its
 * package.json declares.
 *
 * Trust rules (why: a cloned repository's `.vscode/settings.json` is attacker-controlled):
 * - "user" keys (endpoints, providers, prices, caps, proxy…) are read from the user's own
 *   settings only. VS Code already ignores workspace values for `application`-scoped settings,
 *   but we read `globalValue` explicitly so that the rule holds whatever the host does.
 * - "workspace" keys (mode, task maps, workspace budgets…) take the usual precedence.
 * - Workspace budgets can only be lower than the user's global caps, never higher.
 * - Local only is binding when the user's own mode says so or the folder is untrusted; then no
 *   workspace value lifts it (localOnlyPolicy.ts), and in an untrusted folder the workspace
 *   values of every restricted setting (package.json `capabilities.untrustedWorkspaces`) are ignored.
 */
import type { BindingLocalOnly } from '../../core/types';
import { localOnlyPolicy } from './localOnlyPolicy';

/** Where a setting may come from. */
export type SettingTrust = 'user' | 'workspace';

/** One `switchyard.*` setting and who may set it. */
export interface SettingSpec {
  /** Key below `switchyard.`, e.g. "budget.dailyLimit". Also its path in SwitchyardConfig. */
  key: string;
  trust: SettingTrust;
  /** Listed in `capabilities.untrustedWorkspaces.restrictedConfigurations`: no workspace value in an untrusted folder. */
  restricted?: boolean;
}

/** VS Code scopes that a workspace cannot set; we read those from the user's settings only. */
const USER_ONLY_SCOPES = new Set(['application', 'machine', 'machine-overridable']);

/**
 * The settings as declared in package.json `contributes.configuration`: trust follows the
 * declared scope, so a setting added later by any module gets the right rule without a second list.
 */
export function declaredSettings(packageJson: unknown): SettingSpec[] {
  const manifest = packageJson as { contributes?: { configuration?: unknown }; capabilities?: { untrustedWorkspaces?: { restrictedConfigurations?: unknown } } } | undefined;
  const contributes = manifest?.contributes;
  const restrictedList = manifest?.capabilities?.untrustedWorkspaces?.restrictedConfigurations;
  const restricted = new Set(Array.isArray(restrictedList) ? restrictedList : []);
  const sections = Array.isArray(contributes?.configuration) ? contributes.configuration : [contributes?.configuration];
  const specs: SettingSpec[] = [];
  for (const section of sections) {
    const properties = (section as { properties?: Record<string, { scope?: string }> } | undefined)?.properties ?? {};
    for (const [name, schema] of Object.entries(properties)) {
      if (!name.startsWith('switchyard.')) continue;
      const spec: SettingSpec = { key: name.slice('switchyard.'.length), trust: USER_ONLY_SCOPES.has(schema?.scope ?? '') ? 'user' : 'workspace' };
      if (restricted.has(name)) spec.restricted = true;
      specs.push(spec);
    }
  }
  return specs;
}

/**
 * Settings that MUST be user-only: they choose where requests (and keys) go, what is spent, or
 * what is logged. A test checks package.json declares them application-scoped.
 */
export const SECURITY_CRITICAL_SETTINGS: readonly string[] = [
  'providers',
  'escalation.maxCostPerRequestUsd',
  'budget.currency',
  'budget.usdRate',
  'budget.globalDailyLimit',
  'budget.globalMonthlyLimit',
  'budget.priceOverrides',
  'budget.allowUnpriced',
  'completion.allowCloud',
  'completion.model',
  'local.manageOllama',
  'local.ollamaHost',
  'network.proxy',
  'network.noProxy',
  'network.caCertPaths',
  'network.trustedLocalHosts',
  'logPrompts',
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
  reason: 'user-only' | 'above-user-cap' | 'untrusted-workspace';
}

export interface RawSettings {
  raw: Record<string, unknown>;
  ignored: IgnoredSetting[];
  /** Set when Local only is binding (the router is built with it); undefined otherwise. */
  localOnly?: BindingLocalOnly;
}

export interface ReadOptions {
  /** `vscode.workspace.isTrusted`; true when absent. */
  trusted?: boolean;
}

/** Builds the nested raw config object from the flat settings, applying the trust rules. */
export function readRawSettings(
  source: SettingSource,
  settings: readonly SettingSpec[],
  overrides: WorkspaceOverrides = {},
  options: ReadOptions = {},
): RawSettings {
  const trusted = options.trusted ?? true;
  const raw: Record<string, unknown> = {};
  const ignored: IgnoredSetting[] = [];
  for (const spec of settings) {
    const seen = source.inspect(spec.key);
    if (!seen) continue;
    let value: unknown;
    const userOnly = spec.trust === 'user' || (!trusted && spec.restricted === true);
    if (userOnly) {
      value = seen.globalValue;
      if (seen.workspaceValue !== undefined || seen.workspaceFolderValue !== undefined) {
        ignored.push({ key: spec.key, reason: spec.trust === 'user' ? 'user-only' : 'untrusted-workspace' });
      }
    } else {
      value = seen.workspaceFolderValue ?? seen.workspaceValue ?? seen.globalValue;
    }
    // Defaults come from the zod schema, not from package.json, so that the CLI and the
    // extension agree; package.json defaults are documentation. `null` means "unset".
    if (value === undefined || value === null) continue;
    setPath(raw, spec.key, value);
  }
  // The switcher's choice is stored per workspace; an untrusted folder does not get it either.
  if (trusted && overrides.mode !== undefined) raw['mode'] = overrides.mode;
  if (trusted && overrides.pinned !== undefined) raw['pinned'] = overrides.pinned;
  clampWorkspaceBudget(source, raw, ignored);
  const mode = source.inspect('mode');
  const pinned = source.inspect('pinned');
  const localOnly = localOnlyPolicy({
    trusted,
    userMode: mode?.globalValue,
    workspaceMode: mode?.workspaceFolderValue ?? mode?.workspaceValue,
    workspacePinned: pinned?.workspaceFolderValue ?? pinned?.workspaceValue,
    switcherMode: overrides.mode,
    switcherPinned: overrides.pinned,
  });
  if (localOnly) raw['mode'] = 'local';
  return localOnly ? { raw, ignored, localOnly } : { raw, ignored };
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

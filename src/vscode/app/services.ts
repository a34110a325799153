/**
 * The extension's services, assembled once per activation and lazily:
 *
 *   const s = getServices(context);
 *   s.config()          → the effective SwitchyardConfig (trust rules applied, see settingsModel.ts)
 *   s.logger            → core Logger writing to the "Switchyard" output channel (no secrets)
 *   s.keys              → KeyStore over SecretStorage, keys bound to provider + endpoint origin
 *   await s.switchyard() → the router, built on first use and rebuilt after settings change
 *   s.cost()            → the usage ledger / budget guard (summary(), report()), built on first use
 *   s.workspaceId       → the budget this window spends from
 *   s.onDidChange       → fires after settings, keys or the per-workspace mode changed
 *
 * Inline completion (H7) and local models (H8) import from here; nothing else builds core objects.
 */
import * as vscode from 'vscode';
import type { BindingLocalOnly, Candidate, Logger, Mode, SignalResult } from '../../core/types';
import type { AssembledSwitchyard } from '../../core/switchyard';
import type { ConfigProblem, SwitchyardConfig } from '../../core/config';
import { declaredSettings, readRawSettings, type SettingSpec, type WorkspaceOverrides } from './settingsModel';
import { SecretKeyStore } from '../keys/keyStore';
import { OutputLogger } from './outputLogger';
import { runHealthChecksWhileFocused } from '../reliability/healthFocus';
import { buildCost, buildDemoCost, buildProviderGuard, buildRouter } from './coreFactory';
import type { SwitchyardProviderGuard } from '../../core/reliability';
import { demoRawConfig, type DemoEndpoints } from '../../core/demo';
import { reasonText } from '../chat/reasonText';
import { LocalSidecarService } from '../local/localModelsService';
import type { BudgetAlert, CostService } from '../../core/cost';

const MODE_STATE_KEY = 'switchyard.workspaceMode';

export interface Services {
  readonly workspaceId: string;
  /** The effective configuration right now (cheap; cached until settings change). */
  config(): SwitchyardConfig;
  /** Problems found in the settings on the last read. */
  problems(): ConfigProblem[];
  /** Set when Local only is binding (the user's own mode setting, or an untrusted folder); see localOnlyPolicy.ts. */
  localOnly(): BindingLocalOnly | undefined;
  readonly logger: Logger & { show(): void };
  readonly keys: SecretKeyStore;
  /** The router; built on first call, rebuilt after a settings change. Rejects with SwitchyardError. */
  switchyard(): Promise<AssembledSwitchyard>;
  /** The usage ledger and budget guard (today/month summaries, reports). Kept across settings changes. */
  cost(): CostService;
  /** The machine-wide reliability guard (quotas, breakers, marks, provider status); built on first call, kept across settings changes. */
  reliability(): SwitchyardProviderGuard;
  /** The reliability guard if something already built it (the status bar must not build the core on activation). */
  builtReliability(): SwitchyardProviderGuard | undefined;
  /** Budget alerts (50 / 80 / 100 % of a cap) as the ledger crosses them. */
  readonly onBudgetAlert: vscode.Event<BudgetAlert>;
  /** The per-workspace mode chosen in the status bar switcher (overrides the `switchyard.mode` setting). */
  workspaceMode(): WorkspaceOverrides;
  /** `undefined` forgets the choice, so the `switchyard.mode` settings apply again. */
  setWorkspaceMode(mode: Mode | undefined, pinned?: string): Promise<void>;
  /** The local sidecar service of this activation (Ollama and local endpoints); created on first call. */
  local(): LocalSidecarService;
  readonly onDidChange: vscode.Event<void>;
  /** The demo servers in use while demo mode is on (src/vscode/firstRun/demo.ts), else undefined. */
  demo(): DemoEndpoints | undefined;
  /**
   * Turns demo mode on (the demo's providers, keys, budget and its own ledger replace the user's
   * settings, keys and ledger) or off (`undefined`: everything real again).
   */
  setDemo(endpoints: DemoEndpoints | undefined): void;
}

let instance: (Services & vscode.Disposable) | undefined;

/** The services of this activation; created on first call and disposed with the extension. */
export function getServices(context: vscode.ExtensionContext): Services {
  if (!instance) {
    instance = new ExtensionServices(context);
    context.subscriptions.push(instance, { dispose: () => (instance = undefined) });
  }
  return instance;
}

class ExtensionServices implements Services, vscode.Disposable {
  private workspaceIdCache: string | undefined;
  readonly keys: SecretKeyStore;
  readonly logger: OutputLogger;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];
  private cached: { config: SwitchyardConfig; problems: ConfigProblem[]; localOnly?: BindingLocalOnly } | undefined;
  private router: Promise<AssembledSwitchyard> | undefined;
  private costService: CostService | undefined;
  private providerGuard: SwitchyardProviderGuard | undefined;
  private demoEndpoints: DemoEndpoints | undefined;
  /** Demo mode's spend guard, over the demo ledger: never the real one, so no real cap counts demo money. */
  private demoCostService: CostService | undefined;
  private readonly alerts = new vscode.EventEmitter<BudgetAlert>();
  readonly onBudgetAlert = this.alerts.event;
  private lastReportedProblems = '';
  private declared: SettingSpec[] | undefined;
  private localService: LocalSidecarService | undefined;
  private readonly watchedSidecars = new WeakSet<object>();

  constructor(private readonly context: vscode.ExtensionContext) {
    this.keys = new SecretKeyStore(context.secrets, context.globalState);
    this.logger = new OutputLogger({
      logPrompts: () => this.config().logPrompts,
      secrets: () => this.keys.knownSecrets(),
    });
    this.disposables.push(
      this.keys,
      this.logger,
      this.changed,
      this.alerts,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('switchyard') || e.affectsConfiguration('http.proxy') || e.affectsConfiguration('http.noProxy')) this.invalidate('settings');
      }),
      this.keys.onDidChange(() => this.invalidate('keys')),
      // Untrusted folders run Local only; granting trust lifts that at once.
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate('trust')),
    );
  }

  /** Hashed on first use (the first request or budget read), keeping node:crypto off activation. */
  get workspaceId(): string {
    return (this.workspaceIdCache ??= workspaceIdOf(vscode.workspace.workspaceFolders));
  }

  config(): SwitchyardConfig {
    return this.read().config;
  }

  problems(): ConfigProblem[] {
    return this.read().problems;
  }

  localOnly(): BindingLocalOnly | undefined {
    return this.read().localOnly;
  }

  switchyard(): Promise<AssembledSwitchyard> {
    if (!this.router) {
      const demo = this.demoEndpoints;
      const router = demo
        ? // The demo's own providers on 127.0.0.1 only: no real key, sidecar or Ollama is touched.
          buildRouter({ config: this.config(), keys: (require('../../core/demoKeys') as typeof import('../../core/demoKeys')).demoKeyStore(demo), logger: this.logger, cost: this.cost(), confirm: (reasons, next) => confirmEscalation(reasons, next), providerGuard: null })
        : buildRouter({
            config: this.config(),
            keys: this.keys,
            logger: this.logger,
            cost: this.cost(),
            confirm: (reasons, next) => confirmEscalation(reasons, next),
            local: this.localSidecar(),
            localOnly: this.localOnly(),
            runHealthChecks: runHealthChecksWhileFocused,
            providerGuard: this.reliability(),
          });
      this.router = router;
      // A failed build is not cached: the next request tries again (e.g. after a fix).
      router.catch(() => {
        if (this.router === router) this.router = undefined;
      });
    }
    return this.router;
  }

  /**
   * The local sidecar as the router sees it. After a pull or delete the router is rebuilt, so its
   * cached list of installed models never hides a model the user just pulled.
   */
  private localSidecar() {
    const sidecar = this.local().sidecar();
    if (!this.watchedSidecars.has(sidecar)) {
      this.watchedSidecars.add(sidecar);
      this.disposables.push(sidecar.onDidChangeModels(() => this.invalidate('models')));
    }
    return sidecar;
  }

  local(): LocalSidecarService {
    if (!this.localService) {
      this.localService = new LocalSidecarService(this);
      this.disposables.push(this.localService);
    }
    return this.localService;
  }

  cost(): CostService {
    if (this.demoEndpoints) return (this.demoCostService ??= buildDemoCost({ config: this.config(), logger: this.logger }));
    if (!this.costService) {
      this.costService = buildCost({
        config: this.config(),
        logger: this.logger,
        oldStorageDir: this.context.globalStorageUri.fsPath,
        onAlert: (alert) => {
          this.logger.warn('budget.alert', { scope: alert.scope, period: alert.period, threshold: alert.threshold, spent: alert.spent, limit: alert.limit });
          this.alerts.fire(alert);
        },
      });
    }
    return this.costService;
  }

  /**
   * The machine-wide reliability guard (quotas, retries, breakers, provider status), built on
   * first use and kept across router rebuilds; new settings are pushed into it.
   */
  reliability(): SwitchyardProviderGuard {
    return (this.providerGuard ??= buildProviderGuard({ config: this.config(), logger: this.logger }));
  }

  builtReliability(): SwitchyardProviderGuard | undefined {
    return this.providerGuard;
  }

  workspaceMode(): WorkspaceOverrides {
    const stored = this.context.workspaceState.get<WorkspaceOverrides>(MODE_STATE_KEY);
    return stored && typeof stored === 'object' ? stored : {};
  }

  async setWorkspaceMode(mode: Mode | undefined, pinned?: string): Promise<void> {
    await this.context.workspaceState.update(MODE_STATE_KEY, mode === undefined ? undefined : { mode, pinned: mode === 'pinned' ? pinned : undefined });
    this.logger.info('mode.changed', { mode, pinned });
    this.invalidate('mode');
  }

  demo(): DemoEndpoints | undefined {
    return this.demoEndpoints;
  }

  setDemo(endpoints: DemoEndpoints | undefined): void {
    this.demoEndpoints = endpoints;
    this.demoCostService?.dispose();
    this.demoCostService = undefined;
    this.logger.info('demo.mode', { on: endpoints !== undefined });
    this.invalidate('demo');
  }

  dispose(): void {
    void this.router?.then((router) => router.dispose()).catch(() => undefined);
    this.costService?.dispose();
    this.demoCostService?.dispose();
    this.providerGuard?.close();
    for (const d of this.disposables) d.dispose();
  }

  private read(): { config: SwitchyardConfig; problems: ConfigProblem[]; localOnly?: BindingLocalOnly } {
    if (this.cached) return this.cached;
    if (this.demoEndpoints) {
      const { parseConfig } = require('../../core/config') as typeof import('../../core/config');
      this.cached = parseConfig(demoRawConfig(this.demoEndpoints));
      return this.cached;
    }
    const section = vscode.workspace.getConfiguration('switchyard');
    this.declared ??= declaredSettings(this.context.extension.packageJSON);
    const { raw, ignored, localOnly } = readRawSettings({ inspect: (key) => section.inspect(key) }, this.declared, this.workspaceMode(), { trusted: vscode.workspace.isTrusted });
    // Required here, not imported: building the settings schema waits for the first read,
    // after activation (issue 3: activation < 50 ms).
    const { parseConfig } = require('../../core/config') as typeof import('../../core/config');
    const parsed = parseConfig(withEditorProxy(raw));
    this.cached = { ...parsed, localOnly };
    if (localOnly) this.logger.info('settings.local_only', { because: localOnly.because, reasons: localOnly.reasons });
    for (const entry of ignored) {
      // Said once per read, in the log: the user did not do anything wrong, a workspace tried.
      this.logger.warn('settings.ignored', { setting: `switchyard.${entry.key}`, reason: entry.reason });
    }
    this.reportProblems(parsed.problems);
    return this.cached;
  }

  private reportProblems(problems: ConfigProblem[]): void {
    const signature = JSON.stringify(problems);
    if (signature === this.lastReportedProblems) return;
    this.lastReportedProblems = signature;
    if (problems.length === 0) return;
    for (const p of problems) this.logger.warn('settings.problem', { setting: `switchyard.${p.path}`, problem: p.message, effect: p.effect });
    const closed = problems.find((p) => p.effect === 'fail_closed');
    if (closed) {
      // A cap, endpoint or mode the core cannot read: cloud calls stay refused until it is fixed.
      const openSetting = vscode.l10n.t('Open Setting');
      const setting = closed.path ? `switchyard.${closed.path}` : 'switchyard';
      void vscode.window
        .showErrorMessage(
          vscode.l10n.t('Switchyard refuses cloud calls in this workspace until the setting {0} is fixed ({1}): its default could allow more than you meant. Local models still answer.', setting, closed.message),
          openSetting,
        )
        .then((choice) => {
          if (choice === openSetting) void vscode.commands.executeCommand('switchyard.openSettings', setting);
        });
      return;
    }
    const first = problems[0]!;
    const open = vscode.l10n.t('Open Settings');
    void vscode.window
      .showWarningMessage(
        vscode.l10n.t(
          'Switchyard ignored {0} invalid setting(s) and used the defaults instead. First: switchyard.{1}: {2}',
          problems.length,
          first.path,
          first.message,
        ),
        open,
      )
      .then((choice) => {
        if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', `switchyard.${first.path}`);
      });
  }

  private invalidate(why: 'settings' | 'keys' | 'mode' | 'models' | 'trust' | 'demo'): void {
    this.cached = undefined;
    const old = this.router;
    this.router = undefined;
    // In-flight streams keep their own reference; dispose only frees what the router holds.
    void old?.then((router) => router.dispose()).catch(() => undefined);
    if ((why === 'settings' || why === 'trust') && this.costService && !this.demoEndpoints) this.costService.updateConfig(this.config());
    if (why === 'settings') this.providerGuard?.reliability.updateSettings(this.config().reliability);
    this.logger.info('services.rebuild', { why });
    this.changed.fire();
  }
}

/** Policy "ask": a notification with the reasons; dismissing it keeps the local answer. */
async function confirmEscalation(reasons: SignalResult[], next: Candidate): Promise<boolean> {
  const why = reasons.filter((r) => r.fired).map((r) => (r.reason ? reasonText(r.reason, vscode.l10n.t) : r.explanation)).join(vscode.l10n.t('; '));
  const yes = vscode.l10n.t('Escalate');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('The local answer looks uncertain ({0}). Ask {1}?', why || vscode.l10n.t('no reason given'), `${next.ref.provider}/${next.ref.model}`),
    yes,
    vscode.l10n.t('Keep Local Answer'),
  );
  return choice === yes;
}

/**
 * A stable id for the budget of this window: a hash of the workspace folder URIs (order-free),
 * so renaming nothing and reopening the same folders spends from the same budget.
 */
export function workspaceIdOf(folders: readonly vscode.WorkspaceFolder[] | undefined): string {
  if (!folders || folders.length === 0) return 'no-workspace';
  const uris = folders.map((f) => f.uri.toString()).sort();
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(uris.join('\n')).digest('hex').slice(0, 16);
}

/**
 * Without a Switchyard proxy setting, cloud requests follow VS Code's own `http.proxy` /
 * `http.noProxy` — but only the user-level values: a workspace must not be able to route
 * requests (and the keys in them) through a proxy of its choosing.
 */
function withEditorProxy(raw: Record<string, unknown>): Record<string, unknown> {
  const network = (raw.network && typeof raw.network === 'object' ? raw.network : {}) as Record<string, unknown>;
  if (typeof network.proxy === 'string' && network.proxy) return raw;
  const http = vscode.workspace.getConfiguration('http');
  const proxy = http.inspect<string>('proxy')?.globalValue;
  if (!proxy) return raw;
  const noProxy = http.inspect<string[]>('noProxy')?.globalValue ?? [];
  const existing = Array.isArray(network.noProxy) ? (network.noProxy as unknown[]) : [];
  return { ...raw, network: { ...network, proxy, noProxy: [...existing, ...noProxy] } };
}

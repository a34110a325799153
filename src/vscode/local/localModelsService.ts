/**
 * The local sidecar inside VS Code: one LocalSidecar per activation, built on first need from
 * the effective settings and rebuilt only when the local part of them changes. It relays the
 * sidecar's state as a VS Code event for the status bar and the panel, and starts Ollama in the
 * background a little after activation, never during it.
 *
 *   const local = getServices(context).local();   // app/services.ts owns the one instance
 *   local.onDidChangeState(snapshot => …)      // status bar tooltip, panel
 *   local.snapshot()                            // undefined until the sidecar exists
 *   local.sidecar()                             // the core LocalSidecar (router: ensureAvailable)
 */
import * as vscode from 'vscode';
import type { LocalSidecar } from '../../core/local/localSidecar';
import type { SidecarSnapshot } from '../../core/local/sidecarState';
import type { SwitchyardConfig } from '../../core/config';
import type { KeyStore, Logger } from '../../core/types';

/**
 * What the service needs from the app (app/services.ts implements it): given, not imported, so
 * that local/ does not depend on app/ (they imported each other before issue 17).
 */
export interface LocalSidecarHost {
  config(): SwitchyardConfig;
  readonly logger: Logger;
  readonly keys: KeyStore;
  /** Fires after settings, keys or the workspace mode changed. */
  readonly onDidChange: vscode.Event<void>;
}
import { buildLocalSidecar } from '../app/coreFactory';

/**
 * Background start after activation: late enough that VS Code's own start-up work comes first,
 * soon enough that Ollama is up before the user's first request.
 */
const BACKGROUND_START_DELAY_MS = 3_000;

// The core local modules are required on first need, not imported: the bundler then
// initialises them after activation, not when the extension loads (issue 3: activation < 50 ms).

export class LocalSidecarService implements vscode.Disposable {
  private current: { key: string; sidecar: LocalSidecar; subscription: { dispose(): void } } | undefined;
  private readonly emitter = new vscode.EventEmitter<SidecarSnapshot>();
  readonly onDidChangeState = this.emitter.event;
  private readonly modelsEmitter = new vscode.EventEmitter<void>();
  /** After a pull or delete (the router drops its cached model lists). */
  readonly onDidChangeModels = this.modelsEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private startTimer: NodeJS.Timeout | undefined;

  constructor(private readonly host: LocalSidecarHost) {
    this.disposables.push(
      this.emitter,
      this.modelsEmitter,
      // Settings changed: rebuild only if the local part did, so a budget edit never restarts Ollama.
      this.host.onDidChange(() => {
        if (this.current && this.current.key !== this.configKey()) {
          void this.sidecar().start();
        }
      }),
    );
  }

  /** The sidecar for the current settings (created on first call; nothing is probed yet). */
  sidecar(): LocalSidecar {
    const key = this.configKey();
    if (this.current?.key === key) return this.current.sidecar;
    const old = this.current;
    const sidecar = buildLocalSidecar({ config: this.host.config(), logger: this.host.logger, keys: this.host.keys });
    const subscriptions = [sidecar.onDidChangeState((s) => this.emitter.fire(s)), sidecar.onDidChangeModels(() => this.modelsEmitter.fire())];
    this.current = { key, sidecar, subscription: { dispose: () => subscriptions.forEach((d) => d.dispose()) } };
    if (old) {
      old.subscription.dispose();
      // Stops the old Ollama only if Switchyard started it.
      void old.sidecar.dispose();
    }
    this.emitter.fire(sidecar.snapshot());
    return sidecar;
  }

  snapshot(): SidecarSnapshot | undefined {
    return this.current?.sidecar.snapshot();
  }

  /** Starts Ollama (if installed and managed) and probes local endpoints, off the activation path. */
  startInBackground(delayMs = BACKGROUND_START_DELAY_MS): void {
    clearTimeout(this.startTimer);
    this.startTimer = setTimeout(() => {
      void this.sidecar()
        .start()
        .catch((err: unknown) => this.host.logger.warn('local.start_failed', { error: String(err) }));
    }, delayMs);
  }

  dispose(): void {
    clearTimeout(this.startTimer);
    this.current?.subscription.dispose();
    // SIGTERM goes out synchronously inside dispose(); a user's own Ollama is never touched.
    void this.current?.sidecar.dispose();
    this.current = undefined;
    for (const d of this.disposables) d.dispose();
  }

  private configKey(): string {
    const config = this.host.config();
    const { localEndpointsOf } = require('../../core/local/localEndpoints') as typeof import('../../core/local/localEndpoints');
    const ollamaProvider = Object.entries(config.providers).find(([, p]) => p.kind === 'ollama');
    return JSON.stringify({ local: config.local, endpoints: localEndpointsOf(config.providers), ollamaProvider });
  }
}

/**
 * A short status text and a tooltip for the status bar and the panel (H6 renders them):
 * "Ollama ready", "Ollama starting…", "Ollama missing" and one tooltip line per local endpoint.
 */
export function describeLocalState(snapshot: SidecarSnapshot): { text: string; tooltip: string; healthy: boolean } {
  const o = snapshot.ollama;
  const statusText: Record<typeof o.status, string> = {
    unknown: vscode.l10n.t('not checked yet'),
    starting: vscode.l10n.t('starting…'),
    ready: vscode.l10n.t('ready'),
    loading: vscode.l10n.t('loading {0}…', o.loadingModel ?? ''),
    down: vscode.l10n.t('down'),
    missing: vscode.l10n.t('not installed'),
  };
  const lines = [vscode.l10n.t('Ollama: {0}', statusText[o.status])];
  if (o.version) lines.push(vscode.l10n.t('Version {0} at {1}', o.version, o.baseUrl));
  if (o.status === 'ready' || o.status === 'loading') lines.push(o.owned ? vscode.l10n.t('Started by Switchyard (stopped when VS Code closes)') : vscode.l10n.t('Started outside Switchyard (left running)'));
  if (o.reason) lines.push(o.reason);
  if (o.installUrl) lines.push(vscode.l10n.t('Install Ollama: {0}', o.installUrl));
  for (const ep of snapshot.endpoints) {
    const s = ep.status === 'ready' ? vscode.l10n.t('ready') : ep.status === 'down' ? vscode.l10n.t('down') : vscode.l10n.t('not checked yet');
    // The core says a key would fix it; here that is the Set API Key command.
    const fix = ep.fix?.action === 'set_key' ? ` ${vscode.l10n.t('Set its key with "Switchyard: Set API Key…".')}` : '';
    lines.push(`${ep.providerId}: ${s}${ep.reason ? ` (${ep.reason})` : ''}${fix}`);
  }
  const healthy = o.status === 'ready' || o.status === 'loading' || snapshot.endpoints.some((e) => e.status === 'ready');
  return { text: vscode.l10n.t('Ollama {0}', statusText[o.status]), tooltip: lines.join('\n'), healthy };
}

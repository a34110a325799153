/**
 * "Start Local API Server", "Stop Local API Server", "Copy Base URL and Token", "Rotate API
 * Server Token" and the status bar item shown while the server runs (click: copy, stop, docs).
 * The server is its own process (gatewayProcess.ts) on the port of `switchyard.gateway.port`;
 * it spends from the machine's one ledger under the "gateway" budget, like `switchyard serve`.
 * The token is the machine's one (<stateDir>/gateway/token, shared with `switchyard serve`): it
 * is read here only to put it on the clipboard, and never logged.
 */
import * as vscode from 'vscode';
import type { Services } from '../app/services';
import type { RelayedKey } from '../../gateway/hostProtocol';
import { connectionText } from './connectionText';
import { GatewayProcess } from './gatewayProcess';

/** Loopback only: VS Code's server is for this machine's tools (a LAN needs `switchyard serve --host`). */
const HOST = '127.0.0.1';
/** The budget the server's requests spend from (GATEWAY_DEFAULTS.workspaceId: the same as `switchyard serve`). */
const WORKSPACE_ID = 'gateway';
const PORT_SETTING = 'switchyard.gateway.port';

export interface GatewayHandle extends vscode.Disposable {
  readonly statusBarItem: vscode.StatusBarItem;
  /** The running server's base URL (no /v1), or undefined. */
  url(): string | undefined;
  /** The last start failure as shown to the user (tests), or undefined. */
  lastError(): string | undefined;
  /** Stops the server if it runs; resolves once its process has exited (deactivate awaits it). */
  stop(): Promise<void>;
}

function gatewayModules() {
  return {
    token: require('../../gateway/token') as typeof import('../../gateway/token'),
  };
}

export function registerGateway(context: vscode.ExtensionContext, services: Services): GatewayHandle {
  const item = vscode.window.createStatusBarItem('switchyard.gateway', vscode.StatusBarAlignment.Right, 99);
  item.name = vscode.l10n.t('Switchyard Local API Server');
  item.command = 'switchyard.gateway.menu';
  let running: GatewayProcess | undefined;
  let starting: Promise<string | undefined> | undefined;
  let lastError: string | undefined;

  const show = () => {
    if (!running) return item.hide();
    item.text = `$(radio-tower) API :${running.port}`;
    item.tooltip = vscode.l10n.t('Switchyard Local API Server at {0}. Click for its base URL and token, or to stop it.', running.url);
    item.show();
  };

  /** The extension's stored keys, each with the origin it was stored for (never logged). */
  const relayedKeys = async (): Promise<RelayedKey[]> => {
    const keys: RelayedKey[] = [];
    for (const ref of services.keys.list()) {
      const key = await services.keys.getKey(ref.provider, ref.origin);
      if (key) keys.push({ provider: ref.provider, origin: ref.origin, key });
    }
    return keys;
  };

  const start = (): Promise<string | undefined> => {
    if (running) return Promise.resolve(running.url);
    starting ??= (async () => {
      if (!gatewayInstalled(context.extensionPath)) {
        // The VSIX leaves the HTTP server out (server-only dependencies, .vscodeignore): say where to get it.
        const docs = vscode.l10n.t('Open the Local API Server documentation');
        lastError = vscode.l10n.t(
          'This installation has no Local API Server: the extension package leaves the HTTP server out. Run "switchyard serve" from a Switchyard checkout (npm start builds it); it shares this machine\'s budget, quotas and token.',
        );
        void vscode.window.showErrorMessage(lastError, docs).then((choice) => {
          if (choice === docs) void vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(context.extensionUri, 'README.md'));
        });
        return undefined;
      }
      const port = services.config().gateway.port;
      const { process: child, result } = await GatewayProcess.start({
        extensionPath: context.extensionPath,
        logger: services.logger,
        onExit: () => {
          if (running === child) running = undefined;
          show();
        },
        start: {
          type: 'start',
          config: services.config(),
          ...(services.localOnly() ? { localOnly: services.localOnly() } : {}),
          keys: await relayedKeys(),
          host: HOST,
          port,
          workspaceId: WORKSPACE_ID,
          locale: vscode.env.language.toLowerCase().startsWith('zh') ? 'zh-cn' : 'en',
        },
      });
      if (!result.ok) {
        services.logger.warn('gateway.start_failed', { reason: result.reason, port: result.port, message: result.message });
        const openSettings = vscode.l10n.t('Open Settings');
        const text =
          result.reason === 'portInUse'
            ? vscode.l10n.t('Port {0} is already in use, so the Local API Server cannot start. Choose another port in the setting {1}.', result.port, PORT_SETTING)
            : vscode.l10n.t('The Local API Server could not start: {0}', result.message);
        lastError = text;
        void vscode.window.showErrorMessage(text, openSettings).then((choice) => {
          if (choice === openSettings) void vscode.commands.executeCommand('workbench.action.openSettings', PORT_SETTING);
        });
        return undefined;
      }
      running = child;
      lastError = undefined;
      services.logger.info('gateway.started', { url: result.url });
      show();
      return result.url;
    })().finally(() => (starting = undefined));
    return starting;
  };

  const stop = async (): Promise<void> => {
    await starting?.catch(() => undefined);
    const child = running;
    if (!child) return;
    running = undefined;
    show();
    await child.stop();
    services.logger.info('gateway.stopped', { port: child.port });
  };

  /** Puts the base URL and the token on the clipboard; returns the base URL (tests), never the token. */
  const copy = async (): Promise<string | undefined> => {
    const url = running?.url ?? (await start());
    if (!url || !running) return undefined;
    const token = await gatewayModules().token.loadOrCreateToken(running.tokenFile);
    await vscode.env.clipboard.writeText(connectionText(url, token));
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied the base URL ({0}/v1) and the token of the Local API Server.', url));
    return url;
  };

  const rotate = async (): Promise<void> => {
    const { token } = gatewayModules();
    // A running server watches the file and refuses the old token at once (src/gateway/tokenWatch.ts).
    await token.rotateToken(running?.tokenFile ?? token.tokenPath(process.env));
    void vscode.window.showInformationMessage(vscode.l10n.t('The Local API Server has a new token; the old one no longer works. Copy the new one with "Copy Base URL and Token".'));
  };

  const menu = async (): Promise<void> => {
    const items = [
      { label: `$(copy) ${vscode.l10n.t('Copy Base URL and Token')}`, run: copy },
      { label: `$(debug-stop) ${vscode.l10n.t('Stop Local API Server')}`, run: stop },
      { label: `$(book) ${vscode.l10n.t('Open the Local API Server documentation')}`, run: () => vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.joinPath(context.extensionUri, 'README.md')) },
    ];
    const picked = await vscode.window.showQuickPick(items, { placeHolder: running ? running.url : vscode.l10n.t('The Local API Server is not running') });
    await picked?.run();
  };

  const disposables: vscode.Disposable[] = [
    item,
    vscode.commands.registerCommand('switchyard.gateway.start', start),
    vscode.commands.registerCommand('switchyard.gateway.stop', stop),
    vscode.commands.registerCommand('switchyard.gateway.copy', copy),
    vscode.commands.registerCommand('switchyard.gateway.rotateToken', rotate),
    vscode.commands.registerCommand('switchyard.gateway.menu', menu),
    // A key stored or removed while the server runs applies at once (the whole set is sent again).
    services.keys.onDidChange(() => {
      const child = running;
      if (child) void relayedKeys().then((keys) => child.sendKeys(keys));
    }),
  ];

  return {
    statusBarItem: item,
    url: () => running?.url,
    lastError: () => lastError,
    stop,
    dispose: () => {
      void stop();
      for (const d of disposables) d.dispose();
    },
  };
}

/** dist/gateway.js is built in a checkout (`npm start`, the tests) and not shipped in the VSIX. */
function gatewayInstalled(extensionPath: string): boolean {
  const { existsSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  return existsSync(join(extensionPath, 'dist', 'gateway.js'));
}

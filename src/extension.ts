/**
 * Entry point of the extension host side. Activation stays cheap: it registers commands and
 * the status bar item and nothing else; providers, the ledger and the router are built lazily
 * on the first request (see src/vscode/).
 */
import * as vscode from 'vscode';
import { SwitchyardPanel } from './vscode/panel';
import { createStatusBar } from './vscode/statusBar';

/** What activate() returns: lets the extension-host tests see UI pieces that VS Code's API cannot list. */
export interface SwitchyardExtensionApi {
  readonly statusBarItem: vscode.StatusBarItem;
}

export function activate(context: vscode.ExtensionContext): SwitchyardExtensionApi {
  const statusBarItem = createStatusBar();
  context.subscriptions.push(
    vscode.commands.registerCommand('switchyard.openPanel', () => SwitchyardPanel.show(context)),
    statusBarItem,
  );
  return { statusBarItem };
}

export function deactivate(): void {}

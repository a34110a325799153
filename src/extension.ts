/**
 * Entry point of the extension host side. Activation stays cheap: it registers commands and
 * the status bar item and nothing else; providers, the ledger and the router are built lazily
 * on the first request (see src/vscode/).
 */
import * as vscode from 'vscode';
import { SwitchyardPanel } from './vscode/panel';
import { createStatusBar } from './vscode/statusBar';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('switchyard.openPanel', () => SwitchyardPanel.show(context)),
    createStatusBar(),
  );
}

export function deactivate(): void {}

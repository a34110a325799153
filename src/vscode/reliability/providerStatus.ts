/**
 * Show Provider Status: the machine's provider status (the reliability guard's statusSnapshot
 * over the shared state every window, the CLI and the gateway write) as a read-only Markdown
 * document opened in the preview, like the usage report. The rendering is pure
 * (`renderProviderStatus`); the command gathers the snapshot and opens it.
 */
import * as vscode from 'vscode';
import type { Services } from '../app/services';
import { renderProviderStatus } from './statusReport';

export async function showProviderStatus(services: Services): Promise<vscode.TextDocument> {
  const config = services.config();
  const snapshot = services.reliability().reliability.statusSnapshot();
  const primary = config.mode === 'pinned' && config.pinned ? config.pinned : undefined;
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: renderProviderStatus(snapshot, vscode.l10n.t, primary) });
  await vscode.window.showTextDocument(doc, { preview: true });
  void vscode.commands.executeCommand('markdown.showPreview', doc.uri).then(undefined, () => undefined);
  return doc;
}

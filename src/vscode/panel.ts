import * as vscode from 'vscode';
import { webviewHtml } from './webviewHtml';

/** The single Switchyard panel; reopening it reveals the existing one. */
export class SwitchyardPanel {
  private static current: SwitchyardPanel | undefined;

  static show(context: vscode.ExtensionContext): SwitchyardPanel {
    if (SwitchyardPanel.current) {
      SwitchyardPanel.current.panel.reveal();
      return SwitchyardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel('switchyard.panel', 'Switchyard', vscode.ViewColumn.Beside, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
    });
    SwitchyardPanel.current = new SwitchyardPanel(panel, context);
    return SwitchyardPanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
  ) {
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri);
    panel.onDidDispose(() => (SwitchyardPanel.current = undefined));
  }
}

import * as vscode from 'vscode';

/** The status bar item: current mode and today's spend. Clicking it opens the switcher. */
export function createStatusBar(): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('switchyard.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Switchyard';
  item.text = '$(arrow-swap) ' + vscode.l10n.t('Auto');
  item.tooltip = vscode.l10n.t('Switchyard: open the panel');
  item.command = 'switchyard.openPanel';
  item.show();
  return item;
}

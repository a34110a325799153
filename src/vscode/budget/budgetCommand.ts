/**
 * Set Budget: the workspace's daily/monthly caps (written to the workspace settings, so they
 * travel with the project and can only be lower than the user's caps) or the user's global caps.
 */
import * as vscode from 'vscode';
import type { Services } from '../app/services';

interface BudgetItem extends vscode.QuickPickItem {
  key: 'budget.dailyLimit' | 'budget.monthlyLimit' | 'budget.globalDailyLimit' | 'budget.globalMonthlyLimit';
  target: vscode.ConfigurationTarget;
}

export async function setBudget(services: Services): Promise<{ key: string; value: number | null } | undefined> {
  const config = services.config();
  const b = config.budget;
  const hasWorkspace = !!vscode.workspace.workspaceFolders?.length;
  const show = (v: number | undefined) => (v === undefined ? vscode.l10n.t('not set (the user cap applies)') : `${v} ${b.currency}`);
  const items: BudgetItem[] = [];
  if (hasWorkspace) {
    items.push(
      { label: vscode.l10n.t('Daily limit for this workspace'), description: show(b.dailyLimit), key: 'budget.dailyLimit', target: vscode.ConfigurationTarget.Workspace },
      { label: vscode.l10n.t('Monthly limit for this workspace'), description: show(b.monthlyLimit), key: 'budget.monthlyLimit', target: vscode.ConfigurationTarget.Workspace },
    );
  }
  items.push(
    { label: vscode.l10n.t('Daily cap for all workspaces'), description: `${b.globalDailyLimit} ${b.currency}`, key: 'budget.globalDailyLimit', target: vscode.ConfigurationTarget.Global },
    { label: vscode.l10n.t('Monthly cap for all workspaces'), description: `${b.globalMonthlyLimit} ${b.currency}`, key: 'budget.globalMonthlyLimit', target: vscode.ConfigurationTarget.Global },
  );
  const choice = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Switchyard: Set Budget'), placeHolder: vscode.l10n.t('Which limit?') });
  if (!choice) return undefined;
  const isWorkspaceLimit = choice.target === vscode.ConfigurationTarget.Workspace;
  const cap = choice.key === 'budget.dailyLimit' ? b.globalDailyLimit : b.globalMonthlyLimit;
  const input = await vscode.window.showInputBox({
    title: choice.label,
    prompt: isWorkspaceLimit
      ? vscode.l10n.t('Amount in {0}, at most your cap of {1}. 0 allows no cloud spending; empty removes the workspace limit.', b.currency, cap)
      : vscode.l10n.t('Amount in {0}. 0 allows no cloud spending.', b.currency),
    value: '',
    validateInput: (text) => {
      if (text.trim() === '' && isWorkspaceLimit) return undefined;
      const n = Number(text.trim());
      if (!Number.isFinite(n) || n < 0) return vscode.l10n.t('Enter a number of 0 or more.');
      if (isWorkspaceLimit && n > cap) return vscode.l10n.t('Above your cap of {0} {1}: raise the cap for all workspaces first.', cap, b.currency);
      return undefined;
    },
  });
  if (input === undefined) return undefined;
  const value = input.trim() === '' ? null : Number(input.trim());
  await vscode.workspace.getConfiguration('switchyard').update(choice.key, value ?? undefined, choice.target);
  services.logger.info('budget.set', { setting: `switchyard.${choice.key}`, value });
  return { key: choice.key, value };
}

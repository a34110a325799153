/**
 * Budget alerts from the ledger (50 / 80 / 100 % of a cap by default) as notifications with the
 * buttons that act on them.
 */
import * as vscode from 'vscode';
import type { Services } from '../app/services';

/**
 * The workspace and the global cap often cross the same threshold with the same request (one
 * workspace open): one notification per period and threshold within this window is enough.
 */
const DUPLICATE_WINDOW_MS = 10_000;

export function showBudgetAlerts(services: Services): vscode.Disposable {
  const shown = new Map<string, number>();
  return services.onBudgetAlert(async (alert) => {
    const key = `${alert.period}:${alert.threshold}`;
    const now = Date.now();
    if (now - (shown.get(key) ?? 0) < DUPLICATE_WINDOW_MS) return;
    shown.set(key, now);
    const usage = vscode.l10n.t('Show Usage Report');
    const budget = vscode.l10n.t('Set Budget');
    const percent = Math.round(alert.threshold * 100);
    const scope = alert.scope === 'workspace' ? vscode.l10n.t('this workspace') : vscode.l10n.t('all workspaces');
    const period = alert.period === 'day' ? vscode.l10n.t('daily') : vscode.l10n.t('monthly');
    const text = vscode.l10n.t('Switchyard: {0}% of the {1} budget of {2} used ({3} of {4} {5}).', percent, period, scope, alert.spent.toFixed(4), alert.limit.toFixed(2), alert.currency);
    const show = alert.threshold >= 1 ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    const choice = await show(text, usage, budget);
    if (choice === usage) await vscode.commands.executeCommand('switchyard.showUsage');
    else if (choice === budget) await vscode.commands.executeCommand('switchyard.setBudget');
  });
}

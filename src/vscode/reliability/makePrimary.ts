/**
 * "Switchyard: Make Provider Primary…": a quick pick of the configured providers (the current
 * primary marked, plus "No primary"), saved in the shared state directory (src/core/router/
 * primary.ts) so every window, the CLI and the gateway try it first from their next request.
 */
import * as vscode from 'vscode';
import type { Services } from '../app/services';
import { allProviders } from '../app/endpoints';

type Pick = vscode.QuickPickItem & { provider?: string };

/** `providerId` skips the pick (tests, keybindings); "" clears the primary. Resolves with what was set. */
export async function makeProviderPrimary(services: Services, providerId?: string): Promise<{ primary: string | undefined } | undefined> {
  // On first use: the store is part of the lazy core (dist/core.js), not of the activation path.
  const store = (require('../../core/assemble') as typeof import('../../core/assemble')).openPrimaryStore();
  const current = store.get();
  let chosen = providerId;
  if (chosen === undefined) {
    const ids = Object.entries(allProviders(services.config())).filter(([, p]) => p.enabled).map(([id]) => id);
    const items: Pick[] = [
      ...ids.map((id): Pick => ({ label: id, provider: id, ...(id === current ? { description: vscode.l10n.t('current primary') } : {}) })),
      { label: vscode.l10n.t('No primary (the routing order decides)'), provider: '' },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Switchyard: Make Provider Primary'), placeHolder: vscode.l10n.t('Which provider should every window try first?') });
    if (!pick) return undefined;
    chosen = pick.provider ?? '';
  }
  store.set(chosen || undefined);
  services.logger.info('routing.primary', { primary: chosen || null, was: current ?? null });
  void vscode.window.showInformationMessage(chosen ? vscode.l10n.t('{0} is now the primary provider: every window and the CLI try it first.', chosen) : vscode.l10n.t('No primary provider: the routing order decides.'));
  return { primary: chosen || undefined };
}

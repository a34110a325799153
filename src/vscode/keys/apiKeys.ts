/**
 * Set / Remove API Key: pick a provider, type the key into a password box, store it in
 * SecretStorage bound to the provider's endpoint origin (see keyStore.ts). The endpoint shown to
 * the user is the one the key will be sent to, so "which host gets my key" is never a surprise.
 */
import * as vscode from 'vscode';
import type { Services } from '../app/services';
import { allProviders, endpointOf } from '../app/endpoints';

interface ProviderItem extends vscode.QuickPickItem {
  provider: string;
  origin?: string;
}

/** Resolves with the (provider, origin) stored, or undefined when the user cancelled. */
export async function setApiKey(services: Services, providerId?: string): Promise<{ provider: string; origin: string } | undefined> {
  const config = services.config();
  const items: ProviderItem[] = [];
  for (const [id, provider] of Object.entries(endpointsOf(config))) {
    if (provider.locality === 'local') continue;
    const stored = provider.origin ? services.keys.list().some((k) => k.provider === id && k.origin === provider.origin) : false;
    items.push({
      label: id,
      description: provider.origin ?? vscode.l10n.t('no endpoint configured'),
      detail: stored ? vscode.l10n.t('A key is stored; entering a new one replaces it.') : undefined,
      provider: id,
      origin: provider.origin,
    });
  }
  const choice = providerId
    ? items.find((i) => i.provider === providerId)
    : await vscode.window.showQuickPick(items, {
        title: vscode.l10n.t('Switchyard: Set API Key'),
        placeHolder: vscode.l10n.t('Which provider is the key for?'),
      });
  if (!choice) return undefined;
  if (!choice.origin) {
    void vscode.window.showErrorMessage(vscode.l10n.t('{0} has no endpoint. Set its baseUrl or region in switchyard.providers first.', choice.provider));
    return undefined;
  }
  const key = await vscode.window.showInputBox({
    title: vscode.l10n.t('API key for {0}', choice.provider),
    prompt: vscode.l10n.t('Stored in the OS keychain and sent only to {0}.', choice.origin),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('Paste the key, or press Escape to cancel.')),
  });
  if (!key) return undefined;
  await services.keys.setKey(choice.provider, choice.origin, key);
  services.logger.info('key.stored', { provider: choice.provider, origin: choice.origin });
  // A new key lifts the "needs key" and "out of credit" marks and the breaker, machine-wide.
  services.reliability().reliability.resetProvider(choice.provider);
  void vscode.window.showInformationMessage(vscode.l10n.t('Key for {0} stored. It is sent only to {1}.', choice.provider, choice.origin));
  return { provider: choice.provider, origin: choice.origin };
}

export async function removeApiKey(services: Services): Promise<{ provider: string; origin: string } | undefined> {
  const stored = services.keys.list();
  if (stored.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No API keys are stored.'));
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(
    stored.map((k) => ({ label: k.provider, description: k.origin, provider: k.provider, origin: k.origin })),
    { title: vscode.l10n.t('Switchyard: Remove API Key'), placeHolder: vscode.l10n.t('Which key should be removed?') },
  );
  if (!choice) return undefined;
  await services.keys.removeKey(choice.provider, choice.origin);
  services.logger.info('key.removed', { provider: choice.provider, origin: choice.origin });
  // What was learned with the old key no longer applies to the next one.
  services.reliability().reliability.resetProvider(choice.provider);
  void vscode.window.showInformationMessage(vscode.l10n.t('Key for {0} at {1} removed.', choice.provider, choice.origin));
  return { provider: choice.provider, origin: choice.origin };
}

/** Each configured provider's endpoint origin (undefined when it cannot be resolved) and locality. */
function endpointsOf(config: ReturnType<Services['config']>): Record<string, { origin?: string; locality?: 'local' | 'cloud' }> {
  const out: Record<string, { origin?: string; locality?: 'local' | 'cloud' }> = {};
  for (const [id, provider] of Object.entries(allProviders(config))) {
    if (!provider.enabled) continue;
    const endpoint = endpointOf(id, provider, config.network.trustedLocalHosts);
    let origin: string | undefined;
    try {
      origin = endpoint.baseUrl ? (require('../../core/net/keyOrigin') as typeof import('../../core/net/keyOrigin')).originOf(endpoint.baseUrl) : undefined;
    } catch {
      origin = undefined;
    }
    out[id] = { origin, locality: endpoint.locality };
  }
  return out;
}

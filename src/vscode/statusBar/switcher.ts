/**
 * The status bar switcher: Auto / Local only / Cloud only / a specific provider or model, stored
 * per workspace (workspaceState, so choosing does not edit the repository's settings file).
 */
import * as vscode from 'vscode';
import type { Mode, ModelInfo } from '../../core/types';
import type { Services } from '../app/services';
import { allProviders } from '../app/endpoints';
import { localOnlyText, modeText } from '../chat/reasonText';

/** Listing models asks every provider; a dead one must not keep the quick pick waiting. */
const LIST_MODELS_TIMEOUT_MS = 3_000;

interface ModeItem extends vscode.QuickPickItem {
  mode?: Mode;
  pinned?: string;
}

export function modeLabel(mode: Mode, pinned?: string): string {
  return mode === 'pinned' && pinned ? pinned : modeText(mode, vscode.l10n.t);
}

/** Shows the switcher; resolves with the choice after storing it, or undefined when dismissed. */
export async function switchMode(services: Services): Promise<{ mode: Mode; pinned?: string } | undefined> {
  const config = services.config();
  const current = config.mode;
  const quickPick = vscode.window.createQuickPick<ModeItem>();
  quickPick.title = vscode.l10n.t('Switchyard: route requests in this workspace to…');
  quickPick.placeholder = vscode.l10n.t('Choose a mode, a provider or a model');
  // Binding Local only: say up front that a choice here cannot reach the cloud (localOnlyPolicy.ts).
  const binding = services.localOnly();
  if (binding) {
    quickPick.placeholder =
      binding.because === 'untrusted_workspace'
        ? localOnlyText({ code: 'untrusted_workspace' }, vscode.l10n.t)
        : vscode.l10n.t('Your user setting switchyard.mode is Local only; a choice here cannot send anything to the cloud.');
  }
  quickPick.matchOnDescription = true;
  const modes: ModeItem[] = [
    { label: `$(arrow-swap) ${modeLabel('auto')}`, description: vscode.l10n.t('local first, cloud when needed'), mode: 'auto' },
    { label: `$(lock) ${modeLabel('local')}`, description: vscode.l10n.t('nothing leaves this machine'), mode: 'local' },
    { label: `$(cloud) ${modeLabel('cloud')}`, description: vscode.l10n.t('skip local models'), mode: 'cloud' },
  ];
  for (const item of modes) if (item.mode === current) item.detail = vscode.l10n.t('current');
  quickPick.items = modes;
  quickPick.busy = true;
  quickPick.show();
  void listItems(services).then((items) => {
    quickPick.items = [...modes, ...items];
    for (const item of quickPick.items) {
      if (current === 'pinned' && item.pinned === config.pinned) item.detail = vscode.l10n.t('current');
    }
    quickPick.busy = false;
  });
  const choice = await new Promise<ModeItem | undefined>((resolve) => {
    quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]));
    quickPick.onDidHide(() => resolve(undefined));
  });
  quickPick.dispose();
  if (!choice || !choice.mode) return undefined;
  await services.setWorkspaceMode(choice.mode, choice.pinned);
  return { mode: choice.mode, pinned: choice.pinned };
}

/** A provider or model for "Retry with…"; resolves with "provider" or "provider/model". */
export async function pickModel(services: Services, title: string): Promise<string | undefined> {
  const items = listItems(services);
  const choice = await vscode.window.showQuickPick<ModeItem>(items, { title, matchOnDescription: true });
  return choice?.pinned;
}

/** Providers (from settings and shipped defaults) and the models they have, grouped by provider. */
async function listItems(services: Services): Promise<ModeItem[]> {
  let models: ModelInfo[] = [];
  try {
    const router = await services.switchyard();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), LIST_MODELS_TIMEOUT_MS);
    try {
      models = await router.listModels(controller.signal);
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    services.logger.warn('switcher.listModels.failed', { error: err instanceof Error ? err.message : String(err) });
  }
  const byProvider = new Map<string, ModelInfo[]>();
  for (const id of Object.keys(allProviders(services.config()))) byProvider.set(id, []);
  for (const m of models) {
    const list = byProvider.get(m.ref.provider) ?? [];
    list.push(m);
    byProvider.set(m.ref.provider, list);
  }
  const items: ModeItem[] = [];
  for (const [provider, list] of byProvider) {
    const local = list[0]?.locality === 'local';
    items.push({ label: provider, kind: vscode.QuickPickItemKind.Separator });
    items.push({
      label: `$(${local ? 'vm' : 'cloud'}) ${provider}`,
      description: vscode.l10n.t('any model of this provider'),
      mode: 'pinned',
      pinned: provider,
    });
    for (const m of list) {
      items.push({
        label: `    ${m.ref.model}`,
        description: [m.parameterSize, m.quantization, local ? vscode.l10n.t('local') : vscode.l10n.t('cloud')].filter(Boolean).join(' · '),
        mode: 'pinned',
        pinned: `${m.ref.provider}/${m.ref.model}`,
      });
    }
  }
  return items;
}

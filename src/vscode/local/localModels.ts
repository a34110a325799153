/**
 * "Switchyard: Manage Local Models": a quick pick of the installed Ollama models (with task,
 * size, details and whether they are loaded) and the models recommended for this machine, with
 * the actions pull (cancellable progress notification: percent, MB/s, ETA), delete and warm up.
 *
 * Also callable with arguments, for keybindings, the panel and tests:
 *   executeCommand('switchyard.manageLocalModels', { action: 'pull' | 'delete' | 'warmUp', model })
 * An explicit call does not ask for confirmation: the caller already decided.
 */
import * as vscode from 'vscode';
import { CATALOGUE, type Recommendation } from '../../core/local/catalogue';
import type { InstalledModel } from '../../core/local/inventory';
import type { LocalSidecar } from '../../core/local/localSidecar';
import { formatBytes } from '../../core/local/memory';
import type { PsModel } from '../../core/local/ollamaAdmin';
import { formatDuration, type PullSnapshot } from '../../core/local/pullProgress';
import type { ResidencyPlan } from '../../core/local/residency';
import { SwitchyardError } from '../../core/types';
import { getServices } from '../app/services';

export const MANAGE_LOCAL_MODELS_COMMAND = 'switchyard.manageLocalModels';
/** Progress notifications re-render on every report; four a second is smooth and cheap. */
const PROGRESS_REPORT_INTERVAL_MS = 250;
/** Ollama model names: registry/namespace/name:tag, letters, digits, ".", "_", "-". */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._\-/]*(:[A-Za-z0-9._-]+)?$/;

export type LocalModelAction = 'pull' | 'delete' | 'warmUp';
export interface LocalModelsArgs {
  action: LocalModelAction;
  model: string;
}

/** Registers the command and starts the sidecar in the background after activation. */
export function registerLocalModels(context: vscode.ExtensionContext): vscode.Disposable {
  getServices(context).local().startInBackground();
  return vscode.commands.registerCommand(MANAGE_LOCAL_MODELS_COMMAND, (args?: LocalModelsArgs) => manageLocalModels(context, args));
}

async function manageLocalModels(context: vscode.ExtensionContext, args?: LocalModelsArgs): Promise<void> {
  const sidecar = getServices(context).local().sidecar();
  if (!(await ensureOllama(context, sidecar))) return;
  if (args) {
    if (!MODEL_NAME.test(args.model ?? '')) throw new Error(`"${args.model}" is not an Ollama model name`);
    await runAction(context, sidecar, args.action, args.model);
    return;
  }
  const picked = await pickModel(sidecar);
  if (!picked) return;
  if (picked.kind === 'other') {
    const model = await vscode.window.showInputBox({
      prompt: vscode.l10n.t('Model to pull from the Ollama library, e.g. qwen2.5-coder:7b'),
      validateInput: (v) => (MODEL_NAME.test(v.trim()) ? undefined : vscode.l10n.t('Not a model name: use name or name:tag')),
    });
    if (model) await runAction(context, sidecar, 'pull', model.trim());
    return;
  }
  if (picked.kind === 'recommended') {
    const pull = vscode.l10n.t('Pull');
    const ok = await vscode.window.showInformationMessage(
      vscode.l10n.t('Download {0} ({1}) from the Ollama library?', picked.model, formatBytes(picked.sizeBytes)),
      { modal: true },
      pull,
    );
    if (ok === pull) await runAction(context, sidecar, 'pull', picked.model);
    return;
  }
  const action = await vscode.window.showQuickPick(
    [
      { label: `$(play) ${vscode.l10n.t('Warm up (load into memory now)')}`, action: 'warmUp' as const },
      { label: `$(trash) ${vscode.l10n.t('Delete…')}`, action: 'delete' as const },
    ],
    { title: picked.model, placeHolder: vscode.l10n.t('What should happen with {0}?', picked.model) },
  );
  if (!action) return;
  if (action.action === 'delete') {
    const del = vscode.l10n.t('Delete');
    const ok = await vscode.window.showWarningMessage(vscode.l10n.t('Delete {0} from Ollama? It frees {1}.', picked.model, formatBytes(picked.sizeBytes)), { modal: true }, del);
    if (ok !== del) return;
  }
  await runAction(context, sidecar, action.action, picked.model);
}

/** Brings Ollama up (with a progress notification), or explains why it cannot. */
async function ensureOllama(context: vscode.ExtensionContext, sidecar: LocalSidecar): Promise<boolean> {
  const state = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Connecting to Ollama…') },
    () => sidecar.ollama.ensureRunning(),
  );
  if (state.status === 'ready' || state.status === 'loading') return true;
  if (state.status === 'missing') {
    const open = vscode.l10n.t('Open Download Page');
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t('Ollama is not installed. Install it from {0}, then run this command again.', state.installUrl ?? ''), open);
    if (choice === open && state.installUrl) await vscode.env.openExternal(vscode.Uri.parse(state.installUrl));
    return false;
  }
  const log = vscode.l10n.t('Show Log');
  const choice = await vscode.window.showErrorMessage(vscode.l10n.t('Ollama is not available: {0}', state.reason ?? state.status), log);
  if (choice === log) getServices(context).logger.show();
  return false;
}

type PickedModel =
  | { kind: 'installed'; model: string; sizeBytes: number }
  | { kind: 'recommended'; model: string; sizeBytes: number }
  | { kind: 'other' };

interface ModelItem extends vscode.QuickPickItem {
  picked_?: PickedModel;
}

export interface LocalModelsView {
  installed: InstalledModel[];
  loaded: PsModel[];
  recommendations: Recommendation[];
  plan?: ResidencyPlan;
}

/** The task a model is for: the catalogue's word when we know the model, else its capabilities. */
export function taskOf(model: InstalledModel): string {
  const known = CATALOGUE.filter((c) => c.model === model.name).map((c) => c.task);
  if (known.length) return [...new Set(known)].join(', ');
  const caps = model.capabilities ?? [];
  if (caps.includes('embedding') && !caps.includes('completion')) return 'embedding';
  if (caps.includes('insert')) return 'code, completion';
  if (caps.includes('thinking')) return 'reasoning';
  if (caps.includes('vision')) return 'vision';
  return 'chat';
}

/** The quick pick's items for the given data; exported for the extension-host test. */
export function buildLocalModelItems(view: LocalModelsView): ModelItem[] {
  const items: ModelItem[] = [];
  const loadedNames = new Set(view.loaded.map((m) => m.name));
  const servingRoles = (name: string) =>
    Object.entries(view.plan?.assignments ?? {})
      .filter(([, m]) => m === name)
      .map(([role]) => role);
  items.push({ label: vscode.l10n.t('Installed'), kind: vscode.QuickPickItemKind.Separator });
  if (view.installed.length === 0) items.push({ label: `$(info) ${vscode.l10n.t('No models installed yet: pull a recommended one below.')}` });
  for (const m of view.installed) {
    const roles = servingRoles(m.name);
    const description = [taskOf(m), formatBytes(m.sizeBytes), loadedNames.has(m.name) ? vscode.l10n.t('loaded') : undefined, roles.length ? vscode.l10n.t('serves {0}', roles.join(' + ')) : undefined]
      .filter(Boolean)
      .join(' · ');
    const detail = [m.family, m.parameterSize, m.quantization, m.contextLength ? vscode.l10n.t('context {0}', m.contextLength) : undefined, m.capabilities?.join(', ')].filter(Boolean).join(' · ');
    items.push({ label: `${loadedNames.has(m.name) ? '$(pulse)' : '$(package)'} ${m.name}`, description, detail, picked_: { kind: 'installed', model: m.name, sizeBytes: m.sizeBytes } });
  }
  const toPull = view.recommendations.filter((r) => !r.installed);
  if (toPull.length) {
    items.push({ label: vscode.l10n.t('Recommended for this machine'), kind: vscode.QuickPickItemKind.Separator });
    // One item per model, listing every task it is recommended for.
    const byModel = new Map<string, Recommendation[]>();
    for (const r of toPull) byModel.set(r.model, [...(byModel.get(r.model) ?? []), r]);
    for (const [model, recs] of byModel) {
      const first = recs[0]!;
      items.push({
        label: `$(cloud-download) ${model}`,
        description: `${recs.map((r) => r.task).join(', ')} · ${vscode.l10n.t('{0} download', formatBytes(first.sizeBytes))}`,
        detail: first.fits ? first.why : `$(warning) ${first.why}`,
        picked_: { kind: 'recommended', model, sizeBytes: first.sizeBytes },
      });
    }
  }
  items.push({ label: '', kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: `$(add) ${vscode.l10n.t('Pull another model…')}`, picked_: { kind: 'other' } });
  return items;
}

function planSummary(plan: ResidencyPlan | undefined): string | undefined {
  if (!plan) return undefined;
  const models = [...new Set(Object.values(plan.assignments))];
  if (plan.strategy === 'separate') return vscode.l10n.t('Memory plan: {0} stay loaded together', models.join(' + '));
  if (plan.strategy === 'shared') return vscode.l10n.t('Memory plan: memory is short, {0} serves every task', models[0] ?? '');
  return vscode.l10n.t('Memory plan: {0} stays loaded, others load on demand', plan.resident[0]?.model ?? '—');
}

async function pickModel(sidecar: LocalSidecar): Promise<PickedModel | undefined> {
  const qp = vscode.window.createQuickPick<ModelItem>();
  qp.title = vscode.l10n.t('Switchyard: Local Models');
  qp.placeholder = vscode.l10n.t('Loading the installed models…');
  qp.busy = true;
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.show();
  try {
    const [installed, loaded] = await Promise.all([sidecar.installed(), sidecar.loaded()]);
    const [recommendations, plan] = await Promise.all([sidecar.recommendations(installed), sidecar.residencyPlan().catch(() => undefined)]);
    qp.items = buildLocalModelItems({ installed, loaded, recommendations, plan });
    const o = sidecar.ollama.state;
    qp.placeholder = [vscode.l10n.t('Ollama {0} at {1}', o.version ?? '?', o.baseUrl), planSummary(plan)].filter(Boolean).join(' · ');
  } catch (err) {
    qp.hide();
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not list local models: {0}', err instanceof Error ? err.message : String(err)));
    return undefined;
  } finally {
    qp.busy = false;
  }
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]?.picked_);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
  });
}

async function runAction(context: vscode.ExtensionContext, sidecar: LocalSidecar, action: LocalModelAction, model: string): Promise<void> {
  const logger = getServices(context).logger;
  try {
    if (action === 'pull') return await pullWithProgress(sidecar, model);
    if (action === 'delete') {
      await sidecar.deleteModel(model);
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} was deleted.', model));
      return;
    }
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Loading {0} into memory…', model) }, () => sidecar.warmUp(model));
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} is loaded and ready.', model));
  } catch (err) {
    if (err instanceof SwitchyardError && err.info.kind === 'cancelled') {
      void vscode.window.showInformationMessage(vscode.l10n.t('Pull of {0} cancelled. Ollama keeps the part already downloaded and resumes from there next time.', model));
      return;
    }
    logger.warn('local.action_failed', { action, model, error: err instanceof Error ? err.message : String(err) });
    const log = vscode.l10n.t('Show Log');
    const choice = await vscode.window.showErrorMessage(vscode.l10n.t('{0} of {1} failed: {2}', actionName(action), model, err instanceof Error ? err.message : String(err)), log);
    if (choice === log) logger.show();
  }
}

function actionName(action: LocalModelAction): string {
  return action === 'pull' ? vscode.l10n.t('Pull') : action === 'delete' ? vscode.l10n.t('Delete') : vscode.l10n.t('Warm-up');
}

/** "42% · 812 of 1,930 MB · 12.3 MB/s · 1m 05s left" */
function progressMessage(s: PullSnapshot): string {
  if (s.totalBytes === 0 || s.done) return s.status;
  const mb = (n: number) => Math.round(n / 1e6).toLocaleString(vscode.env.language);
  const parts = [vscode.l10n.t('{0}%', Math.floor(s.percent ?? 0)), vscode.l10n.t('{0} of {1} MB', mb(s.completedBytes), mb(s.totalBytes))];
  if (s.bytesPerSecond !== undefined) parts.push(vscode.l10n.t('{0} MB/s', (s.bytesPerSecond / 1e6).toFixed(1)));
  if (s.etaSeconds !== undefined) parts.push(vscode.l10n.t('{0} left', formatDuration(s.etaSeconds)));
  return parts.join(' · ');
}

async function pullWithProgress(sidecar: LocalSidecar, model: string): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Pulling {0}', model), cancellable: true },
    async (progress, token) => {
      const ctl = new AbortController();
      const sub = token.onCancellationRequested(() => ctl.abort());
      let reported = 0;
      let lastReportAt = 0;
      try {
        await sidecar.pull(model, {
          signal: ctl.signal,
          onProgress: (s) => {
            const now = Date.now();
            if (now - lastReportAt < PROGRESS_REPORT_INTERVAL_MS && !s.done) return;
            lastReportAt = now;
            const percent = s.percent ?? reported;
            progress.report({ increment: percent - reported, message: progressMessage(s) });
            reported = percent;
          },
        });
      } finally {
        sub.dispose();
      }
    },
  );
  void vscode.window.showInformationMessage(vscode.l10n.t('{0} is installed.', model));
}

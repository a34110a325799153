/**
 * Turns a task and a mode into the ordered list of models to try, and writes down why each
 * model is in the list or left out. Pure planning: it never calls a model. It asks local
 * providers which models are installed (cached, see installedModels.ts) and the KeyStore
 * whether a cloud provider has a key for its endpoint; it never contacts a cloud host.
 *
 * Local-only mode is decided here, before anything else about a cloud provider is looked at,
 * so a cloud candidate cannot reach the router in that mode whatever the settings say.
 */
import type { ProviderConfig, SwitchyardConfig } from '../config';
import type { ConfigInvalid, KeyStore, LocalAvailability, Mode, Provider, RoutingDecision, Task } from '../types';
import type { TaskReason } from '../reasons';
import { type FitRequest, fitCandidates } from './contextFit';
import { DEFAULT_TASK_CANDIDATES, TASKS_WITHOUT_CLOUD_FALLBACK } from './defaults';
import { ANY_MODEL, CandidateSearch, type Wanted } from './candidateSearch';
import { type InstalledModels, isChatModel } from './installedModels';
import { applyStrategy, expandFallbacks, type StrategyContext } from './strategy';

/** A configured provider as selection sees it. */
export interface ProviderEntry {
  id: string;
  config: ProviderConfig;
  provider: Provider;
  /** The origin requests go to; the provider's key is bound to it (KeyStore contract). */
  origin: string;
}

export interface SelectionContext {
  entries: ReadonlyMap<string, ProviderEntry>;
  keys: KeyStore;
  /** Per-task lists from settings; tasks missing here use the shipped defaults. */
  taskLists: SwitchyardConfig['tasks'];
  installed: InstalledModels;
  /** Providers named in settings that could not be built, with the reason (a bad region, no baseUrl…). */
  unavailable?: ReadonlyMap<string, string>;
  /** The local sidecar: starts or probes a local provider before it is used; a down one is left out at once. */
  local?: LocalAvailability;
  /** Settings that fail closed and could not be read: every cloud provider is left out (see parseConfig). */
  cloudRefused?: readonly ConfigInvalid[];
  /** The routing strategy and the manual primary (strategy.ts); absent: priority. */
  strategy?: StrategyContext;
  /** Per-model ordered fallbacks, tried right after their model (switchyard.routing.fallbackModels). */
  fallbackModels?: Readonly<Record<string, readonly string[]>>;
}

export interface SelectionRequest {
  task: Task;
  taskReason: string;
  taskReasonData?: TaskReason;
  mode: Mode;
  /** "provider" or "provider/model". */
  pinned?: string;
  /** The user asked for a better answer than the local one: skip local models. */
  escalating?: boolean;
  /** The prompt's and the answer's size: models whose context window cannot hold both are left out. */
  fit?: FitRequest;
  signal?: AbortSignal;
}

export async function selectCandidates(req: SelectionRequest, ctx: SelectionContext): Promise<RoutingDecision> {
  // A pinned choice never overrides Local only: the hard guarantee outranks a "Retry with…".
  const mode: Mode = req.pinned && req.mode !== 'local' ? 'pinned' : req.mode;
  const search = new CandidateSearch(req, ctx);
  const wanted = wantedList(req, ctx);
  // Sequential on purpose: the order of the list is the order of the decision, and each
  // provider is asked at most once thanks to the caches.
  for (const w of wanted.list) await search.consider(w);

  if (!req.pinned) await addFallbacks(req, ctx, wanted.providers, search);
  const { candidates, excluded, windows } = search;

  // Auto: local first, whatever order a settings list used; the list order holds within each group.
  const grouped = mode === 'auto' ? [...candidates.filter((c) => c.locality === 'local'), ...candidates.filter((c) => c.locality === 'cloud')] : candidates;
  // A pin is an exact choice: no strategy and no primary reorders it.
  const ordered = ctx.strategy && !req.pinned ? applyStrategy(grouped, { key: req.task, ...ctx.strategy }) : grouped;
  const task = { task: req.task, taskReason: req.taskReason, ...(req.taskReasonData ? { taskReasonData: req.taskReasonData } : {}) };
  if (!req.fit) return { ...task, mode, candidates: ordered, excluded };
  const fit = fitCandidates(ordered, req.fit, (c) => windows.get(c)!);
  return { ...task, mode, candidates: fit.kept, excluded: [...excluded, ...fit.excluded], promptTokens: req.fit.promptTokens };
}

function wantedList(req: SelectionRequest, ctx: SelectionContext): { list: Wanted[]; providers: Set<string> } {
  const fromSettings = ctx.taskLists[req.task];
  const list = fromSettings ?? DEFAULT_TASK_CANDIDATES[req.task];
  const rank = fromSettings ? 'why_settings_rank' : 'why_defaults_rank';
  let wanted: Wanted[];
  if (req.pinned) {
    // Pinned (also in Local-only mode, where the gate then refuses a cloud pin rather than ignoring it).
    const pinned = req.pinned;
    if (pinned.includes('/')) {
      wanted = [{ ref: pinned, why: { code: 'why_pinned', target: pinned } }];
    } else {
      // A pinned provider: its models from the task list in order, then any of its models.
      wanted = list.filter((r) => r.startsWith(`${pinned}/`)).map((ref): Wanted => ({ ref, why: { code: 'why_pinned_listed', target: pinned, task: req.task } }));
      wanted.push({ ref: `${pinned}/${ANY_MODEL}`, why: { code: 'why_pinned', target: pinned } });
    }
  } else {
    // A model's own fallbacks follow it with its rank: they stand where it stands.
    const rankOf = new Map(list.map((ref, i) => [ref, i + 1]));
    wanted = expandFallbacks(list, ctx.fallbackModels).map(({ ref, parent }) => ({ ref, why: { code: rank, rank: rankOf.get(parent ?? ref)!, task: req.task } }));
  }
  const providers = new Set(wanted.map((w) => w.ref.slice(0, Math.max(0, w.ref.indexOf('/')))));
  return { list: wanted, providers };
}

/**
 * Last resorts after the task's list: a local provider with none of the listed models installed
 * offers its first installed model (an answer from llama3.2 beats none), and a keyed cloud
 * provider the list never names offers its first configured model.
 */
async function addFallbacks(
  req: SelectionRequest,
  ctx: SelectionContext,
  listed: Set<string>,
  search: CandidateSearch,
): Promise<void> {
  for (const e of ctx.entries.values()) {
    if (search.gate(e)) continue;
    if (e.provider.locality === 'local') {
      if (search.candidates.some((c) => c.ref.provider === e.id)) continue;
      const installed = await search.installedOn(e);
      const first = installed.ok ? installed.models.find(isChatModel) : undefined;
      if (first) search.add(e, first.ref.model, [{ code: listed.has(e.id) ? 'why_installed_fallback' : 'why_local_unlisted', provider: e.id, task: req.task }], first.contextWindow);
    } else if (!listed.has(e.id) && !TASKS_WITHOUT_CLOUD_FALLBACK.has(req.task)) {
      const model = e.config.models[0];
      if (model && (await search.hasKey(e))) search.add(e, model, [{ code: 'why_cloud_unlisted', provider: e.id, task: req.task }]);
    }
  }
}

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
import type { Candidate, ConfigInvalid, Fix, KeyStore, LocalAvailability, LocalAvailabilityResult, LocalUnavailable, Locality, Mode, ModelNotPulled, Provider, RoutingDecision, Task } from '../types';
import { formatModelRef, parseModelRef } from '../types';
import { type CandidateReason, type ExcludedReason, type TaskReason, renderReason } from '../reasons';
import { type FitRequest, fitCandidates } from './contextFit';
import { type ContextWindow, contextWindowOf } from './contextWindows';
import { DEFAULT_TASK_CANDIDATES, TASKS_WITHOUT_CLOUD_FALLBACK } from './defaults';
import { type InstalledModels, type InstalledResult, isChatModel, matchInstalled } from './installedModels';
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

/** Why a local provider is down: the reason the surfaces word, and the typed cause they group by. */
interface Down {
  because: ExcludedReason;
  reason?: LocalUnavailable;
  fix?: Fix;
}

/** Where Ollama comes from when the sidecar does not say (the same page binaryLocator.ts names). */
const OLLAMA_DOWNLOAD_URL = 'https://ollama.com/download';

function typedDown(e: ProviderEntry, state: 'missing' | 'down', installUrl?: string): Omit<Down, 'because'> {
  const reason: LocalUnavailable = { code: 'local_unavailable', provider: e.id, state };
  const fix: Fix = state === 'missing' && e.provider.kind === 'ollama' ? { action: 'install_ollama', url: installUrl ?? OLLAMA_DOWNLOAD_URL } : { action: 'start_local', provider: e.id };
  return { reason, fix };
}

function downOf(e: ProviderEntry, a: LocalAvailabilityResult): Down {
  return { because: { code: 'excl_local_down', provider: e.id, detail: a.reason ?? 'not running' }, ...typedDown(e, a.state ?? 'down', a.installUrl) };
}

/** A local provider that answers but lacks the model: pull it (Ollama), or load one (other servers). */
function notPulled(e: ProviderEntry, model?: string): { reason: ModelNotPulled; fix: Fix } {
  return {
    reason: { code: 'model_not_pulled', provider: e.id, ...(model ? { model } : {}) },
    fix: { action: 'pull_model', provider: e.id, ...(model ? { model } : {}) },
  };
}

/** Marks "every model of this provider" in a list: "npu/*", "lmstudio/*". */
const ANY_MODEL = '*';

interface Wanted {
  ref: string;
  why: CandidateReason;
}

export async function selectCandidates(req: SelectionRequest, ctx: SelectionContext): Promise<RoutingDecision> {
  // A pinned choice never overrides Local only: the hard guarantee outranks a "Retry with…".
  const mode: Mode = req.pinned && req.mode !== 'local' ? 'pinned' : req.mode;
  const candidates: Candidate[] = [];
  const excluded: RoutingDecision['excluded'] = [];
  const seen = new Set<string>();
  const missing = new Set<string>();
  const keyMemo = new Map<string, Promise<boolean>>();
  const upMemo = new Map<string, Promise<Down | undefined>>();
  /** Why a local provider is down (asked once per plan), or undefined when it is up. */
  const down = (e: ProviderEntry): Promise<Down | undefined> => {
    if (!ctx.local) return Promise.resolve(undefined);
    let p = upMemo.get(e.id);
    if (!p) {
      p = ctx.local.ensureAvailable(e.id).then(
        (a) => (a.available ? undefined : downOf(e, a)),
        (err: unknown): Down => ({ because: { code: 'excl_local_down', provider: e.id, detail: (err as Error).message }, ...typedDown(e, 'down') }),
      );
      upMemo.set(e.id, p);
    }
    return p;
  };
  /** Installed models of a local provider that is up. */
  const installedOn = async (e: ProviderEntry): Promise<InstalledResult | ({ ok: false } & Down)> => {
    const d = await down(e);
    return d ? { ok: false, ...d } : ctx.installed.get(e.provider, req.signal);
  };
  const hasKey = (e: ProviderEntry): Promise<boolean> => {
    let p = keyMemo.get(e.id);
    if (!p) keyMemo.set(e.id, (p = ctx.keys.getKey(e.id, e.origin).then((k) => !!k, () => false)));
    return p;
  };

  /** Why this provider cannot serve in this mode at all, or undefined when it can. */
  const gate = (e: ProviderEntry): ExcludedReason | undefined => {
    const provider = e.id;
    if (!e.config.enabled) return { code: 'excl_disabled', provider };
    const loc: Locality = e.provider.locality;
    if (loc === 'cloud' && req.mode === 'local') return { code: 'excl_cloud_in_local_mode', provider };
    const refused = loc === 'cloud' ? ctx.cloudRefused?.[0] : undefined;
    if (refused) return { code: 'excl_cloud_refused', provider, setting: refused.setting };
    if (loc === 'local' && req.mode === 'cloud') return { code: 'excl_local_in_cloud_mode', provider };
    if (loc === 'local' && req.escalating) return { code: 'excl_local_escalating', provider };
    return undefined;
  };
  /** Leaves a wanted model out, saying why in English for the log (from the same reason). */
  const exclude = (ref: string, because: ExcludedReason, more: Omit<RoutingDecision['excluded'][number], 'ref' | 'why' | 'because'> = {}): void => {
    excluded.push({ ref, why: renderReason(because), because, ...more });
  };

  const windows = new Map<Candidate, ContextWindow>();
  /** `reported`: the context length the provider gave for this model (Ollama /api/show). */
  const add = (e: ProviderEntry, model: string, reasons: CandidateReason[], reported?: number): void => {
    const ref = { provider: e.id, model };
    const key = formatModelRef(ref);
    if (seen.has(key)) return;
    seen.add(key);
    const window = contextWindowOf({ ref, vendor: e.config.vendor, reported });
    const why = reasons.map((r) => renderReason(r));
    const candidate: Candidate = { ref, locality: e.provider.locality, why, reasons, contextWindow: window.tokens };
    windows.set(candidate, window);
    candidates.push(candidate);
  };

  /** Resolves one wanted entry to zero or more candidates, recording any exclusion. */
  const consider = async (w: Wanted): Promise<void> => {
    let ref;
    try {
      ref = parseModelRef(w.ref);
    } catch (err) {
      exclude(w.ref, { code: 'excl_bad_ref', detail: (err as Error).message });
      return;
    }
    const e = ctx.entries.get(ref.provider);
    if (!e) {
      // Once per provider: the shipped lists name every vendor, and one line says it for all its models.
      const why = ctx.unavailable?.get(ref.provider);
      if (!missing.has(ref.provider)) exclude(w.ref, why !== undefined ? { code: 'excl_unavailable', provider: ref.provider, detail: why } : { code: 'excl_not_configured', provider: ref.provider });
      missing.add(ref.provider);
      return;
    }
    const closed = gate(e);
    if (closed) return exclude(w.ref, closed);

    if (e.provider.locality === 'cloud') {
      if (!(await hasKey(e))) {
        // Labelled local but not on this machine (src/core/net/locality.ts): say that, not just "no key".
        if (e.config.locality === 'local') {
          return exclude(w.ref, { code: 'excl_not_loopback', provider: e.id, origin: e.origin }, { fix: { action: 'fix_setting', setting: 'network.trustedLocalHosts' } });
        }
        return exclude(w.ref, { code: 'excl_no_key', provider: e.id, origin: e.origin }, { fix: { action: 'set_key', provider: e.id, origin: e.origin } });
      }
      const models = ref.model === ANY_MODEL ? e.config.models : [ref.model];
      if (models.length === 0) return exclude(w.ref, { code: 'excl_no_models_configured', provider: e.id });
      for (const m of models) add(e, m, [w.why]);
      return;
    }

    const installed = await installedOn(e);
    if (!installed.ok) {
      if ('because' in installed) return exclude(w.ref, installed.because, installed.reason ? { reason: installed.reason, fix: installed.fix } : {});
      return exclude(w.ref, { code: 'excl_unavailable', provider: e.id, detail: installed.why });
    }
    if (ref.model === ANY_MODEL) {
      const chat = installed.models.filter(isChatModel);
      if (chat.length === 0) return exclude(w.ref, { code: 'excl_no_models_installed', provider: e.id }, notPulled(e));
      for (const m of chat) add(e, m.ref.model, [w.why], m.contextWindow);
      return;
    }
    const found = matchInstalled(ref.model, installed.models);
    if (!found) {
      // Ollama's own command says how to get it; other servers load models their own way.
      return exclude(w.ref, { code: e.provider.kind === 'ollama' ? 'excl_not_pulled_ollama' : 'excl_not_installed', provider: e.id, model: ref.model }, notPulled(e, ref.model));
    }
    add(e, found.ref.model, found.ref.model === ref.model ? [w.why] : [w.why, { code: 'why_installed_as', model: found.ref.model }], found.contextWindow);
  };

  const wanted = wantedList(req, ctx);
  // Sequential on purpose: the order of the list is the order of the decision, and each
  // provider is asked at most once thanks to the caches.
  for (const w of wanted.list) await consider(w);

  if (!req.pinned) await addFallbacks(req, ctx, wanted.providers, candidates, gate, hasKey, installedOn, add);

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
  candidates: Candidate[],
  gate: (e: ProviderEntry) => ExcludedReason | undefined,
  hasKey: (e: ProviderEntry) => Promise<boolean>,
  installedOn: (e: ProviderEntry) => Promise<InstalledResult | ({ ok: false } & Down)>,
  add: (e: ProviderEntry, model: string, reasons: CandidateReason[], reported?: number) => void,
): Promise<void> {
  for (const e of ctx.entries.values()) {
    if (gate(e)) continue;
    if (e.provider.locality === 'local') {
      if (candidates.some((c) => c.ref.provider === e.id)) continue;
      const installed = await installedOn(e);
      const first = installed.ok ? installed.models.find(isChatModel) : undefined;
      if (first) add(e, first.ref.model, [{ code: listed.has(e.id) ? 'why_installed_fallback' : 'why_local_unlisted', provider: e.id, task: req.task }], first.contextWindow);
    } else if (!listed.has(e.id) && !TASKS_WITHOUT_CLOUD_FALLBACK.has(req.task)) {
      const model = e.config.models[0];
      if (model && (await hasKey(e))) add(e, model, [{ code: 'why_cloud_unlisted', provider: e.id, task: req.task }]);
    }
  }
}

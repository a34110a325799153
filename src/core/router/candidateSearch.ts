/**
 * One selection's search through the wanted list: resolves each wanted model to candidates or to
 * a typed exclusion, asking each local provider and each key store at most once per plan.
 * selectCandidates (selection.ts) drives it; it holds the state the steps share.
 */
import type { Candidate, Fix, LocalAvailabilityResult, LocalUnavailable, Locality, ModelNotPulled, RoutingDecision } from '../types';
import { formatModelRef, parseModelRef } from '../types';
import { type CandidateReason, type ExcludedReason, renderReason } from '../reasons';
import { type ContextWindow, contextWindowOf } from './contextWindows';
import { type InstalledResult, isChatModel, matchInstalled } from './installedModels';
import type { ProviderEntry, SelectionContext, SelectionRequest } from './selection';

/** Why a local provider is down: the reason the surfaces word, and the typed cause they group by. */
export interface Down {
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
export const ANY_MODEL = '*';

export interface Wanted {
  ref: string;
  why: CandidateReason;
}

export class CandidateSearch {
  readonly candidates: Candidate[] = [];
  readonly excluded: RoutingDecision['excluded'] = [];
  /** Each candidate's context window and where it came from (contextFit.ts reads it). */
  readonly windows = new Map<Candidate, ContextWindow>();
  private readonly seen = new Set<string>();
  /** Providers named in a list but not set up: said once for all their models. */
  private readonly missing = new Set<string>();
  private readonly keyMemo = new Map<string, Promise<boolean>>();
  private readonly upMemo = new Map<string, Promise<Down | undefined>>();

  constructor(
    private readonly req: SelectionRequest,
    private readonly ctx: SelectionContext,
  ) {}

  /** Why a local provider is down (asked once per plan), or undefined when it is up. */
  private down(e: ProviderEntry): Promise<Down | undefined> {
    const local = this.ctx.local;
    if (!local) return Promise.resolve(undefined);
    let p = this.upMemo.get(e.id);
    if (!p) {
      p = local.ensureAvailable(e.id).then(
        (a) => (a.available ? undefined : downOf(e, a)),
        (err: unknown): Down => ({ because: { code: 'excl_local_down', provider: e.id, detail: (err as Error).message }, ...typedDown(e, 'down') }),
      );
      this.upMemo.set(e.id, p);
    }
    return p;
  }

  /** Installed models of a local provider that is up. */
  async installedOn(e: ProviderEntry): Promise<InstalledResult | ({ ok: false } & Down)> {
    const d = await this.down(e);
    return d ? { ok: false, ...d } : this.ctx.installed.get(e.provider, this.req.signal);
  }

  hasKey(e: ProviderEntry): Promise<boolean> {
    let p = this.keyMemo.get(e.id);
    if (!p) this.keyMemo.set(e.id, (p = this.ctx.keys.getKey(e.id, e.origin).then((k) => !!k, () => false)));
    return p;
  }

  /** Why this provider cannot serve in this mode at all, or undefined when it can. */
  gate(e: ProviderEntry): ExcludedReason | undefined {
    const { req, ctx } = this;
    const provider = e.id;
    if (!e.config.enabled) return { code: 'excl_disabled', provider };
    const loc: Locality = e.provider.locality;
    if (loc === 'cloud' && req.mode === 'local') return { code: 'excl_cloud_in_local_mode', provider };
    const refused = loc === 'cloud' ? ctx.cloudRefused?.[0] : undefined;
    if (refused) return { code: 'excl_cloud_refused', provider, setting: refused.setting };
    if (loc === 'local' && req.mode === 'cloud') return { code: 'excl_local_in_cloud_mode', provider };
    if (loc === 'local' && req.escalating) return { code: 'excl_local_escalating', provider };
    return undefined;
  }

  /** Leaves a wanted model out, saying why in English for the log (from the same reason). */
  private exclude(ref: string, because: ExcludedReason, more: Omit<RoutingDecision['excluded'][number], 'ref' | 'why' | 'because'> = {}): void {
    this.excluded.push({ ref, why: renderReason(because), because, ...more });
  }

  /** `reported`: the context length the provider gave for this model (Ollama /api/show). */
  add(e: ProviderEntry, model: string, reasons: CandidateReason[], reported?: number): void {
    const ref = { provider: e.id, model };
    const key = formatModelRef(ref);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const window = contextWindowOf({ ref, vendor: e.config.vendor, reported });
    const why = reasons.map((r) => renderReason(r));
    const candidate: Candidate = { ref, locality: e.provider.locality, why, reasons, contextWindow: window.tokens };
    this.windows.set(candidate, window);
    this.candidates.push(candidate);
  }

  /** Resolves one wanted entry to zero or more candidates, recording any exclusion. */
  async consider(w: Wanted): Promise<void> {
    let ref;
    try {
      ref = parseModelRef(w.ref);
    } catch (err) {
      this.exclude(w.ref, { code: 'excl_bad_ref', detail: (err as Error).message });
      return;
    }
    const e = this.ctx.entries.get(ref.provider);
    if (!e) {
      // Once per provider: the shipped lists name every vendor, and one line says it for all its models.
      const why = this.ctx.unavailable?.get(ref.provider);
      if (!this.missing.has(ref.provider)) this.exclude(w.ref, why !== undefined ? { code: 'excl_unavailable', provider: ref.provider, detail: why } : { code: 'excl_not_configured', provider: ref.provider });
      this.missing.add(ref.provider);
      return;
    }
    const closed = this.gate(e);
    if (closed) return this.exclude(w.ref, closed);
    return e.provider.locality === 'cloud' ? this.considerCloud(w, e, ref.model) : this.considerLocal(w, e, ref.model);
  }

  private async considerCloud(w: Wanted, e: ProviderEntry, model: string): Promise<void> {
    if (!(await this.hasKey(e))) {
      // Labelled local but not on this machine (src/core/net/locality.ts): say that, not just "no key".
      if (e.config.locality === 'local') {
        return this.exclude(w.ref, { code: 'excl_not_loopback', provider: e.id, origin: e.origin }, { fix: { action: 'fix_setting', setting: 'network.trustedLocalHosts' } });
      }
      return this.exclude(w.ref, { code: 'excl_no_key', provider: e.id, origin: e.origin }, { fix: { action: 'set_key', provider: e.id, origin: e.origin } });
    }
    const models = model === ANY_MODEL ? e.config.models : [model];
    if (models.length === 0) return this.exclude(w.ref, { code: 'excl_no_models_configured', provider: e.id });
    for (const m of models) this.add(e, m, [w.why]);
  }

  private async considerLocal(w: Wanted, e: ProviderEntry, model: string): Promise<void> {
    const installed = await this.installedOn(e);
    if (!installed.ok) {
      if ('because' in installed) return this.exclude(w.ref, installed.because, installed.reason ? { reason: installed.reason, fix: installed.fix } : {});
      return this.exclude(w.ref, { code: 'excl_unavailable', provider: e.id, detail: installed.why });
    }
    if (model === ANY_MODEL) {
      const chat = installed.models.filter(isChatModel);
      if (chat.length === 0) return this.exclude(w.ref, { code: 'excl_no_models_installed', provider: e.id }, notPulled(e));
      for (const m of chat) this.add(e, m.ref.model, [w.why], m.contextWindow);
      return;
    }
    const found = matchInstalled(model, installed.models);
    if (!found) {
      // Ollama's own command says how to get it; other servers load models their own way.
      return this.exclude(w.ref, { code: e.provider.kind === 'ollama' ? 'excl_not_pulled_ollama' : 'excl_not_installed', provider: e.id, model }, notPulled(e, model));
    }
    this.add(e, found.ref.model, found.ref.model === model ? [w.why] : [w.why, { code: 'why_installed_as', model: found.ref.model }], found.contextWindow);
  }
}

/**
 * What a client's `model` names, on both APIs:
 *
 *   "auto"              the router chooses (the settings' mode)
 *   "auto:<task>"       the router chooses for that task: auto:code, auto:math, auto:chat, …
 *   "local" / "cloud"   the router chooses among local (or cloud) models only
 *   "provider/model"    pinned to that model ("provider" alone pins the provider)
 *   "<model>"           a bare model name some provider lists (e.g. "qwen2.5-coder:7b"), pinned
 *   an alias            gateway.aliases in the settings ("gpt-4" → "auto"), followed first
 *
 * Anything else is MODEL_NOT_FOUND with the list of valid names. The listing of providers'
 * models is cached briefly (a listing asks Ollama and every cloud provider over the network).
 */
import { resolvePrice } from '../core/cost/prices';
import { TASKS, type Locality, type Mode, type ModelInfo, type Task } from '../core/types';
import type { AssembledSwitchyard } from '../core/switchyard';
import type { SwitchyardConfig } from '../core/config';
import { GatewayError } from './errors';
import type { GatewayLocale } from './messages';
import { gatewayText } from './messages';
import type { GatewaySettings } from './settings';

/** How long a model listing is reused: short enough that a model pulled a moment ago shows, long enough that no request waits on it. */
export const MODEL_LIST_TTL_MS = 10_000;
/** An alias may name another alias; past this many steps it is a loop. */
const MAX_ALIAS_DEPTH = 5;

export const VIRTUAL_MODELS: readonly string[] = ['auto', ...TASKS.map((t) => `auto:${t}`), 'local', 'cloud'];

export interface Resolved {
  /** The id as the client asked (before aliases). */
  asked: string;
  /** After aliases: a virtual name or "provider/model". */
  id: string;
  mode?: Mode;
  task?: Task;
  pinned?: string;
}

export class ModelCatalogue {
  private cached?: { at: number; models: Promise<ModelInfo[]> };
  constructor(
    private readonly core: AssembledSwitchyard,
    private readonly config: SwitchyardConfig,
    private readonly settings: () => GatewaySettings,
    private readonly now: () => number = Date.now,
  ) {}

  list(): Promise<ModelInfo[]> {
    const t = this.now();
    if (!this.cached || t - this.cached.at > MODEL_LIST_TTL_MS) {
      const models = this.core.listModels().catch(() => [] as ModelInfo[]);
      this.cached = { at: t, models };
    }
    return this.cached.models;
  }

  /** Every name a client may send: the virtual models, the aliases, every listed provider/model. */
  async validNames(): Promise<string[]> {
    const listed = (await this.list()).map((m) => `${m.ref.provider}/${m.ref.model}`);
    return [...VIRTUAL_MODELS, ...Object.keys(this.settings().aliases), ...listed];
  }

  async resolve(asked: string, locale: GatewayLocale): Promise<Resolved> {
    const aliases = this.settings().aliases;
    let id = asked.trim();
    for (let i = 0; i < MAX_ALIAS_DEPTH && Object.hasOwn(aliases, id); i++) id = aliases[id]!;
    if (id === 'auto') return { asked, id };
    if (id === 'local' || id === 'cloud') return { asked, id, mode: id };
    if (id.startsWith('auto:')) {
      const task = id.slice('auto:'.length);
      if ((TASKS as readonly string[]).includes(task)) return { asked, id, task: task as Task };
    } else {
      const providers = this.core.providerConfigs;
      const slash = id.indexOf('/');
      const provider = slash > 0 ? id.slice(0, slash) : id;
      if (Object.hasOwn(providers, provider) && providers[provider]!.enabled !== false && slash !== id.length - 1) {
        const listed = await this.list();
        const ofProvider = listed.filter((m) => m.ref.provider === provider);
        // A provider whose listing failed (or that lists nothing, e.g. a cloud one without a key)
        // is trusted with the name: the core's own model_not_found then answers.
        if (slash < 0 || ofProvider.length === 0 || ofProvider.some((m) => m.ref.model === id.slice(slash + 1))) {
          this.checkEnabled(id, locale);
          return { asked, id, mode: 'pinned', pinned: id };
        }
      } else if (slash < 0) {
        const match = (await this.list()).find((m) => m.ref.model === id);
        if (match) {
          const ref = `${match.ref.provider}/${match.ref.model}`;
          this.checkEnabled(ref, locale);
          return { asked, id: ref, mode: 'pinned', pinned: ref };
        }
      }
    }
    const valid = await this.validNames();
    throw new GatewayError('MODEL_NOT_FOUND', gatewayText(locale, 'modelNotFound', asked, valid.join(', ')), { model: asked, reason: 'unknown_model', valid_models: valid });
  }

  private checkEnabled(id: string, locale: GatewayLocale): void {
    if (this.settings().models[id]?.enabled === false) throw new GatewayError('MODEL_UNAVAILABLE', gatewayText(locale, 'modelDisabled', id), { model: id, reason: 'disabled' });
  }

  /** Prices per 1K tokens in USD (the design note's unit), or null for an unpriced model; 0 for local ones. */
  pricing(m: { ref: ModelInfo['ref']; locality: Locality }): { input_per_1k_tokens: number; output_per_1k_tokens: number } | null {
    const resolved = resolvePrice(m.ref, m.locality, {
      overrides: this.config.budget.priceOverrides,
      allowUnpriced: this.config.budget.allowUnpriced,
      vendorOf: (id) => this.config.providers[id]?.vendor,
    });
    if (resolved.kind === 'local') return { input_per_1k_tokens: 0, output_per_1k_tokens: 0 };
    if (resolved.kind !== 'priced') return null;
    return { input_per_1k_tokens: resolved.price.input / 1000, output_per_1k_tokens: resolved.price.output / 1000 };
  }
}

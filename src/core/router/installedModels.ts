/**
 * Remembers, for a few seconds, which models each LOCAL provider has installed, so that planning
 * a request does not ask Ollama for /api/tags every time. Cloud providers are never asked here:
 * their models come from settings, and in Local-only mode not one byte may go to a cloud host.
 */
import type { ModelInfo, Provider } from '../types';
import { SwitchyardError } from '../types';
import { INSTALLED_MODELS_TTL_MS } from './defaults';

export type InstalledResult = { ok: true; models: ModelInfo[] } | { ok: false; why: string };

export class InstalledModels {
  private readonly cache = new Map<string, { at: number; result: Promise<InstalledResult> }>();

  constructor(
    private readonly ttlMs = INSTALLED_MODELS_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get(provider: Provider, signal?: AbortSignal): Promise<InstalledResult> {
    if (provider.locality !== 'local') throw new Error(`InstalledModels is for local providers; ${provider.id} is ${provider.locality}`);
    const hit = this.cache.get(provider.id);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.result;
    const result = provider.listModels(signal).then(
      (models): InstalledResult => ({ ok: true, models }),
      (err: unknown): InstalledResult => ({ ok: false, why: describe(err) }),
    );
    this.cache.set(provider.id, { at: this.now(), result });
    return result;
  }

  /** Forget everything (after a pull, or when settings change). */
  clear(): void {
    this.cache.clear();
  }
}

function describe(err: unknown): string {
  if (err instanceof SwitchyardError) return `not reachable (${err.info.kind}: ${err.info.message})`;
  return `not reachable (${err instanceof Error ? err.message : String(err)})`;
}

/**
 * Finds the installed model a candidate names: the exact name, or for a name without a tag
 * ("qwen2.5-coder") its ":latest", else any installed tag of it.
 */
export function matchInstalled(wanted: string, installed: readonly ModelInfo[]): ModelInfo | undefined {
  const exact = installed.find((m) => m.ref.model === wanted);
  if (exact || wanted.includes(':')) return exact;
  return installed.find((m) => m.ref.model === `${wanted}:latest`) ?? installed.find((m) => m.ref.model.startsWith(`${wanted}:`));
}

/** Models that answer prompts (embedding-only models cannot). */
export function isChatModel(m: ModelInfo): boolean {
  if (m.capabilities && m.capabilities.length > 0) return m.capabilities.includes('completion');
  return !/embed/i.test(m.ref.model);
}

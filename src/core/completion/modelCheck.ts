/**
 * Before the first request (and again after a while), checks that the completion model can
 * serve: installed, fill-in-the-middle capable, local unless cloud completion is allowed. A
 * failed check is reported once with an actionable sentence instead of a request per keystroke
 * that fails the same way.
 */
import { parseModelRef, type ModelInfo } from '../types';
import { fimFamilyOf } from './fimTemplates';
import type { NoSuggestionReason } from './reasons';

/** Installed models change rarely (a pull, a delete): re-check this often. */
export const MODEL_CHECK_TTL_MS = 30_000;

export type ModelVerdict = { ok: true; info?: ModelInfo } | { ok: false; reason: NoSuggestionReason; detail: string };

export class ModelCheck {
  private cached: { at: number; models: ModelInfo[] } | undefined;
  private pending: Promise<ModelInfo[] | undefined> | undefined;

  constructor(
    private readonly listModels: ((signal?: AbortSignal) => Promise<ModelInfo[]>) | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forget what was listed (a model was pulled, settings changed). */
  invalidate(): void {
    this.cached = undefined;
  }

  async check(modelRef: string, allowCloud: boolean): Promise<ModelVerdict> {
    let ref;
    try {
      ref = parseModelRef(modelRef);
    } catch (e) {
      return { ok: false, reason: 'error', detail: (e as Error).message };
    }
    const models = await this.models();
    // Listing failed: let the request itself find out (and report) what is wrong.
    if (!models) return { ok: true };
    const ofProvider = models.filter((m) => m.ref.provider === ref.provider);
    const info = ofProvider.find((m) => sameModel(m.ref.model, ref.model));
    if (!info) {
      const local = ofProvider.some((m) => m.locality === 'local') || ref.provider === 'ollama';
      if (!local) return { ok: false, reason: 'error', detail: `${modelRef} is not offered by any enabled provider` };
      const hint = ref.provider === 'ollama' ? `: run "ollama pull ${ref.model}"` : '';
      const none = ofProvider.length === 0 ? ` (provider "${ref.provider}" lists no models — is it running?)` : '';
      return { ok: false, reason: 'no-local-model', detail: `${modelRef} is not installed${hint}${none}, or choose another model in switchyard.completion.model` };
    }
    if (info.locality === 'cloud' && !allowCloud) {
      return { ok: false, reason: 'cloud-not-allowed', detail: `${modelRef} runs in the cloud; turn on switchyard.completion.allowCloud to use it (it counts against the budget)` };
    }
    if (info.capabilities && !info.capabilities.includes('insert') && !fimFamilyOf(ref.model)) {
      return { ok: false, reason: 'model-without-fim', detail: `${modelRef} has no fill-in-the-middle ("insert") capability; pick a coder model such as ollama/qwen2.5-coder:1.5b` };
    }
    return { ok: true, info };
  }

  private async models(): Promise<ModelInfo[] | undefined> {
    if (!this.listModels) return undefined;
    if (this.cached && this.now() - this.cached.at < MODEL_CHECK_TTL_MS) return this.cached.models;
    this.pending ??= this.listModels()
      .then((models) => {
        this.cached = { at: this.now(), models };
        return models;
      })
      .catch(() => undefined)
      .finally(() => (this.pending = undefined));
    return this.pending;
  }
}

/** Ollama treats "name" and "name:latest" as the same model. */
function sameModel(a: string, b: string): boolean {
  const norm = (s: string) => (s.includes(':') ? s : `${s}:latest`);
  return norm(a) === norm(b);
}

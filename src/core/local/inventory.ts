/**
 * Installed Ollama models with what the planner and the UI need: size, family, parameter count,
 * quantisation (from /api/tags), context length and capabilities (from /api/show).
 */
import type { OllamaAdmin, ShowResponse, TagModel } from './ollamaAdmin';

export interface InstalledModel {
  name: string;
  sizeBytes: number;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  /** The model's trained context length ("<arch>.context_length" in model_info). */
  contextLength?: number;
  /** Ollama's capability words; undefined when /api/show failed or the server predates them. */
  capabilities?: string[];
}

/** A name without a tag means ":latest", as Ollama resolves it. */
export function withTag(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return lastSegment.includes(':') ? name : `${name}:latest`;
}

export function contextLengthOf(show: ShowResponse): number | undefined {
  const info = show.model_info ?? {};
  const arch = info['general.architecture'];
  const value = typeof arch === 'string' ? info[`${arch}.context_length`] : undefined;
  if (typeof value === 'number') return value;
  // Some GGUFs name the architecture differently from the key prefix; take any *.context_length.
  const any = Object.entries(info).find(([k, v]) => k.endsWith('.context_length') && typeof v === 'number');
  return any ? (any[1] as number) : undefined;
}

function fromTag(t: TagModel): InstalledModel {
  const d = t.details ?? {};
  return {
    name: t.name,
    sizeBytes: t.size,
    ...(d.family ? { family: d.family } : {}),
    ...(d.parameter_size ? { parameterSize: d.parameter_size } : {}),
    ...(d.quantization_level ? { quantization: d.quantization_level } : {}),
  };
}

export async function listInstalled(admin: OllamaAdmin, signal?: AbortSignal): Promise<InstalledModel[]> {
  const tags = await admin.tags(signal);
  // One /api/show per model, side by side: local and cheap, and a user rarely has more than a dozen.
  return Promise.all(
    tags.map(async (t) => {
      const base = fromTag(t);
      try {
        const show = await admin.show(t.name, signal);
        const contextLength = contextLengthOf(show);
        return { ...base, ...(contextLength ? { contextLength } : {}), ...(show.capabilities ? { capabilities: show.capabilities } : {}) };
      } catch {
        return base;
      }
    }),
  );
}

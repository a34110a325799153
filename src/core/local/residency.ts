/**
 * Which local models stay loaded. Ollama evicts the least recently used model when a new one
 * does not fit (or when OLLAMA_MAX_LOADED_MODELS is reached), so a chat request can throw the
 * completion model out and the next keystroke waits seconds for a reload. This planner decides,
 * from memory and Ollama's limits, whether the roles' models can live side by side; when they
 * cannot, it picks ONE model able to serve every role; when none can, it keeps the most
 * latency-sensitive role's model and tells the others to unload right after answering.
 * A pure function: everything it needs is in its input.
 */
import { estimateResidentBytes, formatBytes } from './memory';

export interface ResidencyRole {
  /** "completion", "chat", … in priority order: the first role is the one kept when memory is short. */
  role: string;
  model: string;
  /** Capability words the role needs from its model ("insert" for fill-in-the-middle). */
  needs?: string[];
}

export interface ModelFacts {
  /** Download/file size from /api/tags (or the catalogue when not installed). */
  fileBytes?: number;
  /** Real resident size from /api/ps when loaded; wins over the estimate. */
  loadedBytes?: number;
  /** From /api/show; undefined when not known. */
  capabilities?: string[];
}

export interface ResidencyInput {
  roles: ResidencyRole[];
  models: Record<string, ModelFacts>;
  /** Memory models may occupy (see usableModelMemory). */
  usableBytes: number;
  /** OLLAMA_MAX_LOADED_MODELS. */
  maxLoadedModels: number;
  /** OLLAMA_NUM_PARALLEL: each parallel slot holds its own KV cache. */
  numParallel: number;
  /** The configured keep_alive for models we keep. */
  keepAlive: string | number;
  /** What /api/ps says is loaded now (models of other tools included). */
  loaded: { model: string; sizeBytes: number }[];
}

export type ResidencyStrategy =
  /** Every role's model stays loaded at the same time. */
  | 'separate'
  /** Memory is short: one model serves every role. */
  | 'shared'
  /** No single model can serve every role: the first role's model stays, the others load on demand and leave at once. */
  | 'priority';

export interface ResidencyPlan {
  strategy: ResidencyStrategy;
  /** Role → the model that will serve it. */
  assignments: Record<string, string>;
  /** Model → keep_alive to send with its requests and warm-ups. */
  keepAlive: Record<string, string | number>;
  /** Models that stay loaded under this plan, with the memory we expect each to use. */
  resident: { model: string; bytes: number }[];
  residentBytes: number;
  usableBytes: number;
  /** Loaded models outside the plan that Ollama will evict to make room (other tools' models). */
  wouldEvict: string[];
  /** Human-readable steps of the decision, for the log and the panel. */
  reasons: string[];
}

/** Sizes we cannot know (a model neither installed nor in the catalogue) count as zero, and the plan says so. */
function residentBytes(facts: ModelFacts | undefined, numParallel: number): number | undefined {
  if (facts?.loadedBytes) return facts.loadedBytes;
  if (facts?.fileBytes) return estimateResidentBytes(facts.fileBytes, numParallel);
  return undefined;
}

function canServe(facts: ModelFacts | undefined, role: ResidencyRole): boolean {
  const needs = role.needs ?? [];
  if (needs.length === 0) return true;
  // Unknown capabilities: we cannot promise fill-in-the-middle, so such a model serves no role with needs.
  return facts?.capabilities !== undefined && needs.every((n) => facts.capabilities!.includes(n));
}

export function planResidency(input: ResidencyInput): ResidencyPlan {
  const { roles, models, usableBytes, maxLoadedModels, numParallel, keepAlive } = input;
  const reasons: string[] = [];
  const distinct = [...new Set(roles.map((r) => r.model))];
  const size = (m: string): number => {
    const bytes = residentBytes(models[m], numParallel);
    if (bytes === undefined) reasons.push(`${m}: size unknown (not installed?), counted as 0`);
    return bytes ?? 0;
  };
  const sizes = new Map(distinct.map((m) => [m, size(m)] as const));
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);

  const finish = (strategy: ResidencyStrategy, assignments: Record<string, string>, kept: string[], keepAliveFor: (m: string) => string | number): ResidencyPlan => {
    const resident = kept.map((m) => ({ model: m, bytes: sizes.get(m) ?? 0 }));
    const used = resident.reduce((a, r) => a + r.bytes, 0);
    // Ollama evicts least-recently-used first; we cannot know its order, so we list what does not fit.
    const wouldEvict: string[] = [];
    let room = usableBytes - used;
    let slots = maxLoadedModels - resident.length;
    for (const other of input.loaded.filter((l) => !kept.includes(l.model))) {
      if (other.sizeBytes <= room && slots > 0) {
        room -= other.sizeBytes;
        slots -= 1;
      } else wouldEvict.push(other.model);
    }
    const keepAliveMap: Record<string, string | number> = {};
    for (const m of new Set(Object.values(assignments))) keepAliveMap[m] = keepAliveFor(m);
    return { strategy, assignments, keepAlive: keepAliveMap, resident, residentBytes: used, usableBytes, wouldEvict, reasons };
  };

  const identity = Object.fromEntries(roles.map((r) => [r.role, r.model]));
  if (distinct.length <= 1) {
    reasons.push('one model serves every role already');
    return finish('separate', identity, distinct, () => keepAlive);
  }
  const fitsTogether = total <= usableBytes;
  const slotsOk = distinct.length <= maxLoadedModels;
  if (fitsTogether && slotsOk) {
    reasons.push(`${distinct.join(' + ')} need ${formatBytes(total)} of ${formatBytes(usableBytes)}: all stay loaded`);
    return finish('separate', identity, distinct, () => keepAlive);
  }
  reasons.push(
    !slotsOk
      ? `Ollama keeps at most ${maxLoadedModels} model(s) loaded (OLLAMA_MAX_LOADED_MODELS), ${distinct.length} wanted`
      : `${distinct.join(' + ')} need ${formatBytes(total)} but only ${formatBytes(usableBytes)} is usable`,
  );

  // One model for every role: it must cover every role's needs and fit alone. Prefer the largest
  // (the most capable) among those.
  const shared = distinct
    .filter((m) => roles.every((r) => canServe(models[m], r)) && (sizes.get(m) ?? 0) <= usableBytes)
    .sort((a, b) => (sizes.get(b) ?? 0) - (sizes.get(a) ?? 0))[0];
  if (shared) {
    reasons.push(`${shared} can serve ${roles.map((r) => r.role).join(' and ')}: it alone stays loaded`);
    return finish('shared', Object.fromEntries(roles.map((r) => [r.role, shared])), [shared], () => keepAlive);
  }

  // No model serves everything: keep the first role's model; the others unload right after
  // answering (keep_alive 0) so the kept one can come straight back.
  const first = roles[0]!.model;
  const firstFits = (sizes.get(first) ?? 0) <= usableBytes;
  reasons.push(
    firstFits
      ? `no single model serves every role: ${first} (${roles[0]!.role}) stays loaded, the others unload after each answer`
      : `${first} alone needs ${formatBytes(sizes.get(first) ?? 0)}, more than the ${formatBytes(usableBytes)} usable: choose a smaller model`,
  );
  return finish('priority', identity, firstFits ? [first] : [], (m) => (m === first ? keepAlive : 0));
}

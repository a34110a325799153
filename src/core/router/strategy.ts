/**
 * Routing strategies (issue 18 point 8, requirements §2), applied to the candidate list that
 * selection.ts planned, so selectCandidates itself stays a plan of what may serve:
 *
 * - priority (default): the list as planned.
 * - round_robin: providers of equal standing take turns leading, one step per request.
 * - weighted: providers of equal standing are ordered by a weighted draw (weights per provider,
 *   `switchyard.routing.weights`, default 1), so over many requests each leads in proportion.
 * - a manual primary (primary.ts, "Make Provider Primary…" / `switchyard primary`): its candidates
 *   lead the whole list, whatever the strategy; the rest keeps its order behind it. In Local-only
 *   mode a cloud primary has no candidates to lead (selection left them out), so it changes nothing.
 *
 * Equal standing, decided here: the same locality, and both listed by the task's list (settings
 * or the shipped defaults), as opposed to the last resorts selection adds after it or a pin. The
 * unit that moves is a provider's block: one provider's candidates keep their list order and stay
 * together, so a model's own fallbacks on the same provider still follow it. Only the groups'
 * internal order changes: local still leads cloud in auto mode, and last resorts stay last.
 *
 * fallback_models (expandFallbacks) works on the wanted list before selection resolves it: a
 * model's own ordered fallbacks are tried right after it, before the next entry of the task list.
 */
import type { Candidate } from '../types';

export type StrategyName = 'priority' | 'round_robin' | 'weighted';

export interface StrategyContext {
  strategy: StrategyName;
  /** Per provider id; missing ones weigh 1, 0 puts a provider last in its group. */
  weights?: Readonly<Record<string, number>>;
  /** The provider the user made primary, if any. */
  primary?: string;
  /** [0, 1), for weighted: a seeded one in tests. */
  random?: () => number;
  /** round_robin's turn, shared by the requests of one process (per task list). */
  turns?: RoundRobinTurns;
  /** Names the rotation (the task): each task's list takes its own turns. */
  key?: string;
}

/** Counts round_robin's turns per task. */
export class RoundRobinTurns {
  private readonly next = new Map<string, number>();
  take(key: string): number {
    const n = this.next.get(key) ?? 0;
    this.next.set(key, n + 1);
    return n;
  }
}

/** Reasons that mean "listed by the task's list": candidates with these are of equal standing when their locality matches. */
const LISTED = new Set(['why_settings_rank', 'why_defaults_rank']);

const standing = (c: Candidate): string | undefined => (c.reasons?.some((r) => LISTED.has(r.code)) ? c.locality : undefined);

export function applyStrategy(candidates: readonly Candidate[], ctx: StrategyContext): Candidate[] {
  let out = [...candidates];
  if (ctx.strategy !== 'priority') out = reorderGroups(out, ctx);
  if (ctx.primary) {
    const lead = out.filter((c) => c.ref.provider === ctx.primary);
    if (lead.length) out = [...lead, ...out.filter((c) => c.ref.provider !== ctx.primary)];
  }
  return out;
}

/** Reorders each run of equal standing by provider block; everything else keeps its place. */
function reorderGroups(list: Candidate[], ctx: StrategyContext): Candidate[] {
  const out: Candidate[] = [];
  let i = 0;
  let turn: number | undefined;
  while (i < list.length) {
    const s = standing(list[i]!);
    let j = i + 1;
    while (s !== undefined && j < list.length && standing(list[j]!) === s) j++;
    const run = list.slice(i, j);
    if (s === undefined || run.length < 2) out.push(...run);
    else {
      const blocks = blocksOf(run);
      if (ctx.strategy === 'round_robin') {
        turn ??= ctx.turns?.take(ctx.key ?? '') ?? 0;
        const k = turn % blocks.length;
        out.push(...[...blocks.slice(k), ...blocks.slice(0, k)].flat());
      } else out.push(...weightedOrder(blocks, ctx).flat());
    }
    i = j;
  }
  return out;
}

/** One provider's candidates together, providers in the order they first appear. */
function blocksOf(run: Candidate[]): Candidate[][] {
  const by = new Map<string, Candidate[]>();
  for (const c of run) {
    const b = by.get(c.ref.provider);
    if (b) b.push(c);
    else by.set(c.ref.provider, [c]);
  }
  return [...by.values()];
}

/** A weighted draw without replacement: each pick chooses among what is left in proportion to weight. */
function weightedOrder(blocks: Candidate[][], ctx: StrategyContext): Candidate[][] {
  const random = ctx.random ?? Math.random;
  const weightOf = (b: Candidate[]) => Math.max(0, ctx.weights?.[b[0]!.ref.provider] ?? 1);
  const left = [...blocks];
  const out: Candidate[][] = [];
  while (left.length) {
    const total = left.reduce((s, b) => s + weightOf(b), 0);
    let idx = 0;
    if (total > 0) {
      let x = random() * total;
      idx = left.findIndex((b) => (x -= weightOf(b)) < 0);
      if (idx < 0) idx = left.length - 1;
    }
    out.push(left.splice(idx, 1)[0]!);
  }
  return out;
}

/**
 * The wanted list with each model's own fallbacks right after it ("groq/llama-3.3-70b-versatile":
 * ["groq/llama-3.1-8b-instant", "gemini/gemini-2.0-flash"]), each ref once (its first place wins),
 * fallbacks of fallbacks followed too (a cycle stops at a ref already placed).
 */
export function expandFallbacks(list: readonly string[], fallbackModels: Readonly<Record<string, readonly string[]>> | undefined): { ref: string; parent?: string }[] {
  if (!fallbackModels || Object.keys(fallbackModels).length === 0) return list.map((ref) => ({ ref }));
  const out: { ref: string; parent?: string }[] = [];
  const placed = new Set<string>();
  const place = (ref: string, parent?: string) => {
    if (placed.has(ref)) return;
    placed.add(ref);
    out.push(parent ? { ref, parent } : { ref });
    for (const f of fallbackModels[ref] ?? []) place(f, parent ?? ref);
  };
  for (const ref of list) place(ref);
  return out;
}

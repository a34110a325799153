/**
 * Groups a routing decision's left-out models by what keeps them out, so the panel says each
 * cause once ("Ollama is not installed", "No API key for groq, zhipu") instead of once per model.
 * Decided on the typed `reason` and `fix` the router attaches (src/core/router/selection.ts),
 * never on its English sentences. Pure, so tests run without VS Code.
 */
import type { BudgetRefusal, NormalizedError, RoutingDecision } from '../../core/types';

export type Cause =
  /** Ollama is not installed: the download page. */
  | { cause: 'ollama_missing'; url: string; refs: string[] }
  /** A local provider is installed or configured but not answering: start it. */
  | { cause: 'local_stopped'; providers: string[]; refs: string[] }
  /** A local provider answers but has none of the models asked for: pull one. */
  | { cause: 'no_local_model'; providers: string[]; models: string[]; refs: string[] }
  /** Cloud providers with no key stored for their endpoint. */
  | { cause: 'no_key'; providers: string[]; refs: string[] }
  /** The budget refused the call: `reason` has the numbers when the cost module gave them, else its `message` says it. */
  | { cause: 'budget'; message: string; reason?: BudgetRefusal };

type Excluded = RoutingDecision['excluded'][number];

const push = <T>(list: T[], item: T) => {
  if (!list.includes(item)) list.push(item);
};

/**
 * One entry per cause, in a fixed order (local first, as routing is): what stops the local side,
 * then the cloud's missing keys, then the budget. Exclusions with no typed cause (disabled in
 * settings, the mode, a context window) make no line: they stay in the Details list.
 */
export function groupCauses(excluded: readonly Excluded[], error?: NormalizedError): Cause[] {
  let missing: Extract<Cause, { cause: 'ollama_missing' }> | undefined;
  let stopped: Extract<Cause, { cause: 'local_stopped' }> | undefined;
  let noModel: Extract<Cause, { cause: 'no_local_model' }> | undefined;
  let noKey: Extract<Cause, { cause: 'no_key' }> | undefined;
  for (const e of excluded) {
    const fix = e.fix;
    if (fix?.action === 'install_ollama') {
      missing ??= { cause: 'ollama_missing', url: fix.url, refs: [] };
      push(missing.refs, e.ref);
    } else if (fix?.action === 'start_local') {
      stopped ??= { cause: 'local_stopped', providers: [], refs: [] };
      push(stopped.providers, fix.provider);
      push(stopped.refs, e.ref);
    } else if (fix?.action === 'pull_model') {
      noModel ??= { cause: 'no_local_model', providers: [], models: [], refs: [] };
      push(noModel.providers, fix.provider);
      if (fix.model) push(noModel.models, fix.model);
      push(noModel.refs, e.ref);
    } else if (fix?.action === 'set_key') {
      noKey ??= { cause: 'no_key', providers: [], refs: [] };
      push(noKey.providers, fix.provider);
      push(noKey.refs, e.ref);
    }
  }
  const causes: Cause[] = [];
  for (const c of [missing, stopped, noModel, noKey]) if (c) causes.push(c);
  if (error?.kind === 'budget') causes.push({ cause: 'budget', message: error.message, ...(error.reason?.code === 'budget_refused' ? { reason: error.reason } : {}) });
  return causes;
}

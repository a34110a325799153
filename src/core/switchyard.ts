/**
 * The assembled core: providers built from settings, the classifier, selection and the router
 * loop behind the one `Switchyard` interface that the VS Code adapters, the CLI and the
 * completion provider use.
 *
 *   const sy = createSwitchyard({ config, keys, logger, spendGuard, escalation });
 *   for await (const ev of sy.stream({ messages, workspaceId, signal })) …
 */
import type { ProviderConfig, SwitchyardConfig } from './config';
import { type FetchLike, originOf } from './net/keyOrigin';
import { createProvider, providerBaseUrl } from './providers';
import { DEFAULT_MAX_TOKENS, DEFAULT_PROVIDERS } from './router/defaults';
import { InstalledModels } from './router/installedModels';
import type { ProviderGuard } from './router/guard';
import { routeStream } from './router/router';
import type { PrimaryStore } from './router/primary';
import type { RoutingSettings } from './router/routingSettings';
import { type ProviderEntry, selectCandidates } from './router/selection';
import { RoundRobinTurns } from './router/strategy';
import { resolveOllamaHost } from './local/ollamaHost';
import { classifyMessages } from './tasks/classify';
import { type TaskReason, taskReasonLine } from './reasons';
import { estimatePromptTokens } from './tokenEstimate';
import type { BindingLocalOnly, EscalationHook, LocalOnlyReason, KeyStore, LocalAvailability, Logger, ModelInfo, Provider, RouteRequest, RoutingDecision, SpendGuard, StreamEvent, Switchyard, Task } from './types';
import { silentLogger } from './types';

export interface SwitchyardDeps {
  config: SwitchyardConfig;
  keys: KeyStore;
  logger?: Logger;
  spendGuard?: SpendGuard;
  /** The reliability layer's seam (router/guard.ts): asked before and after every attempt. */
  providerGuard?: ProviderGuard;
  escalation?: EscalationHook;
  /** Replaces global fetch for every provider (the proxy-aware fetch, or a test's). */
  fetch?: FetchLike;
  /** For OLLAMA_HOST; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** The local sidecar: starts/probes local providers before use and plans keep_alive. */
  local?: LocalAvailability;
  /**
   * Local only that no request can lift (the user's own setting says so, or the folder is not
   * trusted): a request's mode or "Retry with…" pin cannot reach a cloud provider.
   */
  localOnly?: BindingLocalOnly;
  /** Strategies (switchyard.routing.*, router/strategy.ts) and the shared manual primary; absent: priority, no primary. */
  routing?: { settings: RoutingSettings; primary?: PrimaryStore; random?: () => number };
}

/** The Switchyard interface plus what the CLI and settings UI need to explain themselves. */
export interface AssembledSwitchyard extends Switchyard {
  /** Provider settings in force (the shipped defaults when the settings name none), with resolved endpoints. */
  readonly providerConfigs: Readonly<Record<string, ProviderConfig>>;
  /** The origin a provider's key is bound to, or undefined for an unknown/broken provider. */
  endpointOrigin(providerId: string): string | undefined;
  /** Providers that could not be built from settings, with the reason. */
  readonly unavailable: ReadonlyMap<string, string>;
}

/**
 * Provider settings in force: the user's when there are any, else the shipped defaults, with
 * the default Ollama pointed at `local.ollamaHost` / OLLAMA_HOST / 127.0.0.1:11434. A providers
 * setting that could not be read (wholly or an entry) never brings the shipped endpoints back:
 * what is left of the user's own is all there is.
 */
export function effectiveProviderConfigs(config: SwitchyardConfig, env: NodeJS.ProcessEnv): Record<string, ProviderConfig> {
  const providersUnread = config.refuseCloud?.some((r) => r.setting === 'providers' || r.setting.startsWith('providers.')) ?? false;
  if (Object.keys(config.providers).length > 0 || providersUnread) return { ...config.providers };
  const ollama = DEFAULT_PROVIDERS.ollama!;
  return { ...DEFAULT_PROVIDERS, ollama: { ...ollama, baseUrl: resolveOllamaHost(config.local.ollamaHost, env).baseUrl } };
}

export function createSwitchyard(deps: SwitchyardDeps): AssembledSwitchyard {
  const logger = deps.logger ?? silentLogger;
  const env = deps.env ?? process.env;
  const config = deps.config;
  const configs = effectiveProviderConfigs(config, env);
  const entries = new Map<string, ProviderEntry>();
  const unavailable = new Map<string, string>();
  for (const [id, providerConfig] of Object.entries(configs)) {
    try {
      const endpoint = providerBaseUrl(id, providerConfig);
      const provider = createProvider(id, providerConfig, { keys: deps.keys, fetch: deps.fetch, logger, network: config.network, env, trustedLocalHosts: config.network.trustedLocalHosts });
      entries.set(id, { id, config: providerConfig, provider, origin: originOf(endpoint) });
    } catch (err) {
      const why = (err as Error).message;
      unavailable.set(id, why);
      logger.warn('provider.unavailable', { provider: id, why });
    }
  }
  const installed = new InstalledModels();

  const turns = new RoundRobinTurns();
  /** The strategy as selection takes it; the primary is read per plan (another window may have changed it). */
  const routingContext = () => {
    const r = deps.routing;
    if (!r) return {};
    const primary = r.primary?.get();
    return {
      strategy: { strategy: r.settings.strategy, weights: r.settings.weights, turns, ...(primary ? { primary } : {}), ...(r.random ? { random: r.random } : {}) },
      fallbackModels: r.settings.fallbackModels,
    };
  };

  async function plan(req: Omit<RouteRequest, 'signal'> & { signal?: AbortSignal }): Promise<RoutingDecision> {
    // One size for the prompt: the classifier's, the context-window check's and (same function) the budget's.
    const promptTokens = estimatePromptTokens(req.messages, req.fim);
    const { task, reason: reasonData } = taskOf(req, promptTokens);
    const reason = taskReasonLine(reasonData, task);
    let mode = req.mode ?? config.mode;
    const pinned = req.pinned ?? (mode === 'pinned' ? config.pinned : undefined);
    if (mode === 'pinned' && !pinned) {
      logger.warn('route.pinned_without_model', { because: 'mode is pinned but no provider/model is set; using auto' });
      mode = 'auto';
    }
    const binding = deps.localOnly;
    let localOnly: LocalOnlyReason[] | undefined;
    if (binding) {
      localOnly = [...binding.reasons];
      // A pin still works for a local model; selection's gate refuses a cloud one.
      const pinnedLocal = pinned !== undefined && entries.get(pinned.split('/')[0]!)?.provider.locality === 'local';
      if (mode !== 'local' && !pinnedLocal && binding.because === 'user_setting') localOnly.push({ code: 'user_local_only_wins', setting: 'request', asked: pinned ?? mode });
      mode = 'local';
    }
    const fit = { promptTokens, answerTokens: req.maxTokens ?? DEFAULT_MAX_TOKENS };
    const decision = await selectCandidates(
      { task, taskReason: reason, taskReasonData: reasonData, mode, pinned, escalating: req.escalateFrom !== undefined, fit, signal: req.signal },
      { entries, keys: deps.keys, taskLists: config.tasks, installed, unavailable, local: deps.local, cloudRefused: config.refuseCloud, ...routingContext() },
    );
    return localOnly && localOnly.length > 0 ? { ...decision, localOnly } : decision;
  }

  return {
    providerConfigs: configs,
    unavailable,
    endpointOrigin: (id) => entries.get(id)?.origin,

    stream(req: RouteRequest): AsyncIterable<StreamEvent> {
      return routeStream(req, {
        plan,
        provider: (id) => entries.get(id)?.provider,
        keepAliveFor: (model) => deps.local?.keepAliveFor?.(model) ?? config.local.keepAlive,
        spendGuard: deps.spendGuard,
        providerGuard: deps.providerGuard,
        escalation: deps.escalation,
        cloudRefused: config.refuseCloud,
        logger,
      });
    },

    plan,

    async listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
      // Local only (binding, or cloud refused by an unreadable setting): not even a model listing goes to a cloud provider.
      const noCloud = config.mode === 'local' || deps.localOnly !== undefined || (config.refuseCloud?.length ?? 0) > 0;
      const asked = [...entries.values()].filter((e) => e.config.enabled && !(noCloud && e.provider.locality === 'cloud'));
      const lists = await Promise.all(
        asked.map((e) =>
          e.provider.listModels(signal).catch((err: unknown) => {
            logger.warn('provider.list_models_failed', { provider: e.id, message: (err as Error).message });
            return [] as ModelInfo[];
          }),
        ),
      );
      return lists.flat();
    },

    provider: (id: string): Provider | undefined => entries.get(id)?.provider,

    dispose(): void {
      installed.clear();
      for (const e of entries.values()) (e.provider as Provider & { dispose?: () => void }).dispose?.();
    },
  };
}

function taskOf(req: Pick<RouteRequest, 'task' | 'messages' | 'languageId' | 'fim'>, promptTokens: number): { task: Task; reason: TaskReason } {
  if (req.task) return { task: req.task, reason: { code: 'task_given' } };
  // A fill-in-the-middle request is an inline completion whatever its text says.
  if (req.fim) return { task: 'completion', reason: { code: 'task_fim' } };
  const c = classifyMessages(req.messages, { languageId: req.languageId, promptTokens });
  return { task: c.task, reason: c.reasonData };
}

/**
 * The local side of Switchyard as one object: the managed Ollama, the other local endpoints
 * (NPU, LM Studio, vLLM, llama.cpp), the installed and recommended models, pull/delete/warm-up
 * and the residency plan. The VS Code adapter and the CLI build one; the router asks it whether
 * a local provider is up; the status bar and the panel listen to `onDidChangeState`.
 *
 * Nothing is probed, spawned or detected at construction. `start()` (in the background after
 * activation) or the first `ensureAvailable()` does the work.
 */
import type { SwitchyardConfig } from '../config';
import { SwitchyardError, type KeyStore, type LocalAvailability, type LocalAvailabilityResult, type Logger } from '../types';
import type { BackoffOptions } from './backoff';
import { currentEnvironment, locateOllamaBinary } from './binaryLocator';
import { CATALOGUE, recommendModels, type LocalTask, type Recommendation } from './catalogue';
import { Emitter, type Event } from './emitter';
import { detectHardware, type Hardware } from './hardware';
import { listInstalled, withTag, type InstalledModel } from './inventory';
import { localEndpointsOf, probeEndpoint } from './localEndpoints';
import { usableModelMemory } from './memory';
import type { PsModel } from './ollamaAdmin';
import { resolveOllamaHost, type OllamaHost } from './ollamaHost';
import { OllamaManager } from './ollamaManager';
import { featuresForModel, type OllamaFeatures } from './ollamaVersion';
import { PullProgressTracker, type PullSnapshot } from './pullProgress';
import { probeStillHolds } from './probeFreshness';
import { planResidency, type ModelFacts, type ResidencyPlan, type ResidencyRole } from './residency';
import { isUsable, type EndpointState, type SidecarSnapshot } from './sidecarState';

/** Ollama's defaults when the variables are unset (wire reference §1): 3 models per GPU (3 on CPU), 1 parallel request. */
const DEFAULT_MAX_LOADED_MODELS = 3;
const DEFAULT_NUM_PARALLEL = 1;

export interface LocalSidecarOptions {
  config: SwitchyardConfig;
  logger: Logger;
  /** Tokens for local endpoints that want one (the NPU service). */
  keys?: KeyStore;
  /** The environment Ollama's settings come from (OLLAMA_HOST, OLLAMA_MAX_LOADED_MODELS…). */
  env?: NodeJS.ProcessEnv;
  locateBinary?: () => string | undefined;
  hardware?: () => Promise<Hardware>;
  fetch?: typeof fetch;
  backoff?: BackoffOptions;
  /** Clock of health-probe freshness (a test, a host's own clock); Date.now by default. */
  now?: () => number;
}

export interface PullOptions {
  signal: AbortSignal;
  onProgress?: (progress: PullSnapshot) => void;
  /** Clock for speed/ETA (tests pass a fake one); Date.now by default. */
  now?: () => number;
}

/** The Ollama base URL every part of Switchyard should use: switchyard.local.ollamaHost, the ollama provider's baseUrl, OLLAMA_HOST, then 127.0.0.1:11434. */
export function ollamaHostFor(config: SwitchyardConfig, env: NodeJS.ProcessEnv = process.env): OllamaHost {
  const providerUrl = Object.entries(config.providers).find(([, p]) => p.kind === 'ollama')?.[1].baseUrl;
  return resolveOllamaHost(config.local.ollamaHost ?? providerUrl, env);
}

export class LocalSidecar implements LocalAvailability {
  readonly ollama: OllamaManager;
  /** The provider id under which the router knows Ollama ("ollama" unless configured otherwise). */
  readonly ollamaProviderId: string;
  private readonly endpointConfigs: ReturnType<typeof localEndpointsOf>;
  private readonly endpoints = new Map<string, EndpointState>();
  private readonly probes = new Map<string, Promise<EndpointState>>();
  private readonly stateEmitter = new Emitter<SidecarSnapshot>();
  private readonly modelsEmitter = new Emitter<void>();
  private hardware: Promise<Hardware> | undefined;
  private lastPlan: ResidencyPlan | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => number;

  /** Fires whenever Ollama's or an endpoint's state changes (status bar, panel). */
  readonly onDidChangeState: Event<SidecarSnapshot> = this.stateEmitter.event;
  /** Fires after a pull or delete changed the installed models (the router drops its cache). */
  readonly onDidChangeModels: Event<void> = this.modelsEmitter.event;

  constructor(private readonly options: LocalSidecarOptions) {
    this.env = options.env ?? process.env;
    this.now = options.now ?? Date.now;
    const { config } = options;
    this.ollamaProviderId = Object.entries(config.providers).find(([, p]) => p.kind === 'ollama')?.[0] ?? 'ollama';
    this.ollama = new OllamaManager({
      host: ollamaHostFor(config, this.env),
      manage: config.local.manageOllama,
      logger: options.logger,
      locateBinary: options.locateBinary ?? (() => locateOllamaBinary(currentEnvironment(this.env))),
      env: this.env,
      startTimeoutMs: config.local.startTimeoutMs,
      healthIntervalMs: config.local.healthIntervalMs,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      now: this.now,
    });
    this.ollama.onDidChangeState(() => this.stateEmitter.fire(this.snapshot()));
    this.endpointConfigs = localEndpointsOf(config.providers);
    for (const ep of this.endpointConfigs) this.endpoints.set(ep.id, { providerId: ep.id, kind: ep.kind, baseUrl: ep.baseUrl, status: 'unknown' });
  }

  snapshot(): SidecarSnapshot {
    return { ollama: this.ollama.state, endpoints: [...this.endpoints.values()] };
  }

  /** True for Ollama and every configured local endpoint. */
  isLocalProvider(providerId: string): boolean {
    return providerId === this.ollamaProviderId || this.endpoints.has(providerId);
  }

  /**
   * Last known availability, without any I/O: true/false, or undefined when not checked yet or not
   * a local provider. The router should prefer `ensureAvailable`, which checks on first need.
   */
  isAvailable(providerId: string): boolean | undefined {
    const status = providerId === this.ollamaProviderId ? this.ollama.state.status : this.endpoints.get(providerId)?.status;
    if (status === undefined || status === 'unknown') return undefined;
    return isUsable(status);
  }

  /**
   * Whether a local provider can take a request now. For Ollama this starts it on first need (if
   * installed and management is on) and waits until it answers; for an endpoint it probes it when
   * the last result is stale. A non-local provider id answers available (not ours to judge).
   */
  async ensureAvailable(providerId: string): Promise<LocalAvailabilityResult> {
    if (providerId === this.ollamaProviderId) {
      const s = await this.ollama.ensureRunning();
      if (isUsable(s.status)) return { available: true };
      const state = s.status === 'missing' ? 'missing' : 'down';
      return { available: false, reason: s.reason ?? `Ollama is ${s.status}`, state, ...(s.installUrl ? { installUrl: s.installUrl } : {}) };
    }
    if (!this.endpoints.has(providerId)) return { available: true };
    const s = await this.probe(providerId);
    return s.status === 'ready' ? { available: true } : { available: false, reason: s.reason ?? `${providerId} is down`, state: 'down' };
  }

  /** Background start after activation: bring Ollama up (if configured) and probe every endpoint. */
  async start(): Promise<SidecarSnapshot> {
    await Promise.all([this.ollama.ensureRunning(), ...this.endpointConfigs.map((ep) => this.probe(ep.id, true))]);
    return this.snapshot();
  }

  /** Probes one endpoint (sharing an in-flight probe), re-probing when forced or stale. */
  private probe(id: string, force = false): Promise<EndpointState> {
    const known = this.endpoints.get(id)!;
    const fresh = probeStillHolds({ up: known.status === 'ready', checkedAt: known.checkedAt }, this.now(), this.options.config.local.healthIntervalMs);
    if (!force && known.status !== 'unknown' && fresh) return Promise.resolve(known);
    const inflight = this.probes.get(id);
    if (inflight) return inflight;
    const ep = this.endpointConfigs.find((e) => e.id === id)!;
    const p = probeEndpoint(ep, { keys: this.options.keys, logger: this.options.logger, now: this.now, ...(this.options.fetch ? { fetch: this.options.fetch } : {}) })
      .then((state) => {
        const before = this.endpoints.get(id);
        this.endpoints.set(id, state);
        if (before?.status !== state.status || before.reason !== state.reason) {
          this.options.logger[state.status === 'ready' ? 'info' : 'warn']('local.endpoint', { provider: id, status: state.status, reason: state.reason });
          this.stateEmitter.fire(this.snapshot());
        }
        return state;
      })
      .finally(() => this.probes.delete(id));
    this.probes.set(id, p);
    return p;
  }

  // --- models ---------------------------------------------------------------------------------

  /** Installed models with size, family, quantisation, context length and capabilities. */
  async installed(signal?: AbortSignal): Promise<InstalledModel[]> {
    await this.requireOllama();
    return listInstalled(this.ollama.admin, signal);
  }

  /** What Ollama has in memory now (/api/ps). */
  async loaded(signal?: AbortSignal): Promise<PsModel[]> {
    await this.requireOllama();
    return this.ollama.admin.ps(signal);
  }

  detectHardware(): Promise<Hardware> {
    this.hardware ??= (this.options.hardware ?? (() => detectHardware()))();
    return this.hardware;
  }

  /** A model per task, sized to this machine, marked when already installed. */
  async recommendations(installed?: InstalledModel[]): Promise<Recommendation[]> {
    const hw = await this.detectHardware();
    const names = new Set((installed ?? []).map((m) => m.name));
    return recommendModels(hw, names, this.numParallel());
  }

  /** Features a model can use on the running server (version and model capabilities together). */
  featuresFor(model: InstalledModel | undefined): OllamaFeatures {
    return featuresForModel(this.ollama.state.version, model?.capabilities);
  }

  /**
   * Pulls a model with progress. Cancelling (the signal) stops the download; Ollama keeps the
   * partial layers and resumes them next time. Throws SwitchyardError (kind "cancelled" on cancel).
   */
  async pull(model: string, options: PullOptions): Promise<void> {
    await this.requireOllama();
    const now = options.now ?? Date.now;
    const tracker = new PullProgressTracker();
    this.options.logger.info('local.pull.start', { model });
    try {
      for await (const line of this.ollama.admin.pull(model, options.signal)) {
        options.onProgress?.(tracker.update(line, now()));
      }
      this.options.logger.info('local.pull.done', { model, bytes: tracker.snapshot.totalBytes });
    } catch (err) {
      const e = err instanceof SwitchyardError ? err : new SwitchyardError({ kind: 'unknown', message: String(err), provider: 'ollama', retryable: false });
      this.options.logger.warn(e.info.kind === 'cancelled' ? 'local.pull.cancelled' : 'local.pull.failed', { model, error: e.message, completedBytes: tracker.snapshot.completedBytes });
      throw e;
    } finally {
      // Even a cancelled pull may have finished a layer; listeners re-read the list either way.
      this.modelsEmitter.fire();
    }
  }

  async deleteModel(model: string): Promise<void> {
    await this.requireOllama();
    await this.ollama.admin.delete(model);
    this.options.logger.info('local.delete', { model });
    this.modelsEmitter.fire();
  }

  /**
   * Loads a model into memory before it is needed (empty-messages request), with the keep_alive
   * the residency plan gives it (the configured one by default). State shows "loading" meanwhile.
   */
  async warmUp(model: string, keepAlive: string | number = this.options.config.local.keepAlive, signal?: AbortSignal): Promise<void> {
    await this.requireOllama();
    this.ollama.setLoading(model);
    const started = Date.now();
    try {
      await this.ollama.admin.load(model, keepAlive, signal);
      this.options.logger.info('local.warmup', { model, keepAlive, ms: Date.now() - started });
    } finally {
      this.ollama.setLoading(undefined);
    }
  }

  /** Warms the model the residency plan assigns to the next request's task (completion or chat). */
  async prepareFor(task: 'completion' | 'chat', signal?: AbortSignal): Promise<string | undefined> {
    const plan = await this.residencyPlan(undefined, signal);
    const model = plan.assignments[task];
    if (!model) return undefined;
    await this.warmUp(model, plan.keepAlive[model] ?? this.options.config.local.keepAlive, signal);
    return model;
  }

  /**
   * The residency plan for the completion and chat models (or the given roles), from this
   * machine's memory, Ollama's limits and what is installed and loaded now.
   */
  async residencyPlan(roles?: ResidencyRole[], signal?: AbortSignal): Promise<ResidencyPlan> {
    const [installed, loaded, hw] = await Promise.all([this.installed(signal), this.loaded(signal), this.detectHardware()]);
    const chosen = roles ?? (await this.defaultRoles(installed));
    const models: Record<string, ModelFacts> = {};
    for (const role of chosen) {
      const inst = installed.find((m) => m.name === withTag(role.model));
      const ps = loaded.find((m) => m.name === withTag(role.model));
      const cat = CATALOGUE.find((c) => c.model === role.model);
      const fileBytes = inst?.sizeBytes ?? cat?.sizeBytes;
      models[role.model] = {
        ...(fileBytes ? { fileBytes } : {}),
        ...(ps ? { loadedBytes: ps.size } : {}),
        ...(inst?.capabilities ? { capabilities: inst.capabilities } : {}),
      };
    }
    this.lastPlan = planResidency({
      roles: chosen,
      models,
      usableBytes: usableModelMemory(hw),
      maxLoadedModels: this.envInt('OLLAMA_MAX_LOADED_MODELS', DEFAULT_MAX_LOADED_MODELS),
      numParallel: this.numParallel(),
      keepAlive: this.options.config.local.keepAlive,
      loaded: loaded.map((m) => ({ model: m.name, sizeBytes: m.size })),
    });
    return this.lastPlan;
  }

  /**
   * The keep_alive to send with a request for `model` (router → provider): the last residency
   * plan's choice (0 for a model that must make room again at once), else the configured one.
   */
  keepAliveFor(model: string): string | number {
    return this.lastPlan?.keepAlive[withTag(model)] ?? this.lastPlan?.keepAlive[model] ?? this.options.config.local.keepAlive;
  }

  /**
   * Completion first (it is the latency-sensitive one), then chat: the configured models when
   * they are Ollama ones, else the installed recommendation, else the first installed model
   * that can do the job.
   */
  private async defaultRoles(installed: InstalledModel[]): Promise<ResidencyRole[]> {
    const { config } = this.options;
    const recs = await this.recommendations(installed);
    const ollamaModel = (ref: string | undefined) => (ref?.startsWith(`${this.ollamaProviderId}/`) ? ref.slice(this.ollamaProviderId.length + 1) : undefined);
    const pick = (task: LocalTask, configured: string | undefined, need?: string): string => {
      if (configured) return configured;
      const rec = recs.find((r) => r.task === task)!;
      if (rec.installed) return rec.model;
      const fallback = installed.find((m) => (need ? m.capabilities?.includes(need) : m.capabilities?.includes('completion') ?? true));
      return fallback?.name ?? rec.model;
    };
    const chatConfigured = (config.tasks.chat ?? []).map(ollamaModel).find((m) => m !== undefined && installed.some((i) => i.name === withTag(m)));
    return [
      { role: 'completion', model: pick('completion', ollamaModel(config.completion.model), 'insert'), needs: ['insert'] },
      { role: 'chat', model: pick('chat', chatConfigured) },
    ];
  }

  private numParallel(): number {
    return this.envInt('OLLAMA_NUM_PARALLEL', DEFAULT_NUM_PARALLEL);
  }

  private envInt(name: string, fallback: number): number {
    const n = Number(this.env[name]);
    return Number.isInteger(n) && n > 0 ? n : fallback;
  }

  /** Starts Ollama if needed; throws a clear error when it cannot be used. */
  private async requireOllama(): Promise<void> {
    const s = await this.ollama.ensureRunning();
    if (!isUsable(s.status)) {
      throw new SwitchyardError({
        kind: 'network',
        message: s.reason ?? `Ollama is ${s.status}.`,
        provider: this.ollamaProviderId,
        retryable: s.status !== 'missing',
      });
    }
  }

  async dispose(): Promise<void> {
    await this.ollama.dispose();
    this.stateEmitter.dispose();
    this.modelsEmitter.dispose();
  }
}

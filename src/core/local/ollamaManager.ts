/**
 * Keeps a local Ollama available: adopts a server that is already running (and never stops it),
 * or starts `ollama serve` as a managed child when Ollama is installed but not running, restarts
 * it with backoff when it dies, gives up on a crash loop, and stops it on dispose only if we
 * started it. Nothing happens until `ensureRunning()` is called: activation stays cheap.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as readline from 'node:readline';
import type { Logger } from '../types';
import { CrashBackoff, DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { OLLAMA_INSTALL_URL } from './binaryLocator';
import { Emitter, type Event } from './emitter';
import { OllamaAdmin } from './ollamaAdmin';
import type { OllamaHost } from './ollamaHost';
import { featuresForVersion } from './ollamaVersion';
import { DEFAULT_HEALTH_INTERVAL_MS, probeStillHolds } from './probeFreshness';
import type { OllamaSidecarState } from './sidecarState';
import { realTimers, type TimerHandle, type Timers } from '../timers';

/**
 * How long a fresh `ollama serve` may take to answer /api/version. It normally takes 1–3 s;
 * the first start on Windows, or with GPU discovery on a busy machine, can take much longer.
 */
export const DEFAULT_START_TIMEOUT_MS = 30_000;
/** Poll interval while waiting for a starting server. */
const START_POLL_MS = 200;
/** On dispose, a child that ignores SIGTERM this long is killed. Ollama unloads models and exits in < 1 s. */
const STOP_GRACE_MS = 5_000;
/** Log lines longer than this are cut: Ollama prints whole request dumps at debug level. */
const MAX_LOG_LINE = 2_000;

export interface OllamaManagerOptions {
  host: OllamaHost;
  /** switchyard.local.manageOllama: start `ollama serve` when it is installed but not running. */
  manage: boolean;
  logger: Logger;
  /** Finds the binary (injected for tests; see binaryLocator.ts). */
  locateBinary: () => string | undefined;
  /** Environment of the child; OLLAMA_HOST is set on top of it. */
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
  healthIntervalMs?: number;
  backoff?: BackoffOptions;
  fetch?: typeof fetch;
  /** Schedules the restart after a crash and the health checks (a test passes a manual clock). */
  timers?: Timers;
  /** Clock of the cached "down" (probeFreshness.ts); Date.now by default. */
  now?: () => number;
}

export class OllamaManager {
  readonly admin: OllamaAdmin;
  private readonly changed = new Emitter<OllamaSidecarState>();
  readonly onDidChangeState: Event<OllamaSidecarState> = this.changed.event;
  private current: OllamaSidecarState;
  private child: ChildProcess | undefined;
  private attempt: Promise<OllamaSidecarState> | undefined;
  private restartTimer: TimerHandle | undefined;
  private healthTimer: TimerHandle | undefined;
  private readonly timers: Timers;
  /** When the last probe failed; undefined after one succeeded or a restart wants a fresh look. */
  private lastProbeFailedAt: number | undefined;
  private disposed = false;
  private readonly backoff: CrashBackoff;

  constructor(private readonly options: OllamaManagerOptions) {
    this.admin = new OllamaAdmin(options.host.baseUrl, options.fetch);
    this.backoff = new CrashBackoff(options.backoff ?? DEFAULT_BACKOFF);
    this.timers = options.timers ?? realTimers;
    this.current = { status: 'unknown', baseUrl: options.host.baseUrl, owned: false, restarts: 0 };
  }

  private get healthIntervalMs(): number {
    return this.options.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS;
  }

  get state(): OllamaSidecarState {
    return this.current;
  }

  /**
   * Makes sure a server answers, starting one if we may. Concurrent callers share one attempt;
   * a recent failure is returned from cache so a burst of requests does not probe each time.
   */
  ensureRunning(): Promise<OllamaSidecarState> {
    if (this.disposed) return Promise.resolve(this.current);
    const s = this.current.status;
    if (s === 'ready' || s === 'loading') return Promise.resolve(this.current);
    if (this.attempt) return this.attempt;
    // A restart is scheduled: the answer is "down, restarting"; the timer does the work.
    if (this.restartTimer) return Promise.resolve(this.current);
    // A ready server is re-checked by the health timer, not here.
    if ((s === 'down' || s === 'missing') && probeStillHolds({ up: false, checkedAt: this.lastProbeFailedAt }, (this.options.now ?? Date.now)(), this.healthIntervalMs)) return Promise.resolve(this.current);
    this.attempt = this.bringUp().finally(() => (this.attempt = undefined));
    return this.attempt;
  }

  /** Marks a model load in progress (warm-up), so the UI can say "loading qwen2.5-coder…". */
  setLoading(model: string | undefined): void {
    if (model !== undefined && this.current.status === 'ready') this.update({ status: 'loading', loadingModel: model });
    else if (model === undefined && this.current.status === 'loading') this.update({ status: 'ready', loadingModel: undefined });
  }

  /** Stops a server we started; a server the user started keeps running. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.timers.clearTimeout(this.restartTimer);
    this.timers.clearInterval(this.healthTimer);
    this.restartTimer = this.healthTimer = undefined;
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      this.options.logger.info('ollama.stop', { pid: child.pid, why: 'Switchyard started it' });
      await stopChild(child);
    } else if (this.current.status === 'ready' && !this.current.owned) {
      this.options.logger.info('ollama.leave_running', { why: 'started outside Switchyard' });
    }
    this.changed.dispose();
  }

  private async bringUp(): Promise<OllamaSidecarState> {
    const { host, manage, logger } = this.options;
    this.update({ status: 'starting', reason: undefined });
    if (await this.adoptIfRunning()) return this.current;
    if (!host.isLoopback) {
      return this.fail('down', `Ollama at ${host.baseUrl} is not reachable. Switchyard only starts Ollama on this machine; check switchyard.local.ollamaHost.`);
    }
    // Looked for even when we may not start it: "not installed" and "installed but stopped" need different fixes.
    const binary = this.options.locateBinary();
    if (!manage && binary) {
      return this.fail('down', `Ollama is not running at ${host.baseUrl}. Start it with "ollama serve", or turn on switchyard.local.manageOllama.`);
    }
    if (!binary) {
      logger.warn('ollama.missing', { installUrl: OLLAMA_INSTALL_URL });
      return this.fail('missing', `Ollama is not installed (no "ollama" on PATH or in the usual install locations). Install it from ${OLLAMA_INSTALL_URL}.`, {
        installUrl: OLLAMA_INSTALL_URL,
      });
    }
    return this.spawnAndWait(binary);
  }

  /** True (and state "ready", not owned) when some server already answers at the host. */
  private async adoptIfRunning(): Promise<boolean> {
    try {
      const version = await this.admin.version();
      this.lastProbeFailedAt = undefined;
      const owned = this.child !== undefined;
      this.update({ status: 'ready', version, features: featuresForVersion(version), owned, reason: undefined, installUrl: undefined, ...(owned ? {} : { pid: undefined, binaryPath: undefined }) });
      if (!owned) this.options.logger.info('ollama.found', { baseUrl: this.options.host.baseUrl, version, owned: false });
      this.startHealthChecks();
      return true;
    } catch {
      return false;
    }
  }

  private async spawnAndWait(binary: string): Promise<OllamaSidecarState> {
    const { host, logger } = this.options;
    const env = { ...(this.options.env ?? process.env), OLLAMA_HOST: host.serveAddress };
    logger.info('ollama.spawn', { binary, host: host.serveAddress });
    let child: ChildProcess;
    try {
      child = spawn(binary, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (err) {
      return this.fail('down', `Could not start ${binary}: ${(err as Error).message}`);
    }
    this.child = child;
    this.update({ status: 'starting', owned: true, binaryPath: binary, pid: child.pid });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      // Ollama logs to stderr; every line goes to Switchyard's log (no prompts: Ollama logs none at info level).
      readline.createInterface({ input: stream }).on('line', (line) => logger.info('ollama.serve', { pid: child.pid, line: line.slice(0, MAX_LOG_LINE) }));
    }
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    void exited.then((how) => this.onChildExit(child, how));

    const deadline = Date.now() + (this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    while (Date.now() < deadline && !this.disposed && this.child === child) {
      try {
        const version = await this.admin.version();
        logger.info('ollama.ready', { pid: child.pid, version });
        this.lastProbeFailedAt = undefined;
        this.update({ status: 'ready', version, features: featuresForVersion(version), reason: undefined, installUrl: undefined });
        this.startHealthChecks();
        return this.current;
      } catch {
        const done = await Promise.race([exited.then(() => true), sleep(START_POLL_MS).then(() => false)]);
        if (done) return this.current; // onChildExit has set the state (and maybe scheduled a restart)
      }
    }
    if (this.child === child && !this.disposed) {
      logger.warn('ollama.start_timeout', { pid: child.pid });
      this.child = undefined;
      await stopChild(child);
      return this.fail('down', `Ollama did not answer within ${Math.round((this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS) / 1000)} s of starting. See the Switchyard log for its output.`);
    }
    return this.current;
  }

  private onChildExit(child: ChildProcess, how: { code: number | null; signal: NodeJS.Signals | null; error?: Error }): void {
    if (this.child !== child || this.disposed) return; // we stopped it ourselves
    this.child = undefined;
    this.timers.clearInterval(this.healthTimer);
    this.healthTimer = undefined;
    const what = how.error ? how.error.message : how.signal ? `signal ${how.signal}` : `exit code ${how.code}`;
    const decision = this.backoff.onCrash(Date.now());
    this.options.logger.warn('ollama.exited', { pid: child.pid, how: what, ...decision });
    if (!decision.restart) {
      this.fail('down', `Ollama keeps exiting (${decision.crashes} times in a short while; last: ${what}). Switchyard stopped restarting it; see the Switchyard log, then run "ollama serve" in a terminal to see why.`, { pid: undefined });
      return;
    }
    this.fail('down', `Ollama exited (${what}); restarting in ${Math.round(decision.delayMs / 100) / 10} s.`, { pid: undefined, restarts: decision.attempt });
    this.restartTimer = this.timers.setTimeout(() => {
      this.restartTimer = undefined;
      if (this.disposed) return;
      this.lastProbeFailedAt = undefined;
      void this.ensureRunning();
    }, decision.delayMs);
  }

  private startHealthChecks(): void {
    if (this.healthTimer || this.disposed) return;
    this.healthTimer = this.timers.setInterval(() => void this.checkHealth(), this.healthIntervalMs);
    // A health timer must never keep the CLI or a test process alive.
    this.healthTimer.unref?.();
  }

  private async checkHealth(): Promise<void> {
    if (this.attempt || this.disposed) return;
    try {
      const version = await this.admin.version();
      if (this.current.status === 'down') this.update({ status: 'ready', version, reason: undefined });
    } catch {
      if (this.current.status !== 'ready' && this.current.status !== 'loading') return;
      this.options.logger.warn('ollama.unhealthy', { baseUrl: this.options.host.baseUrl, owned: this.current.owned });
      this.timers.clearInterval(this.healthTimer);
      this.healthTimer = undefined;
      const child = this.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        // Our own server is alive but hung: kill it; its exit event restarts it with backoff,
        // as after a crash. (A dead one is already handled by that event.)
        child.kill('SIGKILL');
        return;
      }
      // A user's server that stopped: say so; the next need starts ours if management is on.
      this.fail('down', `Ollama stopped answering at ${this.options.host.baseUrl}.`);
    }
  }

  private fail(status: 'down' | 'missing', reason: string, extra: Partial<OllamaSidecarState> = {}): OllamaSidecarState {
    this.lastProbeFailedAt = (this.options.now ?? Date.now)();
    this.update({ status, reason, loadingModel: undefined, ...extra });
    return this.current;
  }

  private update(patch: Partial<OllamaSidecarState>): void {
    const next = { ...this.current, ...patch };
    for (const key of Object.keys(next) as (keyof OllamaSidecarState)[]) if (next[key] === undefined) delete next[key];
    const changed = JSON.stringify(next) !== JSON.stringify(this.current);
    this.current = next;
    if (changed && !this.disposed) this.changed.fire(next);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await gone;
  clearTimeout(timer);
}

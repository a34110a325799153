/**
 * Starts and stops code-server — the real VS Code workbench and extension host, runnable offline
 * (see ../shared/docs/vscode-offline-testing.md) — for the extension-host and UI tests, the
 * activation benchmark and `npm start`.
 *
 * Each server gets its own temporary user-data, extensions and workspace folders and runs in
 * its own process group, so stop() also ends the extension host (a separate process that would
 * outlive its parent otherwise).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Installed by scripts/setup.sh. */
export const CODE_SERVER_ENTRY = path.join(
  REPO_ROOT,
  '.test-tools/code-server/node_modules/code-server/out/node/entry.js',
);

/** code-server answers /healthz within a second of starting; give slow CI machines room. */
const STARTUP_TIMEOUT_MS = 60_000;
const HEALTH_POLL_INTERVAL_MS = 200;
/** Time for the process group to exit on SIGTERM before it gets SIGKILL. */
const STOP_GRACE_MS = 3_000;

/**
 * User settings that keep the workbench quiet and deterministic: no start-up editor, tips,
 * telemetry, update checks, experiments or chat features that would cover what tests look at.
 */
const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.commandCenter.enabled': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
};

/**
 * Retries and breakers keep state from one test to the next within a workbench (one guard log
 * per state directory): a test that scripts a provider's failures would open its breaker for the
 * tests after it, and a scripted single 500 would be retried instead of failed over. These suites
 * test failover, escalation and budgets with scripted faults; retries, breakers and quotas have
 * their own tests against the same doubles and real processes (test/unit/reliability/), health checks
 * too (health.test.ts).
 */
const RELIABILITY_FOR_SCRIPTED_FAULTS: Record<string, unknown> = {
  'switchyard.reliability.retry': { maxAttempts: 1 },
  'switchyard.reliability.breaker': { minRequests: 1_000_000, consecutiveConnectFailures: 1_000_000 },
  // No probes between a test's requests: tests count what the doubles received.
  'switchyard.reliability.health': { intervalMs: 0 },
};

export interface CodeServerOptions {
  /** Folder to open; default: a new temporary folder holding one README.md. */
  workspace?: string;
  /** Extra environment for code-server and so for the extension host (e.g. test server URLs). */
  env?: Record<string, string>;
  /** Display language, e.g. 'zh-cn'; sets vscode.env.language and the extension's l10n bundle. */
  locale?: string;
  /** Extra user settings, merged over the quiet defaults. */
  settings?: Record<string, unknown>;
  /** A .vsix to install before starting (tests what would ship instead of the source tree). */
  installVsix?: string;
  /** Fixed port (npm start); default: a free ephemeral port. */
  port?: number;
  /** Print code-server's own output (default: only on failure to start). */
  verbose?: boolean;
  /**
   * Keep user data and extensions in this folder across runs (npm start keeps API keys and
   * settings this way); default: a temporary folder removed by stop().
   */
  stateDir?: string;
}

export interface CodeServer {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly workspace: string;
  readonly userDataDir: string;
  /** `vscode-remote://127.0.0.1:<port><absPath>`: how the workbench names a server-side path. */
  remoteUri(absPath: string): string;
  /** Workbench URL opening the workspace, optionally with a payload (extensionDevelopmentPath…). */
  workbenchUrl(payload?: [string, string][]): string;
  /** Everything code-server printed so far (for diagnostics). */
  output(): string;
  stop(): Promise<void>;
}

export function isCodeServerInstalled(): boolean {
  return fs.existsSync(CODE_SERVER_ENTRY);
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  if (!isCodeServerInstalled()) {
    throw new Error(`code-server is not installed at ${CODE_SERVER_ENTRY}: run \`bash scripts/setup.sh\` first.`);
  }
  const root = options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-code-server-'));
  fs.mkdirSync(root, { recursive: true });
  const userDataDir = path.join(root, 'user');
  const extensionsDir = path.join(root, 'extensions');
  const workspace = options.workspace ?? makeWorkspace(path.join(root, 'workspace'));
  writeUserConfig(userDataDir, options);
  const configFile = path.join(root, 'config.yaml');
  // Our own config file, otherwise code-server writes one into the home folder.
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Offline: stop marketplace look-ups that can only fail and log noise.
    EXTENSIONS_GALLERY: '{}',
    // The usage ledger of this profile, not the machine's (~/.local/state/switchyard): each run
    // starts with an empty budget, as it did when the ledger lived in the profile's globalStorage.
    SWITCHYARD_STATE_DIR: process.env.SWITCHYARD_STATE_DIR || path.join(root, 'switchyard-state'),
    // No walkthrough on first install: it would take the focus in the middle of a test (src/vscode/firstRun/walkthrough.ts).
    SWITCHYARD_NO_WALKTHROUGH: '1',
    ...options.env,
  };
  const common = ['--config', configFile, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  if (options.installVsix) {
    await runToEnd(process.execPath, [CODE_SERVER_ENTRY, ...common, '--install-extension', options.installVsix], env);
  }
  if (options.locale && options.locale !== 'en') await installLanguagePack(options.locale, root, common, env);

  const port = options.port ?? (await freePort());
  const args = [
    CODE_SERVER_ENTRY,
    ...common,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...(options.locale ? ['--locale', options.locale] : []),
    workspace,
  ];
  // detached: a process group of its own, so stop() can signal the extension host as well.
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  trackGroup(child);
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    if (options.verbose) process.stderr.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const url = `http://127.0.0.1:${port}`;
  const server: CodeServer = {
    url,
    port,
    workspace,
    userDataDir,
    remoteUri: (absPath) => `vscode-remote://127.0.0.1:${port}${absPath}`,
    workbenchUrl: (payload) => {
      const query = new URLSearchParams({ folder: workspace });
      if (payload) query.set('payload', JSON.stringify(payload));
      return `${url}/?${query.toString()}`;
    },
    output: () => output,
    stop: () => stopGroup(child, options.stateDir ? undefined : root),
  };
  try {
    await waitHealthy(url, child);
  } catch (error) {
    await server.stop();
    throw new Error(`${(error as Error).message}\n--- code-server output ---\n${output}`);
  }
  return server;
}

/**
 * code-server only switches its display language (and so vscode.env.language and the extension's
 * l10n bundle) to a locale that an installed language pack declares. The Marketplace packs are
 * out of reach offline, so the tests install a stub pack (fixtures/<locale>-language-pack) that
 * declares the locale with empty translations: VS Code's own strings stay English, the
 * extension's become the locale's.
 */
async function installLanguagePack(locale: string, root: string, common: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const fixture = path.join(__dirname, 'fixtures', `${locale}-language-pack`);
  if (!fs.existsSync(fixture)) throw new Error(`no test language pack for locale "${locale}" (expected ${fixture})`);
  const vsix = path.join(root, `${locale}-language-pack.vsix`);
  // A .vsix is a zip with the extension under extension/; python3's zipfile writes one with no
  // extra npm dependency (python3 is already required to build code-server's native modules).
  await runToEnd('python3', ['-m', 'zipfile', '-c', vsix, 'extension'], process.env, fixture);
  await runToEnd(process.execPath, [CODE_SERVER_ENTRY, ...common, '--install-extension', vsix], env);
  // The server reads <user-data-dir>/languagepacks.json to resolve a locale when it serves the
  // workbench, but writes that file only when something lists the language packs; write it.
  const manifest = JSON.parse(fs.readFileSync(path.join(fixture, 'extension/package.json'), 'utf8'));
  const id = `${manifest.publisher}.${manifest.name}`;
  const installed = path.join(root, 'extensions', `${id}-${manifest.version}`);
  const translations = path.join(installed, manifest.contributes.localizations[0].translations[0].path);
  const packs = {
    [locale]: {
      hash: `${manifest.name}-${manifest.version}`,
      extensions: [{ extensionIdentifier: { id }, version: manifest.version }],
      translations: { vscode: translations },
      label: manifest.contributes.localizations[0].localizedLanguageName,
    },
  };
  fs.writeFileSync(path.join(root, 'user', 'languagepacks.json'), JSON.stringify(packs));
}

function makeWorkspace(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'README.md'), '# Switchyard test workspace\n');
  return dir;
}

function writeUserConfig(userDataDir: string, options: CodeServerOptions): void {
  const userDir = path.join(userDataDir, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  const settingsFile = path.join(userDir, 'settings.json');
  // A kept profile (stateDir) keeps what its user changed since.
  if (!(options.stateDir && fs.existsSync(settingsFile))) {
    fs.writeFileSync(settingsFile, JSON.stringify({ ...QUIET_SETTINGS, ...RELIABILITY_FOR_SCRIPTED_FAULTS, ...options.settings }, null, 2));
  }
  if (options.locale) {
    // The workbench reads its display language from argv.json; --locale covers the server side.
    fs.writeFileSync(path.join(userDir, 'argv.json'), JSON.stringify({ locale: options.locale }));
  }
}

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode} while starting`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_INTERVAL_MS));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${STARTUP_TIMEOUT_MS} ms`);
}

async function stopGroup(child: ChildProcess, temporaryRoot: string | undefined): Promise<void> {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
  // The extension host may linger a moment after its parent; make sure the group is gone.
  if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
  if (temporaryRoot) fs.rmSync(temporaryRoot, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Process groups still running. A detached group outlives its parent, so if the test process
 * dies (a timeout, Ctrl-C, an uncaught error) these are killed on the way out — otherwise a
 * crashed run leaves code-server and its extension host running.
 */
const liveGroups = new Set<number>();
let exitHooksInstalled = false;

function trackGroup(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  liveGroups.add(pid);
  child.once('exit', () => liveGroups.delete(pid));
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = (): void => {
    for (const group of liveGroups) signalGroup(group, 'SIGKILL');
  };
  process.once('exit', killAll);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(code);
    });
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(args[1] ?? command)} exited ${code}:\n${output}`)),
    );
  });
}

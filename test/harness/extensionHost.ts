/**
 * Runs an extension-host test entry (a module exporting run(), e.g. out/test/extension/index.js)
 * inside a real VS Code and reports its exit code and counts.
 *
 * First choice is @vscode/test-electron, which downloads a desktop VS Code; where that download
 * cannot happen (no internet: DNS fails within milliseconds, a dead network within the probe
 * timeout) or there is no display to show Electron on, the same entry runs in code-server: the
 * workbench is opened in Chromium with a `payload` naming the extension under development and
 * the tests, and the workbench reports the test output and the exit code through two functions
 * the page exposes (codeAutomationLog / codeAutomationExit).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { REPO_ROOT, startCodeServer } from './codeServer';
import { RESULTS_FILE_ENV, type ExtensionHostResults } from './protocol';
import { openWorkbench } from './workbench';

/** The VS Code that code-server 4.100.3 embeds; test-electron downloads the same for parity. */
const VSCODE_VERSION = '1.100.3';
/** How long the test-electron download may take to show it can work at all (idle timeout). */
const DOWNLOAD_PROBE_TIMEOUT_MS = 10_000;
/**
 * Whole-run cap: a hung extension host must fail the run, not stall CI. The suites take about a
 * minute on an idle 2-core machine; SWITCHYARD_EXTENSION_TIMEOUT_MS overrides.
 */
const DEFAULT_RUN_TIMEOUT_MS = Number(process.env.SWITCHYARD_EXTENSION_TIMEOUT_MS) || 8 * 60_000;

export type HostKind = 'test-electron' | 'code-server';

export interface ExtensionHostRunOptions {
  /** Absolute path of the compiled entry module exporting run(). */
  testsPath: string;
  /** The extension under test; default: this repository. */
  extensionPath?: string;
  /** Extra environment for the extension host (e.g. URLs of local test servers). */
  env?: Record<string, string>;
  /** Display language, e.g. 'zh-cn'. */
  locale?: string;
  timeoutMs?: number;
  /** Where each line of test output goes; default: stdout. */
  onOutput?: (line: string) => void;
  /** Force one host; default: SWITCHYARD_VSCODE env var, else automatic. */
  host?: HostKind;
}

export interface ExtensionHostRunResult extends ExtensionHostResults {
  exitCode: number;
  host: HostKind;
}

export async function runExtensionHostTests(options: ExtensionHostRunOptions): Promise<ExtensionHostRunResult> {
  const forced = options.host ?? (process.env.SWITCHYARD_VSCODE as HostKind | undefined);
  if (forced !== 'code-server') {
    const electron = await tryDownloadVsCode();
    if (electron.executable && (process.platform !== 'linux' || process.env.DISPLAY)) {
      return runInTestElectron(options, electron.executable);
    }
    const why = electron.executable ? 'no DISPLAY for Electron' : `VS Code download unavailable (${electron.reason})`;
    if (forced === 'test-electron') throw new Error(`test-electron was requested but ${why}`);
    (options.onOutput ?? console.log)(`extension host: ${why}; using the offline code-server instead`);
  }
  return runInCodeServer(options);
}

async function tryDownloadVsCode(): Promise<{ executable?: string; reason?: string }> {
  try {
    const { downloadAndUnzipVSCode, SilentReporter } = await import('@vscode/test-electron');
    const executable = await withTimeout(
      downloadAndUnzipVSCode({ version: VSCODE_VERSION, timeout: DOWNLOAD_PROBE_TIMEOUT_MS, reporter: new SilentReporter() }),
      // The idle timeout covers a stalled transfer; this covers a connect that never answers.
      2 * DOWNLOAD_PROBE_TIMEOUT_MS,
      'download probe timed out',
    );
    return { executable };
  } catch (error) {
    return { reason: firstLine(error) };
  }
}

async function runInTestElectron(options: ExtensionHostRunOptions, executable: string): Promise<ExtensionHostRunResult> {
  const { runTests } = await import('@vscode/test-electron');
  const resultsFile = tempResultsFile();
  let exitCode: number;
  try {
    exitCode = await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: options.extensionPath ?? REPO_ROOT,
      extensionTestsPath: options.testsPath,
      extensionTestsEnv: {
        // The ledger of this run, never the machine's (see codeServer.ts).
        SWITCHYARD_STATE_DIR: process.env.SWITCHYARD_STATE_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-state-')),
        ...options.env,
        [RESULTS_FILE_ENV]: resultsFile,
      },
      launchArgs: [
        fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-ws-')),
        '--disable-extensions',
        ...(options.locale ? ['--locale', options.locale] : []),
      ],
    });
  } catch (error) {
    (options.onOutput ?? console.log)(firstLine(error));
    exitCode = 1;
  }
  return { ...readResults(resultsFile, exitCode), exitCode, host: 'test-electron' };
}

async function runInCodeServer(options: ExtensionHostRunOptions): Promise<ExtensionHostRunResult> {
  const output = options.onOutput ?? ((line: string) => console.log(line));
  const resultsFile = tempResultsFile();
  const server = await startCodeServer({ env: { ...options.env, [RESULTS_FILE_ENV]: resultsFile }, locale: options.locale });
  let workbench: Awaited<ReturnType<typeof openWorkbench>> | undefined;
  try {
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    workbench = await openWorkbench(server, {
      waitReady: false,
      payload: [
        ['extensionDevelopmentPath', server.remoteUri(options.extensionPath ?? REPO_ROOT)],
        ['extensionTestsPath', server.remoteUri(options.testsPath)],
      ],
      beforeNavigate: async (page) => {
        await page.exposeFunction('codeAutomationLog', (_level: unknown, args: unknown[]) => {
          const line = format(...(Array.isArray(args) ? args : [args]));
          if (!isWorkbenchNoise(line)) output(line);
        });
        await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
      },
    });
    const timeoutMs = options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
    const exitCode = await withTimeout(exited, timeoutMs, `extension-host tests did not finish within ${timeoutMs} ms`).catch(
      (error: unknown) => {
        output(firstLine(error));
        return 1;
      },
    );
    return { ...readResults(resultsFile, exitCode), exitCode, host: 'code-server' };
  } finally {
    await workbench?.close();
    await server.stop();
    fs.rmSync(path.dirname(resultsFile), { recursive: true, force: true });
  }
}

/**
 * The workbench sends its own log lines over the same channel as the tests' console output;
 * these patterns are the ones that appear on every offline run and say nothing about the tests.
 */
const NOISE = [
  /^\[(?:Extension Host|LocalProcess|remote|main|renderer|network|Service Worker)\]/i,
  /^Creating a socket \(/,
  /^Resolv(?:ing|ed) connection token/,
  /^Creation of workbench contribution/,
  /^ChatSessionStore:/,
  /^Updating additional builtin extensions cache/,
  /marketplace|gallery|telemetry/i,
  /^%c/,
];
function isWorkbenchNoise(line: string): boolean {
  return NOISE.some((pattern) => pattern.test(line));
}

function tempResultsFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-results-')), 'results.json');
}

/** Counts from the in-host entry; when it never wrote them (a crash, a file that threw on load),
 * a failed run counts as one failure so the total can never read "0 failed" for a red run. */
function readResults(file: string, exitCode: number): ExtensionHostResults {
  try {
    const results = JSON.parse(fs.readFileSync(file, 'utf8')) as ExtensionHostResults;
    if (exitCode !== 0 && results.failed === 0) results.failed = 1;
    return results;
  } catch {
    return { passed: 0, failed: exitCode === 0 ? 0 : 1 };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
}

/**
 * The in-host half of bench/activation.ts: loaded by VS Code as `extensionTestsPath` in a fresh
 * extension host, where Switchyard has not been activated yet (the bench strips its start-up
 * activation event). Times the two parts of activation separately — loading dist/extension.js
 * (the host's require of the bundle) and then `extension.activate()` — and writes both to the
 * results file, so a slow activation says which part to fix.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { RESULTS_FILE_ENV, type ExtensionHostResults } from '../test/harness/protocol';

const EXTENSION_ID = 'switchyard-dev.switchyard';
/**
 * How long the workbench's own start-up is given to finish before timing (see run());
 * SWITCHYARD_BENCH_SETTLE_MS=0 measures in the middle of start-up instead.
 */
const STARTUP_SETTLE_MS = Number(process.env.SWITCHYARD_BENCH_SETTLE_MS ?? 4000);

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded`);
  if (extension.isActive) throw new Error('Switchyard was already active: an activation event fires at start-up');
  // Switchyard activates on onStartupFinished (or when its panel is restored), i.e. after the
  // workbench has started; this entry runs while it is still starting, and on a 2-core machine
  // that start-up competes for the CPU. Waiting it out measures activation as users meet it.
  await new Promise((resolve) => setTimeout(resolve, STARTUP_SETTLE_MS));
  const loadStarted = performance.now();
  // The host requires the same file through Node's module cache, so activate() below reuses it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(`${extension.extensionPath}/dist/extension.js`);
  const loadMs = performance.now() - loadStarted;
  const started = performance.now();
  const api = (await extension.activate()) as { activateBodyMs: number };
  const activateMs = performance.now() - started;
  // activate() includes what VS Code does before calling our function (building the
  // ExtensionContext: storage, secrets); the extension reports its function's own share.
  const bodyMs = api.activateBodyMs;
  const activationMs = loadMs + activateMs;
  const results: ExtensionHostResults = { passed: 1, failed: 0, measurements: { activationMs, loadMs, activateMs, bodyMs } };
  const file = process.env[RESULTS_FILE_ENV];
  if (file) fs.writeFileSync(file, JSON.stringify(results));
  console.log(`activation: ${activationMs.toFixed(2)} ms (load ${loadMs.toFixed(2)} + activate() ${activateMs.toFixed(2)}, of which our function ${bodyMs.toFixed(2)})`);
}

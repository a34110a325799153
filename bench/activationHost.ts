/**
 * The in-host half of bench/activation.ts: loaded by VS Code as `extensionTestsPath` in a fresh
 * extension host, where Switchyard has not been activated yet (it has no start-up activation
 * events). Times `extension.activate()` — which includes loading dist/extension.js — and writes
 * the milliseconds to the results file.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { RESULTS_FILE_ENV, type ExtensionHostResults } from '../test/harness/protocol';

const EXTENSION_ID = 'switchyard-dev.switchyard';

export async function run(): Promise<void> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not loaded`);
  if (extension.isActive) throw new Error('Switchyard was already active: an activation event fires at start-up');
  const started = performance.now();
  await extension.activate();
  const activationMs = performance.now() - started;
  const results: ExtensionHostResults = { passed: 1, failed: 0, measurements: { activationMs } };
  const file = process.env[RESULTS_FILE_ENV];
  if (file) fs.writeFileSync(file, JSON.stringify(results));
  console.log(`activation: ${activationMs.toFixed(2)} ms`);
}

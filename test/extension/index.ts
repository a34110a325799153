/**
 * The extension-host test entry point (`extensionTestsPath`): VS Code loads this module inside
 * its extension host and calls run(). It runs every bundled suite next to it — esbuild.mjs
 * --tests compiles each test/extension/*.test.ts to out/test/extension/*.test.js — so adding a
 * test is adding a file. Works the same under @vscode/test-electron and under code-server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { RESULTS_FILE_ENV, type ExtensionHostResults } from '../harness/protocol';

/** Extension-host tests start a real workbench piece by piece; generous but bounded. */
const TEST_TIMEOUT_MS = 20_000;

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    // Output travels through the workbench's log channel, where colour codes are only noise.
    color: false,
    reporter: 'spec',
    timeout: TEST_TIMEOUT_MS,
    grep: process.env.SWITCHYARD_TEST_GREP,
  });
  const files = fs
    .readdirSync(__dirname)
    .filter((name) => name.endsWith('.test.js'))
    .sort();
  for (const file of files) mocha.addFile(path.join(__dirname, file));

  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const counts: ExtensionHostResults = { passed: runner.stats?.passes ?? 0, failed: failures, files: files.length };
        const resultsFile = process.env[RESULTS_FILE_ENV];
        if (resultsFile) fs.writeFileSync(resultsFile, JSON.stringify(counts));
        if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
        else if (files.length === 0) reject(new Error(`no extension-host test files found in ${__dirname}`));
        else resolve();
      });
    } catch (error) {
      // A suite that throws while loading must fail the run, not vanish.
      reject(error);
    }
  });
}

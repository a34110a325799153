/**
 * Layer 2 of `npm test`: every test/extension/*.test.ts, run by mocha inside a real VS Code
 * extension host. Expects `node esbuild.mjs --tests` to have built out/test/extension/.
 * Usage: npx tsx test/harness/runExtensionTests.ts [--summary-file <path>]
 * Env: SWITCHYARD_VSCODE=code-server|test-electron forces a host; SWITCHYARD_TEST_GREP filters
 * tests; every other variable of this process reaches the extension host too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './codeServer';
import { runExtensionHostTests } from './extensionHost';
import { writeSummary } from './summary';

async function main(): Promise<number> {
  const testsPath = path.join(REPO_ROOT, 'out/test/extension/index.js');
  if (!fs.existsSync(testsPath)) {
    console.error(`${testsPath} is missing: run \`node esbuild.mjs --tests\` first.`);
    return 1;
  }
  const started = Date.now();
  const result = await runExtensionHostTests({ testsPath });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `\nextension host (${result.host}): ${result.passed} passing, ${result.failed} failing` +
      ` in ${result.files ?? '?'} file(s), ${seconds} s, exit code ${result.exitCode}`,
  );
  writeSummary('extension', result);
  return result.exitCode === 0 && result.failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    writeSummary('extension', { passed: 0, failed: 1 });
    process.exit(1);
  },
);

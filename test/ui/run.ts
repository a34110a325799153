/**
 * Layer 3 of `npm test`: UI end-to-end tests. Runs every test/ui/*.ui.ts with mocha in this
 * process; they drive code-server's workbench in Chromium (see test/harness/uiSession.ts) and
 * save screenshots to test-results/screenshots/.
 * Usage: npx tsx test/ui/run.ts [grep]   (expects `node esbuild.mjs` to have built dist/)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { writeSummary } from '../harness/summary';
import { closeSharedUiSession, latestUiSession } from '../harness/uiSession';
import { SCREENSHOT_DIR, screenshot } from '../harness/workbench';

/** A UI step waits for the workbench; the first test also waits for code-server to start. */
const UI_TEST_TIMEOUT_MS = 120_000;

async function main(): Promise<number> {
  const files = fs
    .readdirSync(__dirname)
    .filter((name) => name.endsWith('.ui.ts'))
    .sort()
    .map((name) => path.join(__dirname, name));
  if (files.length === 0) {
    console.error(`no UI tests (*.ui.ts) in ${__dirname}`);
    return 1;
  }
  // The folder shows this run: a full run starts it empty, a filtered one drops only old failures
  // (a FAILED-* picture from an earlier run reads like a failure of this one).
  if (!process.argv[2]) fs.rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
  else for (const name of fs.existsSync(SCREENSHOT_DIR) ? fs.readdirSync(SCREENSHOT_DIR) : []) if (name.startsWith('FAILED-')) fs.rmSync(path.join(SCREENSHOT_DIR, name));
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: UI_TEST_TIMEOUT_MS,
    reporter: require.resolve('../harness/specWithSummary'),
    reporterOptions: { layer: 'ui' },
    grep: process.argv[2],
    rootHooks: {
      // What the user saw when a test failed is the first thing anyone debugging it wants.
      async afterEach(this: Mocha.Context) {
        const test = this.currentTest;
        const session = latestUiSession();
        if (test?.state === 'failed' && session) {
          const file = await screenshot(session.page, `FAILED-${test.fullTitle()}`).catch(() => undefined);
          if (file) console.log(`      screenshot of the failure: ${path.relative(process.cwd(), file)}`);
        }
      },
    },
  });
  for (const file of files) mocha.addFile(file);
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  await closeSharedUiSession();
  console.log(`UI tests: ${failures === 0 ? 'all passed' : `${failures} failed`}; screenshots in ${path.relative(process.cwd(), SCREENSHOT_DIR)}/`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(error);
    writeSummary('ui', { passed: 0, failed: 1 });
    await closeSharedUiSession();
    process.exit(1);
  },
);

/**
 * `npm start` without a desktop `code`: serves the offline VS Code (code-server, the one the
 * tests use) on 127.0.0.1 with Switchyard loaded from this folder as extension under
 * development, prints the URL and runs until Ctrl-C. User data (settings, API keys) persists in
 * .test-tools/start-profile/.
 * Usage: npx tsx scripts/start-code-server.ts [workspace folder]   Env: SWITCHYARD_PORT (8080)
 */
import * as path from 'node:path';
import { REPO_ROOT, startCodeServer } from '../test/harness/codeServer';

/** code-server's own default port. */
const DEFAULT_PORT = 8080;

async function main(): Promise<void> {
  const workspace = path.resolve(process.argv[2] ?? REPO_ROOT);
  const port = Number(process.env.SWITCHYARD_PORT ?? DEFAULT_PORT);
  const server = await startCodeServer({
    workspace,
    port,
    stateDir: path.join(REPO_ROOT, '.test-tools/start-profile'),
  });
  const url = server.workbenchUrl([['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)]]);
  console.log(`\nSwitchyard is loaded in VS Code (code-server ${server.url}, workspace ${workspace}).`);
  console.log(`Open this URL in a browser on this machine:\n\n  ${url}\n\nCtrl-C stops it.`);
  const stop = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

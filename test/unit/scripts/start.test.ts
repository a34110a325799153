/**
 * Keeps scripts/start.sh (`npm start`) honest (issue 16 point 4): run for real with a fake `code`
 * on PATH it opens that `code` with Switchyard as the extension under development, and — on a
 * machine with no Ollama and no key — with the demo servers started and named in its
 * environment (the servers really answer); without `code` and with port 8080 taken it picks a
 * free port and says so (dry run: code-server itself is not started).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const REPO = path.resolve(__dirname, '../../..');
const START = path.join(REPO, 'scripts/start.sh');
const run = promisify(execFile);

/** An environment with no `code`, no `ollama`, no key, and Ollama's address on a closed port. */
function bareEnv(bin: string, closedPort: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    HOME: process.env.HOME,
    PATH: [bin, path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter),
    OLLAMA_HOST: `127.0.0.1:${closedPort}`,
    SWITCHYARD_TOOLS_CACHE: process.env.SWITCHYARD_TOOLS_CACHE,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
    ...extra,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('scripts/start.sh (npm start)', function () {
  this.timeout(120_000);
  let bin: string;
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-start-'));
    bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('opens the desktop `code` with Switchyard, and with no Ollama and no key starts the demo servers for it', async () => {
    const record = path.join(tmp, 'code-call.json');
    // The fake `code`: records its arguments and the demo variables, and asks the demo local server for its models (so it was really up).
    fs.writeFileSync(
      path.join(bin, 'code'),
      `#!/usr/bin/env node
const url = process.env.SWITCHYARD_DEMO_LOCAL_URL;
const done = (models) => require('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args: process.argv.slice(2), local: url, cloud: process.env.SWITCHYARD_DEMO_CLOUD_URL, models }));
if (!url) done(null); else fetch(url + '/api/tags').then((r) => r.json()).then((j) => done(j.models.map((m) => m.name)), (e) => done(String(e)));
`,
      { mode: 0o755 },
    );
    const workspace = path.join(tmp, 'ws');
    fs.mkdirSync(workspace);
    const { stdout } = await run('bash', [START, workspace], { env: bareEnv(bin, await closedPort()), cwd: tmp });
    const call = JSON.parse(fs.readFileSync(record, 'utf8'));
    assert.deepEqual(call.args, ['--new-window', '--wait', `--extensionDevelopmentPath=${REPO}`, workspace]);
    assert.match(call.local, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(call.cloud, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    assert.deepEqual(call.models, ['demo/local-small:latest']);
    assert.match(stdout, /starting the Switchyard demo/);
  });

  it('starts no demo when a cloud key is in the environment', async () => {
    fs.writeFileSync(path.join(bin, 'code'), '#!/bin/sh\n', { mode: 0o755 });
    const { stdout } = await run('bash', [START], { env: bareEnv(bin, await closedPort(), { SWITCHYARD_START_DRY_RUN: '1', GROQ_API_KEY: 'gsk_x' }) });
    assert.doesNotMatch(stdout, /starting the Switchyard demo/);
    assert.match(stdout, new RegExp(`^run: code --new-window --wait --extensionDevelopmentPath=${REPO.replace(/[/.]/g, '\\$&')} ${REPO.replace(/[/.]/g, '\\$&')}$`, 'm'));
  });

  it('without `code`, picks a free port when 8080 is taken and prints it', async () => {
    // Take 8080 (or find it taken already): either way start.sh must not use it.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => {
      blocker.once('error', () => resolve());
      blocker.listen(8080, '127.0.0.1', () => resolve());
    });
    try {
      const { stdout } = await run('bash', [START, '/some/ws'], { env: bareEnv(bin, await closedPort(), { SWITCHYARD_START_DRY_RUN: '1', SWITCHYARD_DEMO: '0' }) });
      const port = Number(/^code-server port: (\d+)$/m.exec(stdout)?.[1]);
      assert.ok(port > 0 && port !== 8080, stdout);
      assert.match(stdout, new RegExp(`Port 8080 is taken; using ${port}\\.`));
      assert.match(stdout, new RegExp(`^run: env SWITCHYARD_PORT=${port} npx tsx scripts/start-code-server.ts /some/ws$`, 'm'));
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

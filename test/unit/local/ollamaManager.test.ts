import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startOllamaServer, type OllamaServer } from '../../servers/ollama';
import { currentEnvironment, locateOllamaBinary } from '../../../src/core/local/binaryLocator';
import { OllamaManager, type OllamaManagerOptions } from '../../../src/core/local/ollamaManager';
import { parseOllamaHost } from '../../../src/core/local/ollamaHost';
import type { OllamaSidecarState } from '../../../src/core/local/sidecarState';
import { delegatingTimers, manualTimers } from '../../harness/manualTimers';
import { FAKE_BIN_DIR, freePort, isAlive, recordingLogger, waitUntil } from './helpers';

/** The fake `ollama` found the way users' binaries are found: on PATH. */
const onPath = () => locateOllamaBinary({ ...currentEnvironment({ PATH: FAKE_BIN_DIR }), homedir: os.tmpdir() });

describe('OllamaManager (real processes: the fake `ollama` on PATH)', function () {
  this.timeout(20_000);
  const managers: OllamaManager[] = [];
  const servers: OllamaServer[] = [];
  let tmp: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-ollama-'));
  });
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.dispose()));
    await Promise.all(servers.splice(0).map((s) => s.close()));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function manager(port: number, extra: Partial<OllamaManagerOptions> & { env?: NodeJS.ProcessEnv } = {}) {
    const logger = recordingLogger();
    const m = new OllamaManager({
      host: parseOllamaHost(`127.0.0.1:${port}`),
      manage: true,
      logger,
      locateBinary: onPath,
      startTimeoutMs: 10_000,
      ...extra,
      env: { ...process.env, FAKE_OLLAMA_START_LOG: path.join(tmp, 'starts'), ...extra.env },
    });
    managers.push(m);
    const states: OllamaSidecarState[] = [];
    m.onDidChangeState((s) => states.push(s));
    return { m, logger, states, starts: () => (fs.existsSync(path.join(tmp, 'starts')) ? fs.readFileSync(path.join(tmp, 'starts'), 'utf8').trim().split('\n') : []) };
  }

  it('does nothing until asked (no probe, no spawn, nothing scheduled at construction)', async () => {
    const port = await freePort();
    const timers = manualTimers();
    const fetched: string[] = [];
    let looked = 0;
    const { m, states, starts } = manager(port, {
      timers,
      fetch: (async (url: string | URL | Request) => (fetched.push(String(url)), new Response('{}'))) as typeof fetch,
      locateBinary: () => (looked++, onPath()),
    });
    // Work a constructor started would show up within these turns of the event loop (a probe
    // is one fetch call away, a spawn one locateBinary call); timers would be listed below.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(timers.scheduled, [], 'no timer scheduled: nothing can happen later either');
    assert.deepEqual(fetched, [], 'no probe');
    assert.equal(looked, 0, 'no binary lookup');
    assert.equal(m.state.status, 'unknown');
    assert.deepEqual(states, []);
    assert.deepEqual(starts(), []);
  });

  it('adopts a server the user started, and leaves it running on dispose', async () => {
    const server = await startOllamaServer({ version: '0.12.3' });
    servers.push(server);
    let looked = 0;
    const { m, starts } = manager(server.port, { locateBinary: () => (looked++, onPath()) });
    const s = await m.ensureRunning();
    assert.equal(s.status, 'ready');
    assert.equal(s.owned, false);
    assert.equal(s.version, '0.12.3');
    assert.equal(s.features?.thinking, true);
    assert.equal(s.features?.logprobs, false, 'logprobs need 0.12.11');
    assert.equal(looked, 0, 'no binary lookup when a server answers');
    await m.dispose();
    const res = await fetch(`${server.url}/api/version`);
    assert.equal(res.status, 200, 'the user’s server still answers after dispose');
    assert.deepEqual(starts(), []);
  });

  it('says "missing" with the install page when no server answers and no binary exists', async () => {
    const { m, logger } = manager(await freePort(), { locateBinary: () => undefined });
    const s = await m.ensureRunning();
    assert.equal(s.status, 'missing');
    assert.equal(s.installUrl, 'https://ollama.com/download');
    assert.match(s.reason!, /not installed.*ollama\.com\/download/);
    assert.ok(logger.lines.some((l) => l.event === 'ollama.missing'));
  });

  it('does not start anything when management is off, or for a remote host', async () => {
    const port = await freePort();
    const off = manager(port, { manage: false });
    assert.equal((await off.m.ensureRunning()).status, 'down');
    assert.match(off.m.state.reason!, /manageOllama/);
    const remote = manager(port, { host: parseOllamaHost('http://192.0.2.1:11434'), startTimeoutMs: 500 });
    assert.equal((await remote.m.ensureRunning()).status, 'down');
    assert.match(remote.m.state.reason!, /only starts Ollama on this machine/);
    assert.deepEqual(off.starts(), []);
  });

  it('starts `ollama serve` on the configured port, logs its output, and stops it on dispose', async () => {
    const port = await freePort();
    const { m, logger, states, starts } = manager(port, { env: { FAKE_OLLAMA_VERSION: '0.12.11' } });
    const [a, b] = await Promise.all([m.ensureRunning(), m.ensureRunning()]);
    assert.equal(a.status, 'ready');
    assert.equal(b, a, 'concurrent callers share one start');
    assert.equal(starts().length, 1);
    assert.equal(a.owned, true);
    assert.equal(a.features?.logprobs, true);
    assert.deepEqual(states.map((s) => s.status).filter((s, i, all) => s !== all[i - 1]), ['starting', 'ready']);
    const version = await (await fetch(`http://127.0.0.1:${port}/api/version`)).json();
    assert.deepEqual(version, { version: '0.12.11' });
    assert.ok(logger.lines.some((l) => l.event === 'ollama.serve' && /Listening on 127\.0\.0\.1:\d+/.test(String(l.fields?.line))));
    const pid = a.pid!;
    assert.ok(isAlive(pid));
    await m.dispose();
    assert.equal(isAlive(pid), false, 'the server Switchyard started is stopped');
    await assert.rejects(fetch(`http://127.0.0.1:${port}/api/version`));
  });

  it('restarts a server that was killed, with a new process', async () => {
    const port = await freePort();
    const { m, logger, starts } = manager(port, { backoff: { baseDelayMs: 50, maxDelayMs: 1_000, maxCrashes: 3, windowMs: 60_000 } });
    const first = (await m.ensureRunning()).pid!;
    process.kill(first, 'SIGKILL');
    await waitUntil(() => m.state.status === 'down', 5_000, 'down after the kill');
    assert.match(m.state.reason!, /exited \(signal SIGKILL\); restarting in/);
    await waitUntil(() => m.state.status === 'ready' && m.state.pid !== first, 10_000, 'ready again');
    assert.equal(starts().length, 2);
    assert.equal(m.state.owned, true);
    assert.equal(m.state.restarts, 1);
    assert.ok(logger.lines.some((l) => l.event === 'ollama.exited'));
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/version`)).status, 200);
  });

  it('kills and restarts its own server when it hangs (stops answering health probes)', async () => {
    const port = await freePort();
    const { m, starts } = manager(port, { healthIntervalMs: 200, backoff: { baseDelayMs: 50, maxDelayMs: 1_000, maxCrashes: 3, windowMs: 60_000 } });
    const first = (await m.ensureRunning()).pid!;
    process.kill(first, 'SIGSTOP'); // alive, but answers nothing
    await waitUntil(() => !isAlive(first), 8_000, 'the hung server to be killed');
    await waitUntil(() => m.state.status === 'ready' && m.state.pid !== first, 10_000, 'a fresh server');
    assert.equal(starts().length, 2);
  });

  it('marks a user server that stopped answering as down, without starting one while it is configured off', async () => {
    const server = await startOllamaServer();
    const { m } = manager(server.port, { manage: false, healthIntervalMs: 100 });
    assert.equal((await m.ensureRunning()).status, 'ready');
    await server.close();
    await waitUntil(() => m.state.status === 'down', 5_000, 'down');
    assert.match(m.state.reason!, /stopped answering/);
  });

  it('backs off a crash-looping server and gives up after the cap', async () => {
    const port = await freePort();
    const timers = delegatingTimers();
    const { m, logger, starts } = manager(port, {
      timers,
      env: { FAKE_OLLAMA_CRASH: '1' },
      backoff: { baseDelayMs: 40, maxDelayMs: 1_000, maxCrashes: 3, windowMs: 60_000 },
    });
    await m.ensureRunning();
    await waitUntil(() => m.state.status === 'down' && /keeps exiting/.test(m.state.reason ?? ''), 15_000, 'giving up');
    const delays = logger.lines.filter((l) => l.event === 'ollama.exited').map((l) => l.fields?.delayMs);
    assert.deepEqual(delays, [40, 80, 160, undefined], 'exponential backoff, then no restart');
    assert.equal(starts().length, 4, 'the first start and three restarts');
    assert.ok(logger.lines.some((l) => l.event === 'ollama.serve' && /permission denied/.test(String(l.fields?.line))), 'its stderr is in the log');
    // Restarts are scheduled through the timers: with none pending, no further start can come.
    assert.deepEqual(timers.scheduled.map((t) => t.ms), [40, 80, 160], 'one timer per restart, with the backoff delays');
    assert.deepEqual(timers.pending(), [], 'no restart scheduled after giving up');
    // A later need within the re-probe pause gets the same answer without spawning again.
    assert.equal((await m.ensureRunning()).status, 'down');
    assert.equal(starts().length, 4);
  });

  it('gives up on a server that never answers, and kills it', async () => {
    const port = await freePort();
    const { m, starts } = manager(port, { env: { FAKE_OLLAMA_HANG: '1' }, startTimeoutMs: 1_500 });
    const s = await m.ensureRunning();
    assert.equal(s.status, 'down');
    assert.match(s.reason!, /did not answer within 2 s/);
    const pid = Number(starts()[0]);
    await waitUntil(() => !isAlive(pid), 3_000, 'the hung child to be gone');
  });

  it('never stops a user server it adopted while its own child was down', async () => {
    const port = await freePort();
    const { m } = manager(port, { backoff: { baseDelayMs: 300, maxDelayMs: 1_000, maxCrashes: 3, windowMs: 60_000 } });
    const ours = (await m.ensureRunning()).pid!;
    process.kill(ours, 'SIGKILL');
    await waitUntil(() => m.state.status === 'down', 5_000, 'down');
    // The user starts their own server on the same port before our restart fires.
    const theirs = await startOllamaServer({ port });
    servers.push(theirs);
    await waitUntil(() => m.state.status === 'ready', 5_000, 'ready');
    assert.equal(m.state.owned, false);
    await m.dispose();
    assert.equal((await fetch(`${theirs.url}/api/version`)).status, 200);
  });
});

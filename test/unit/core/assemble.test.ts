/**
 * The core is wired in one place (src/core/assemble.ts): the CLI's session, the extension's
 * core factory and a gateway-like caller with no VS Code all go through assembleCore, and say so
 * in one `core.assembled` log line describing what a request will be routed through. Built from
 * the same settings, the CLI and the extension must describe the same core.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/run';
import { assembleCore, assembleProviderGuard } from '../../../src/core/assemble';
import { parseConfig } from '../../../src/core/config';
import type { KeyStore, Logger, StreamEvent } from '../../../src/core/types';
import { buildCost, buildLocalSidecar, buildRouter } from '../../../src/vscode/app/coreFactory';
import { startNpuServer } from '../../servers/npu';
import { type OllamaServer, startOllamaServer } from '../../servers/ollama';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';

const GROQ_KEY = 'gsk-assemble';

function recordingLogger(): Logger & { assembled(): Record<string, unknown>[] } {
  const lines: { event: string; fields?: Record<string, unknown> }[] = [];
  const log = (event: string, fields?: Record<string, unknown>) => void lines.push({ event, fields });
  return { info: log, warn: log, error: log, assembled: () => lines.filter((l) => l.event === 'core.assembled').map((l) => l.fields ?? {}) };
}

describe('assembleCore: one wiring of the core for every surface', function () {
  this.timeout(30_000);
  let dir: string;
  let ollama: OllamaServer;
  let groq: OpenAICompatibleServer;
  let raw: Record<string, unknown>;
  const saved = { state: process.env.SWITCHYARD_STATE_DIR, xdg: process.env.XDG_CONFIG_HOME };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-assemble-'));
    // The extension's ledger follows process.env (the machine's state directory): point it here.
    process.env.SWITCHYARD_STATE_DIR = path.join(dir, 'state');
    process.env.XDG_CONFIG_HOME = path.join(dir, 'config');
    ollama = await startOllamaServer({ models: ['qwen2.5-coder:7b'], reply: { text: 'local answer' } });
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: GROQ_KEY, models: ['llama-3.3-70b-versatile'], reply: { text: 'cloud answer' } });
    raw = {
      providers: {
        ollama: { kind: 'ollama', baseUrl: ollama.url },
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
        broken: { kind: 'npu-simple' },
      },
      local: { manageOllama: true },
    };
  });
  afterEach(async () => {
    await Promise.all([ollama.close(), groq.close()]);
    for (const [key, value] of [['SWITCHYARD_STATE_DIR', saved.state], ['XDG_CONFIG_HOME', saved.xdg]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('the CLI and the extension core factory, given the same settings, assemble the same providers, ledger and escalation', async () => {
    // The CLI: `switchyard plan` (no spending) logs its assembly on stderr with SWITCHYARD_DEBUG.
    const configPath = path.join(dir, 'settings.json');
    await fs.writeFile(configPath, JSON.stringify(raw));
    let stderr = '';
    const env = { SWITCHYARD_DEBUG: '1', SWITCHYARD_STATE_DIR: process.env.SWITCHYARD_STATE_DIR!, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME!, SWITCHYARD_KEY_GROQ: GROQ_KEY };
    const code = await runCli(['ask', '--config', configPath, '--model', 'ollama/qwen2.5-coder:7b', 'hello'], {
      stdout: { write: () => undefined },
      stderr: { write: (s: string) => void (stderr += s) },
      env,
      readFile: (file) => fs.readFile(file, 'utf8'),
    });
    assert.equal(code, 0, stderr);
    const cliLines = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.event === 'core.assembled');
    assert.equal(cliLines.length, 1, 'the CLI assembles its core once, through assembleCore');
    const cli = cliLines[0]!;

    // The extension: services.ts's calls, with a key store that has the same key.
    const logger = recordingLogger();
    const { config } = parseConfig(raw);
    const keys: KeyStore = { getKey: async (id) => (id === 'groq' ? GROQ_KEY : undefined) };
    const cost = buildCost({ config, logger, oldStorageDir: path.join(dir, 'globalStorage'), onAlert: () => undefined });
    const sidecar = buildLocalSidecar({ config, logger, keys });
    const router = await buildRouter({ config, keys, logger, cost, confirm: async () => false, local: sidecar });
    try {
      const [ext] = logger.assembled();
      assert.ok(ext, 'the extension core factory assembles through assembleCore');
      for (const field of ['providers', 'unavailable', 'ledger', 'escalation'] as const) assert.deepEqual(ext[field], cli[field], field);
      assert.deepEqual(cli.providers, [`groq cloud ${new URL(groq.baseUrl).origin}`, `ollama local ${new URL(ollama.url).origin}`]);
      assert.deepEqual(cli.unavailable, ['broken']);
      assert.equal(cli.ledger, path.join(process.env.SWITCHYARD_STATE_DIR!, 'ledger'));
      // What differs is the host's: the CLI never starts `ollama serve`; the extension shares its sidecar.
      assert.equal(cli.local, 'probe-only');
      assert.equal(ext.local, 'host');
      assert.deepEqual(router.providerConfigs, parseConfig(raw).config.providers);
    } finally {
      router.dispose();
      cost.dispose();
      await sidecar.dispose();
    }
  });

  it('a gateway-like caller with no VS Code assembles a core from settings and a host, routes a request, and disposes what it built', async () => {
    const logger = recordingLogger();
    const { config } = parseConfig(raw);
    const env = { SWITCHYARD_STATE_DIR: path.join(dir, 'gateway-state'), XDG_CONFIG_HOME: path.join(dir, 'config') };
    const core = assembleCore({ config }, { keys: { getKey: async () => undefined }, logger, env, manageOllama: false });
    try {
      const events: StreamEvent[] = [];
      for await (const ev of core.switchyard.stream({ messages: [{ role: 'user', content: 'hi' }], mode: 'pinned', pinned: 'ollama/qwen2.5-coder:7b', workspaceId: 'gateway', signal: new AbortController().signal })) events.push(ev);
      const text = events.map((e) => (e.type === 'text' ? e.text : '')).join('');
      assert.equal(text, 'local answer');
      assert.equal(core.spendGuard?.dir, path.join(env.SWITCHYARD_STATE_DIR, 'ledger'));
      assert.ok(core.escalation, 'the escalation hook is on unless the host turns it off');
      assert.ok(core.local, 'a probe-only sidecar was built');
      assert.equal(logger.assembled()[0]?.local, 'probe-only');
      await core.spendGuard!.flush();
    } finally {
      core.dispose();
    }
  });

  it('loading the assembly loads nothing of src/vscode (a gateway or a CLI runs without VS Code)', () => {
    // In a fresh Node: this test file itself has loaded src/vscode/app/coreFactory.ts.
    const probe = `require(${JSON.stringify(path.resolve(__dirname, '../../../src/core/assemble.ts'))}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-r', 'tsx/cjs', '-e', probe], { encoding: 'utf8' })) as string[];
    assert.ok(loaded.some((id) => id.endsWith(path.join('src', 'core', 'assemble.ts'))));
    assert.deepEqual(loaded.filter((id) => id.includes(`${path.sep}src${path.sep}vscode${path.sep}`)), []);
  });

  it("the host's clock decides health-probe freshness: a local endpoint is probed again one health interval later, not before", async () => {
    const npu = await startNpuServer({ token: 'npu-token' });
    let clock = 1_000_000;
    const { config } = parseConfig({ providers: { npu: { kind: 'npu-simple', baseUrl: npu.url, models: ['Qwen2-7B-NPU'] } }, local: { healthIntervalMs: 60_000 } });
    const core = assembleCore({ config }, { keys: { getKey: async (id) => (id === 'npu' ? 'npu-token' : undefined) }, logger: recordingLogger(), env: { SWITCHYARD_STATE_DIR: path.join(dir, 'npu-state') }, spendGuard: null, now: () => clock });
    const probes = () => npu.requests.filter((r) => r.path === '/api/npu/health').length;
    try {
      assert.deepEqual(await core.local!.ensureAvailable!('npu'), { available: true });
      assert.equal(probes(), 1);
      clock += 59_999;
      await core.local!.ensureAvailable!('npu');
      assert.equal(probes(), 1, 'still fresh on the host clock');
      clock += 1;
      await core.local!.ensureAvailable!('npu');
      assert.equal(probes(), 2, 'probed again once the health interval passed on the host clock');
    } finally {
      core.dispose();
      await npu.close();
    }
  });

  it('a host can have no ledger, no sidecar and no escalation (a plan, --no-budget, demo mode)', () => {
    const logger = recordingLogger();
    const { config } = parseConfig(raw);
    const core = assembleCore({ config }, { keys: { getKey: async () => undefined }, logger, spendGuard: null, local: null, escalate: false });
    try {
      assert.equal(core.spendGuard, undefined);
      assert.equal(core.local, undefined);
      assert.equal(core.escalation, undefined);
      assert.deepEqual({ ledger: logger.assembled()[0]?.ledger, escalation: logger.assembled()[0]?.escalation, local: logger.assembled()[0]?.local }, { ledger: 'none', escalation: 'off', local: 'none' });
    } finally {
      core.dispose();
    }
  });

  it('every core gets the machine-wide reliability guard over <state dir>/reliability, with the switchyard.reliability settings in force', async () => {
    const logger = recordingLogger();
    // One request a minute on the local model, and no waiting for a slot: the second request is refused by the guard.
    const { config, problems } = parseConfig({ ...raw, reliability: { quotas: { 'ollama/qwen2.5-coder:7b': { requestsPerMinute: 1 } }, waitForSlotMs: 0 } });
    assert.deepEqual(problems, []);
    const env = { SWITCHYARD_STATE_DIR: path.join(dir, 'guarded-state'), XDG_CONFIG_HOME: path.join(dir, 'config') };
    const core = assembleCore({ config }, { keys: { getKey: async () => undefined }, logger, env, manageOllama: false, spendGuard: null });
    const ask = async () => {
      const events: StreamEvent[] = [];
      for await (const ev of core.switchyard.stream({ messages: [{ role: 'user', content: 'hi' }], mode: 'pinned', pinned: 'ollama/qwen2.5-coder:7b', workspaceId: 'w', signal: new AbortController().signal })) events.push(ev);
      return events;
    };
    try {
      assert.ok(core.providerGuard, 'assembleCore returns the guard it built');
      assert.equal(core.providerGuard.reliability.settings.waitForSlotMs, 0);
      assert.equal(logger.assembled()[0]?.reliability, path.join(env.SWITCHYARD_STATE_DIR, 'reliability'));
      const first = await ask();
      assert.equal(first.map((e) => (e.type === 'text' ? e.text : '')).join(''), 'local answer');
      const second = await ask();
      const error = second.find((e) => e.type === 'error');
      assert.ok(error && error.type === 'error', JSON.stringify(second));
      assert.equal(error.error.kind, 'rate_limit', JSON.stringify(error));
      assert.equal(ollama.requests.filter((r) => r.path === '/api/chat').length, 1, 'the guard kept the second request from the provider');
      const files = await fs.readdir(path.join(env.SWITCHYARD_STATE_DIR, 'reliability'));
      assert.ok(files.some((f) => f.startsWith('guard-')), `the shared guard log is in the state directory: ${files.join(', ')}`);
    } finally {
      await core.dispose();
    }
  });

  it('a host-kept guard (the extension\'s) is used as given, and new settings reach it through updateSettings without a rebuild', async () => {
    const env = { SWITCHYARD_STATE_DIR: path.join(dir, 'kept-state') };
    const logger = recordingLogger();
    const { config } = parseConfig(raw);
    const kept = assembleProviderGuard({ config }, { logger, env });
    const core = assembleCore({ config }, { keys: { getKey: async () => undefined }, logger, env, manageOllama: false, spendGuard: null, providerGuard: kept });
    try {
      assert.equal(core.providerGuard, kept);
      assert.equal(logger.assembled()[0]?.reliability, 'host');
      kept.reliability.updateSettings(parseConfig({ reliability: { waitForSlotMs: 2500 } }).config.reliability);
      assert.equal(core.providerGuard!.reliability.settings.waitForSlotMs, 2500);
    } finally {
      await core.dispose();
      kept.close();
    }
  });
});

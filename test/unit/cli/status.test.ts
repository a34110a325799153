/**
 * `switchyard status [--json]`: the machine's provider status from the shared reliability state.
 * Two answers through `switchyard ask` (in-process) and one failed answer, then `switchyard status
 * --json` in a real process over the same state directory reports them: the shared state, not one
 * process's memory. The text form is a pure function, in English and Chinese.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../../src/cli/run';
import { renderStatusText } from '../../../src/cli/statusText';
import type { StatusSnapshot } from '../../../src/core/reliability';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'src/cli/main.ts');
const MODEL = 'llama-3.3-70b-versatile';
const KEY = 'gsk-status';

describe('switchyard status', function () {
  this.timeout(30_000);
  let dir: string;
  let groq: OpenAICompatibleServer;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-status-'));
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: KEY, models: [MODEL], reply: { text: 'ok' } });
  });
  after(async () => {
    await groq.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('--json in a real process reports what earlier commands did: requests today, success rate, the last error', async () => {
    const configPath = path.join(dir, 'config.json');
    await fs.writeFile(configPath, JSON.stringify({ providers: { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: [MODEL] } }, reliability: { retry: { maxAttempts: 1 } } }));
    const env = { SWITCHYARD_STATE_DIR: dir, XDG_CONFIG_HOME: dir, SWITCHYARD_KEY_GROQ: KEY };
    const io = (e: Record<string, string>) => ({ stdout: { write: () => true }, stderr: { write: () => true }, env: e, readFile: (f: string) => fs.readFile(f, 'utf8') });
    for (let i = 0; i < 2; i++) assert.equal(await runCli(['ask', '--config', configPath, '--model', `groq/${MODEL}`, '--no-budget', 'hi'], io(env)), 0);
    // A wrong key: the double answers 401.
    assert.equal(await runCli(['ask', '--config', configPath, '--model', `groq/${MODEL}`, '--no-budget', 'hi'], io({ ...env, SWITCHYARD_KEY_GROQ: 'gsk-wrong' })), 1);

    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', MAIN, 'status', '--json', '--config', configPath], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env, SWITCHYARD_KEY_GROQ: 'gsk-wrong' },
    });
    const snapshot = JSON.parse(stdout) as StatusSnapshot;
    const p = snapshot.providers.find((x) => x.provider === 'groq');
    assert.ok(p, stdout);
    assert.equal(p.today.requests, 3, stdout);
    assert.equal(p.requestsLastHour, 3, stdout);
    assert.ok(p.successRate !== undefined && Math.abs(p.successRate - 2 / 3) < 1e-9, stdout);
    assert.equal(p.lastError?.kind, 'auth', stdout);
    assert.equal(p.state, 'needs_key', stdout);
    assert.ok(p.ttftMs && p.ttftMs.p50 >= 0, stdout);
  });

  it('the text form names each state and figure, in English and in Chinese', () => {
    const snapshot: StatusSnapshot = {
      at: '2026-12-02T12:00:00.000Z',
      providers: [
        {
          provider: 'groq',
          state: 'waiting_for_quota',
          ttftMs: { p50: 120, p95: 300 },
          totalMs: { p50: 800, p95: 1500 },
          successRate: 0.9,
          requestsLastHour: 10,
          today: { requests: 12, tokens: 3400, requestLimit: 1000 },
          lastError: { at: '2026-12-02T11:59:00.000Z', kind: 'rate_limit', message: 'slow down' },
          switchesToday: 2,
          models: [],
        },
      ],
    };
    const en = renderStatusText(snapshot, 'en');
    assert.match(en, /^groq: waiting for quota$/m);
    assert.match(en, /first token p50\/p95 \(last hour\): 120 ms \/ 300 ms/);
    assert.match(en, /success rate \(last hour\): 90 % \(10\)/);
    assert.match(en, /today: requests 12\/1000, tokens 3400/);
    assert.match(en, /last error: 2026-12-02T11:59:00.000Z rate_limit: slow down/);
    assert.match(en, /switches away today: 2/);
    const zh = renderStatusText(snapshot, 'zh-cn');
    assert.match(zh, /^groq: 等待配额$/m);
    assert.match(zh, /成功率（最近一小时）: 90 % \(10\)/);
    assert.match(zh, /今天: 请求 12\/1000, token 3400/);
    assert.equal(renderStatusText({ at: snapshot.at, providers: [] }, 'zh-cn'), '还没有使用过任何提供方\n');
  });
});

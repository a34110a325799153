/**
 * `switchyard serve` through runCli (in-process, like the other CLI tests): the grammar, the
 * printed base URLs and token location (never the token), a request answered with that token,
 * and a clean stop on the abort signal (Ctrl-C / SIGTERM in main.ts) that finishes or aborts the
 * request in flight. Also the gateway's message table: both languages, same placeholders.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import OpenAI from 'openai';
import { UsageError, parseCommand } from '../../../src/cli/args';
import { type CliIo, runCli } from '../../../src/cli/run';
import { GATEWAY_MESSAGES, gatewayText, localeFromEnv } from '../../../src/gateway/messages';
import { tokenPath } from '../../../src/gateway/token';
import { type OllamaServer, startOllamaServer } from '../../servers/ollama';

describe('switchyard serve', function () {
  this.timeout(30_000);

  it('parses --port, --host, --workspace, --config with the design note defaults, and refuses bad values', () => {
    assert.deepEqual(parseCommand(['serve']), { name: 'serve', options: { port: 8000, host: '127.0.0.1', workspace: 'gateway', configPath: undefined, rotateToken: false } });
    assert.deepEqual(parseCommand(['serve', '--port', '0', '--host', '::1', '--workspace', 'ws', '--config', '/x.json']), { name: 'serve', options: { port: 0, host: '::1', workspace: 'ws', configPath: '/x.json', rotateToken: false } });
    assert.equal((parseCommand(['serve', '--rotate-token']) as { options: { rotateToken: boolean } }).options.rotateToken, true);
    assert.throws(() => parseCommand(['serve', '--port', '70000']), UsageError);
    assert.throws(() => parseCommand(['serve', 'extra']), UsageError);
  });

  describe('running', () => {
    let dir: string;
    let ollama: OllamaServer;
    before(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-serve-'));
      ollama = await startOllamaServer({ models: ['qwen2.5-coder:7b'], reply: { text: 'Served by serve.' } });
    });
    after(async () => {
      await ollama.close();
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('prints the base URLs and the token file, answers with that token, and stops cleanly on the signal', async () => {
      const config = path.join(dir, 'config.json');
      await fs.writeFile(config, JSON.stringify({ providers: { ollama: { kind: 'ollama', baseUrl: ollama.url } }, escalation: { policy: 'off' } }));
      let stdout = '';
      let stderr = '';
      const stop = new AbortController();
      let listening!: () => void;
      const printed = new Promise<void>((r) => (listening = r));
      const env = { SWITCHYARD_STATE_DIR: dir, XDG_CONFIG_HOME: dir, LANG: 'en_US.UTF-8' };
      const io: CliIo = {
        stdout: {
          write: (s: string) => {
            stdout += s;
            if (stdout.includes('Ctrl-C')) listening();
          },
        },
        stderr: { write: (s: string) => (stderr += s), isTTY: false },
        env,
        readFile: (f) => fs.readFile(f, 'utf8'),
        signal: stop.signal,
      };
      const exit = runCli(['serve', '--port', '0', '--config', config], io);
      await Promise.race([printed, exit.then(() => assert.fail(`serve exited early: ${stderr}`))]);
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
      assert.match(stdout, new RegExp(`OpenAI-compatible base URL: ${base}/v1`));
      assert.match(stdout, new RegExp(`${base}/api/llm`));
      const file = tokenPath(env);
      assert.ok(stdout.includes(file), stdout);
      const token = (await fs.readFile(file, 'utf8')).trim();
      assert.ok(!stdout.includes(token) && !stderr.includes(token), 'the token itself is never printed');

      const client = new OpenAI({ baseURL: `${base}/v1`, apiKey: token, maxRetries: 0 });
      const answer = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(answer.choices[0]!.message.content, 'Served by serve.');
      assert.equal(answer.model, 'ollama/qwen2.5-coder:7b');

      // Rotation from another process: the running gateway refuses the old token and takes the new one.
      let rotated = '';
      assert.equal(await runCli(['serve', '--rotate-token'], { ...io, stdout: { write: (s: string) => (rotated += s) }, signal: undefined }), 0);
      assert.match(rotated, /token in .* was replaced/);
      const next = (await fs.readFile(file, 'utf8')).trim();
      assert.notEqual(next, token);
      const status = (t: string) => fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${t}` } }).then((r) => r.status);
      // The file watch fires asynchronously: ask until the old token is refused (each try waits for its answer), within a bound.
      const deadline = Date.now() + 5_000;
      while ((await status(token)) !== 401) assert.ok(Date.now() < deadline, 'the old token was still accepted 5 s after the rotation');
      assert.equal(await status(next), 200);

      stop.abort();
      assert.equal(await exit, 0, stderr);
      assert.match(stderr, /stopping: 0 request\(s\) in flight/);
      assert.match(stderr, /gateway stopped/);
      await assert.rejects(fetch(`${base}/health`), 'the port is closed after the stop');
    });
  });

  it('the message table has every message in English and Chinese with the same placeholders', () => {
    for (const [id, m] of Object.entries(GATEWAY_MESSAGES)) {
      const ph = (s: string) => [...s.matchAll(/\{(\d+)\}/g)].map((x) => x[1]).sort().join(',');
      assert.ok(m.en && m['zh-cn'], id);
      assert.equal(ph(m.en), ph(m['zh-cn']), id);
    }
    assert.equal(localeFromEnv({ LANG: 'zh_CN.UTF-8' }), 'zh-cn');
    assert.equal(localeFromEnv({ LANG: 'en_GB.UTF-8' }), 'en');
    assert.match(gatewayText('zh-cn', 'modelNotFound', 'x', 'auto'), /^模型 "x" 不存在/);
  });
});

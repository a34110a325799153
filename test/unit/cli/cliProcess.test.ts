/**
 * The real `switchyard` process (src/cli/main.ts bundled as dist/cli.js is): a budget cap that
 * cannot be read stops it with exit 2 and the setting's name on stderr, before any request.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { type OllamaServer, startOllamaServer } from '../../servers/ollama';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';

describe('switchyard CLI process', function () {
  // Bundling and starting Node on a busy 2-core machine; nothing here is timed.
  this.timeout(60_000);
  let dir: string;
  let cliJs: string;
  let ollama: OllamaServer;
  let groq: OpenAICompatibleServer;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-cli-process-'));
    // One plain JS file, as shipped: starting through tsx would transpile the whole core per run.
    cliJs = path.join(dir, 'cli.js');
    await esbuild.build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: cliJs, logLevel: 'error' });
    ollama = await startOllamaServer({ models: ['llama3.2:3b'], reply: { text: 'hi' } });
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: 'gsk-p', models: ['llama-3.3-70b-versatile'], reply: { text: 'cloud' } });
  });
  after(async () => {
    await Promise.all([ollama.close(), groq.close()]);
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function run(settings: Record<string, unknown>): Promise<{ code: number | null; stderr: string }> {
    const configPath = path.join(dir, 'config.json');
    await fs.writeFile(
      configPath,
      JSON.stringify({
        providers: {
          ollama: { kind: 'ollama', baseUrl: ollama.url },
          groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
        },
        ...settings,
      }),
    );
    const child = spawn(process.execPath, [cliJs, 'ask', '--config', configPath, '--mode', 'cloud', 'hi'], {
      env: { PATH: process.env.PATH, XDG_CONFIG_HOME: dir, GROQ_API_KEY: 'gsk-p' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stderr };
  }

  for (const [settings, setting] of [
    [{ budget: { dailyLimit: -5 } }, 'budget.dailyLimit'],
    [{ budget: { globalDailyLimit: -1 } }, 'budget.globalDailyLimit'],
  ] as const) {
    it(`${setting} that cannot be read: exit 2, the setting named, no cloud request`, async () => {
      const { code, stderr } = await run(settings);
      assert.equal(code, 2, stderr);
      assert.match(stderr, new RegExp(`config\\.json ${setting.replace('.', '\\.')}: Number must be greater than or equal to 0`));
      assert.doesNotMatch(stderr, /default used/);
      assert.equal(groq.requests.length, 0);
    });
  }
});

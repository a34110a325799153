/**
 * The `switchyard` CLI, run in-process through runCli against the protocol-faithful doubles:
 * one answer through each provider kind, the output formats, and the usage errors.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CliIo, runCli } from '../../../src/cli/run';
import type { StreamEvent } from '../../../src/core/types';
import { type NpuServer, startNpuServer } from '../../servers/npu';
import { type OllamaServer, startOllamaServer } from '../../servers/ollama';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('switchyard CLI', function () {
  // Generous: the first estimated usage loads the cl100k tokenizer (about a second, more on a busy machine).
  this.timeout(30_000);
  let dir: string;
  let ollama: OllamaServer;
  let groq: OpenAICompatibleServer;
  let npu: NpuServer;
  let configPath: string;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-cli-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    ollama = await startOllamaServer({ models: ['qwen2.5-coder:7b', 'llama3.2:3b'], reply: { text: 'def add(a, b):\n    return a + b\n' } });
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: 'gsk-cli', models: ['llama-3.3-70b-versatile'], reply: { text: '你好，世界。' } });
    npu = await startNpuServer({ token: 'npu-cli', reply: { result: 'NPU says hi.' } });
    configPath = path.join(dir, 'config.json');
    await fs.writeFile(
      configPath,
      JSON.stringify({
        providers: {
          ollama: { kind: 'ollama', baseUrl: ollama.url },
          groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
          npu: { kind: 'npu-simple', baseUrl: npu.url, models: ['Qwen2-7B-NPU'] },
        },
      }),
    );
  });
  afterEach(async () => {
    await Promise.all([ollama.close(), groq.close(), npu.close()]);
  });

  async function cli(argv: string[], env: Record<string, string> = {}, stdin?: string): Promise<Run> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s), isTTY: false },
      // The budget ledger (and the old one it would migrate) live in a temporary directory, never the user's.
      env: { XDG_CONFIG_HOME: dir, SWITCHYARD_STATE_DIR: dir, SWITCHYARD_KEY_NPU: 'npu-cli', ...env },
      readFile: (f) => fs.readFile(f, 'utf8'),
      readStdin: async () => stdin,
    };
    const code = await runCli(argv, io);
    return { code, stdout, stderr };
  }

  function assertJsonAnswer(run: Run, model: string, text: string): void {
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.ok, true);
    assert.equal(out.model, model);
    assert.equal(out.text, text);
    assert.ok(out.decision.candidates.length > 0 && typeof out.decision.taskReason === 'string');
    assert.ok(out.tokens.outputTokens > 0 && out.tokens.inputTokens > 0, JSON.stringify(out.tokens));
    assert.ok(out.timing.totalMs >= 0 && out.timing.ttftMs >= 0, JSON.stringify(out.timing));
  }

  it('primary <provider>: persisted in the state directory, the next plan leads with it (local first no longer), --clear restores the order', async () => {
    const env = { SWITCHYARD_KEY_GROQ: 'gsk-cli' };
    const first = (run: Run) => {
      const out = JSON.parse(run.stdout);
      return (out.decision ?? out).candidates[0].ref.provider as string;
    };
    assert.equal(first(await cli(['plan', '--json', '--config', configPath, 'hello there'], env)), 'ollama');
    const set = await cli(['primary', '--config', configPath, 'groq'], env);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /primary: groq/);
    assert.equal((await cli(['primary'], env)).stdout, 'groq\n');
    assert.equal(first(await cli(['plan', '--json', '--config', configPath, 'hello there'], env)), 'groq');
    const bad = await cli(['primary', '--config', configPath, 'nope'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no provider "nope"; known: .*groq/);
    assert.equal((await cli(['primary', '--clear'], env)).code, 0);
    assert.equal(first(await cli(['plan', '--json', '--config', configPath, 'hello there'], env)), 'ollama');
  });

  it('answers through Ollama; --json shows decision, model, tokens and timing', async () => {
    const run = await cli(['ask', '--json', '--config', configPath, 'Write a Python function that adds two numbers']);
    assertJsonAnswer(run, 'ollama/qwen2.5-coder:7b', 'def add(a, b):\n    return a + b\n');
    assert.equal(JSON.parse(run.stdout).decision.task, 'code');
  });

  it('answers through an OpenAI-compatible cloud provider with the key from SWITCHYARD_KEY_GROQ or GROQ_API_KEY', async () => {
    const viaSwitchyardVar = await cli(['ask', '--json', '--config', configPath, '--model', 'groq/llama-3.3-70b-versatile', '你好'], { SWITCHYARD_KEY_GROQ: 'gsk-cli' });
    assertJsonAnswer(viaSwitchyardVar, 'groq/llama-3.3-70b-versatile', '你好，世界。');
    assert.equal(JSON.parse(viaSwitchyardVar.stdout).decision.mode, 'pinned');
    const viaVendorVar = await cli(['ask', '--json', '--config', configPath, '--mode', 'cloud', 'hello'], { GROQ_API_KEY: 'gsk-cli' });
    assertJsonAnswer(viaVendorVar, 'groq/llama-3.3-70b-versatile', '你好，世界。');
    assert.equal(groq.requests.filter((r) => r.headers.authorization === 'Bearer gsk-cli').length, 2);
  });

  it('answers through the simple NPU endpoint', async () => {
    const run = await cli(['ask', '--json', '--config', configPath, '--model', 'npu', 'hello']);
    assertJsonAnswer(run, 'npu/Qwen2-7B-NPU', 'NPU says hi.');
    assert.equal(JSON.parse(run.stdout).tokens.estimated, true, 'the NPU reports no usage: tokens are estimated and marked so');
  });

  it('streams the answer alone to stdout and a summary line to stderr', async () => {
    const run = await cli(['ask', '--config', configPath, '--no-escalate', 'Write a Python function that adds two numbers']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'def add(a, b):\n    return a + b\n');
    assert.match(run.stderr, /→ ollama\/qwen2\.5-coder:7b \(local\)/);
    assert.match(run.stderr, /— ollama\/qwen2\.5-coder:7b · \d+ in \/ \d+ out tokens · ttft \d+ ms · total \d+ ms · [\d.]+ tok\/s · \$0 \(local\)/);
  });

  it('--events prints every event as one JSON line, ending with done', async () => {
    const run = await cli(['ask', '--events', '--config', configPath, '--no-escalate', 'hi']);
    assert.equal(run.code, 0, run.stderr);
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as StreamEvent);
    assert.equal(events[0]!.type, 'decision');
    assert.equal(events.at(-1)!.type, 'done');
    assert.ok(events.some((e) => e.type === 'finish'));
  });

  it('reads the prompt from stdin with "-"', async () => {
    const run = await cli(['ask', '--json', '--config', configPath, '-'], {}, 'Solve 2x + 3 = 7');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).decision.task, 'math');
  });

  it('plan shows the decision without calling a model', async () => {
    const run = await cli(['plan', '--config', configPath, '解方程 3x - 7 = 11']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^task: math \(math: /);
    assert.match(run.stdout, /groq\/llama-3\.3-70b-versatile: groq: no API key for http:\/\/127\.0\.0\.1:\d+ \(Set GROQ_API_KEY or SWITCHYARD_KEY_GROQ in the environment/);
    assert.equal(ollama.requests.filter((r) => r.path === '/api/chat').length, 0);
    const json = await cli(['plan', '--json', '--config', configPath, '--task', 'translate', 'hello']);
    assert.equal(JSON.parse(json.stdout).task, 'translate');
  });

  it('says the core\'s reasons in Simplified Chinese under a zh_CN locale, in the core\'s English otherwise', async () => {
    const prompt = 'Write a Python function that parses dates';
    const en = await cli(['plan', '--config', configPath, prompt], { GROQ_API_KEY: 'gsk-cli' });
    assert.equal(en.code, 0, en.stderr);
    assert.match(en.stdout, /^task: code \(code: asks to write or fix code, names a programming language\)\n/);
    assert.match(en.stdout, /\n {2}1\. ollama\/qwen2\.5-coder:7b \[local\] — #1 for code in the shipped defaults\n/);
    assert.match(en.stdout, /\n {2}3\. npu\/Qwen2-7B-NPU \[local\] — npu is a local provider not in the code list\n/);
    const zh = await cli(['plan', '--config', configPath, prompt], { GROQ_API_KEY: 'gsk-cli', LANG: 'zh_CN.UTF-8' });
    assert.equal(zh.code, 0, zh.stderr);
    // Task ids stay as `--task` takes them.
    assert.match(zh.stdout, /^task: code \(code: 要求编写或修复代码，提到编程语言\)\n/);
    assert.match(zh.stdout, /\n {2}1\. ollama\/qwen2\.5-coder:7b \[local\] — 默认配置中code任务的第 1 选择\n/);
    assert.match(zh.stdout, /\n {2}3\. npu\/Qwen2-7B-NPU \[local\] — npu 是本地提供方，不在code任务列表中\n/);

    // A budget refusal, said from its numbers: the core's sentence in English, the zh-cn table's under zh_CN.
    const budgeted = path.join(dir, 'budget.json');
    const config = JSON.parse(await fs.readFile(configPath, 'utf8'));
    await fs.writeFile(budgeted, JSON.stringify({ ...config, budget: { dailyLimit: 0.000001, priceOverrides: { 'groq/llama-3.3-70b-versatile': { input: 1, output: 1 } } } }));
    const refused = await cli(['ask', '--config', budgeted, '--mode', 'cloud', 'hello'], { GROQ_API_KEY: 'gsk-cli' });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /switchyard: budget: Budget: groq\/llama-3\.3-70b-versatile could cost up to .+ workspace daily limit is spent today\. No call was made\. Raise switchyard\.budget\.dailyLimit \(up to switchyard\.budget\.globalDailyLimit\), or wait for the next day\./);
    const refusedZh = await cli(['ask', '--config', budgeted, '--mode', 'cloud', 'hello'], { GROQ_API_KEY: 'gsk-cli', LC_ALL: 'zh_CN.UTF-8' });
    assert.match(refusedZh.stderr, /没有发出任何调用。请调高 switchyard\.budget\.dailyLimit（不超过 switchyard\.budget\.globalDailyLimit），或等到下一天。/);
    assert.equal(groq.requests.filter((r) => r.path.endsWith('/chat/completions')).length, 0);
  });

  it('a prompt no model can hold fails with exit 1, says the sizes, and sends nothing', async () => {
    const huge = 'The quarterly report says revenue grew. '.repeat(52_429); // 2 MB
    const run = await cli(['ask', '--config', configPath, huge], { GROQ_API_KEY: 'gsk-cli' });
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /switchyard: prompt too large: about [\d,]+ tokens, plus 2,048 for the answer, do not fit the largest context window available \(groq\/llama-3\.3-70b-versatile, 131,072 tokens\)\. Nothing was sent\./,
    );
    const json = JSON.parse((await cli(['ask', '--json', '--config', configPath, huge], { GROQ_API_KEY: 'gsk-cli' })).stdout);
    assert.equal(json.error.reason.code, 'prompt_too_large');
    assert.equal(json.error.reason.largestWindow, 131_072);
    assert.equal(ollama.requests.filter((r) => r.path === '/api/chat').length, 0);
    assert.equal(groq.requests.length, 0);
    assert.equal(npu.requests.filter((r) => r.method === 'POST').length, 0);
  });

  it('models lists local and cloud models; --mode local asks no cloud provider', async () => {
    const run = await cli(['models', '--config', configPath]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ollama\/qwen2\.5-coder:7b\tlocal/m);
    assert.match(run.stdout, /^groq\/llama-3\.3-70b-versatile\tcloud/m);
    const json = JSON.parse((await cli(['models', '--json', '--mode', 'local', '--config', configPath])).stdout);
    assert.ok(json.models.every((m: { locality: string }) => m.locality === 'local'));
  });

  it('Local only with a cloud model pinned fails with exit 1 and sends nothing to the cloud', async () => {
    const run = await cli(['ask', '--config', configPath, '--mode', 'local', '--model', 'groq/llama-3.3-70b-versatile', 'hi'], { GROQ_API_KEY: 'gsk-cli' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /local_only: No local model can answer/);
    assert.equal(groq.requests.length, 0);
  });

  it('usage and settings errors exit 2 with a message that says what to do', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['ask', '--mode', 'fast', 'x'], /--mode "fast" is not a mode: use auto, local, cloud or pinned/],
      [['ask', '--max-tokens', '0', 'x'], /--max-tokens "0" must be a whole number ≥ 1/],
      [['ask', '--task', 'poetry', 'x'], /--task "poetry" is not a task/],
      [['ask', '--bogus', 'x'], /Unknown option '--bogus'/],
      [['ask', '--config', configPath], /no prompt/],
      [['ask', '--config', path.join(dir, 'missing.json'), 'x'], /cannot read the settings file .*missing\.json: no such file/],
      [['ask', '--json', '--events', 'x'], /cannot be combined/],
    ];
    for (const [argv, message] of cases) {
      const run = await cli(argv);
      assert.equal(run.code, 2, `${argv.join(' ')} → ${run.stderr}`);
      assert.match(run.stderr, message);
    }
    await fs.writeFile(path.join(dir, 'bad.json'), '{"mode": "auto",}');
    const bad = await cli(['ask', '--config', path.join(dir, 'bad.json'), 'x']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.json is not valid JSON/);
  });

  it('a bad value whose default is safe is reported and skipped, the rest still works', async () => {
    const raw = JSON.parse(await fs.readFile(configPath, 'utf8'));
    await fs.writeFile(configPath, JSON.stringify({ ...raw, completion: { maxTokens: 0 } }));
    const run = await cli(['ask', '--json', '--config', configPath, '--no-escalate', 'hi']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /settings .*config\.json completion\.maxTokens: .*\(ignored, default used\)/);
  });

  it('a cap, endpoint or mode that cannot be read fails closed: exit 2, the setting named, nothing sent', async () => {
    const raw = JSON.parse(await fs.readFile(configPath, 'utf8'));
    const cases: [Record<string, unknown>, string][] = [
      [{ budget: { dailyLimit: -5 } }, 'budget.dailyLimit'],
      [{ budget: { globalDailyLimit: -1 } }, 'budget.globalDailyLimit'],
      [{ budget: { monthlyLimit: 'ten' } }, 'budget.monthlyLimit'],
      [{ escalation: { maxCostPerRequestUsd: -1 } }, 'escalation.maxCostPerRequestUsd'],
      [{ mode: 'locl' }, 'mode'],
      [{ providers: { ...raw.providers, groq: { ...raw.providers.groq, baseUrl: 'not a url' } } }, 'providers.groq.baseUrl'],
    ];
    for (const [change, setting] of cases) {
      await fs.writeFile(configPath, JSON.stringify({ ...raw, ...change }));
      const run = await cli(['ask', '--config', configPath, '--mode', 'cloud', 'hi'], { GROQ_API_KEY: 'gsk-cli' });
      assert.equal(run.code, 2, `${setting}: ${run.stderr}`);
      assert.ok(run.stderr.includes(` ${setting}: `), `${setting} named: ${run.stderr}`);
      assert.match(run.stderr, /cannot be read, and the default could allow more than you meant/);
      assert.doesNotMatch(run.stderr, /ignored, default used/);
    }
    assert.equal(groq.requests.length, 0, 'no cloud request');
    assert.equal(ollama.requests.filter((r) => r.path === '/api/chat').length, 0);
  });

  it('a 401 names the environment variable that holds the key, never a VS Code command', async () => {
    const run = await cli(['ask', '--config', configPath, '--model', 'groq/llama-3.3-70b-versatile', 'hi'], { GROQ_API_KEY: 'gsk-wrong' });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(groq.requests.length, 1, 'the wrong key reached the double and was rejected');
    assert.match(run.stderr, /auth: Groq rejected the API key \(401/);
    assert.match(run.stderr, /Set GROQ_API_KEY or SWITCHYARD_KEY_GROQ in the environment/);
    assert.doesNotMatch(run.stderr, /Switchyard: Set API Key/);
    // No key at all: the provider is left out before any request, and the error says the same.
    const none = await cli(['ask', '--config', configPath, '--mode', 'cloud', 'hi']);
    assert.equal(none.code, 1, none.stderr);
    assert.match(none.stderr, /model_not_found: .*Set GROQ_API_KEY or SWITCHYARD_KEY_GROQ in the environment \(the key for http:\/\/127\.0\.0\.1:/);
    assert.doesNotMatch(none.stderr, /Switchyard: Set API Key/);
    assert.equal(groq.requests.length, 1);
  });

  it('Ctrl-C (the io signal) stops the answer at the socket and exits 130', async () => {
    ollama.setReply({ text: Array.from({ length: 100 }, (_, i) => `w${i} `), chunking: { delayMs: 20 } });
    const interrupt = new AbortController();
    let stdout = '';
    let stderr = '';
    const code = await runCli(['ask', '--config', configPath, '--no-escalate', 'hi'], {
      stdout: { write: (s: string) => ((stdout += s), interrupt.abort()) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { XDG_CONFIG_HOME: dir, SWITCHYARD_STATE_DIR: dir },
      readFile: (f) => fs.readFile(f, 'utf8'),
      signal: interrupt.signal,
    });
    assert.equal(code, 130, stderr);
    assert.ok(stdout.length > 0 && stdout.length < 40, `stopped promptly: ${JSON.stringify(stdout)}`);
    assert.match(stderr, /cancelled/);
    const chat = await ollama.settled(ollama.requests.findIndex((r) => r.path === '/api/chat'));
    assert.equal(chat.aborted, true);
  });

  it('escalation policy "ask" asks on the terminal, and escalates only on yes', async () => {
    const raw = JSON.parse(await fs.readFile(configPath, 'utf8'));
    await fs.writeFile(configPath, JSON.stringify({ ...raw, escalation: { policy: 'ask' } }));
    const questions: string[] = [];
    const ask = async (yes: boolean | undefined) => {
      let stdout = '';
      const code = await runCli(['ask', '--json', '--config', configPath, 'what is the capital of Australia?'], {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: () => true },
        env: { XDG_CONFIG_HOME: dir, SWITCHYARD_STATE_DIR: dir, GROQ_API_KEY: 'gsk-cli' },
        readFile: (f) => fs.readFile(f, 'utf8'),
        confirm: yes === undefined ? undefined : async (q) => (questions.push(q), yes),
      });
      return { code, out: JSON.parse(stdout) };
    };
    ollama.setReply({ text: 'UNCERTAIN' });
    const declined = await ask(false);
    assert.equal(declined.out.model, 'ollama/llama3.2:3b');
    assert.equal(groq.requests.length, 0);
    const noTerminal = await ask(undefined);
    assert.equal(noTerminal.out.model, 'ollama/llama3.2:3b', 'nobody to ask: no cloud spending');
    const agreed = await ask(true);
    assert.equal(agreed.code, 0);
    assert.equal(agreed.out.model, 'groq/llama-3.3-70b-versatile');
    assert.equal(agreed.out.escalations.length, 1);
    assert.equal(questions.length, 2);
    assert.match(questions[0]!, /Ask groq\/llama-3\.3-70b-versatile \(cloud\) instead\? \[y\/N\]/);
  });

  it('help and version', async () => {
    const help = await cli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /switchyard ask "<prompt>"/);
    assert.match((await cli(['--version'])).stdout, /^switchyard \d+\.\d+\.\d+/);
  });
});

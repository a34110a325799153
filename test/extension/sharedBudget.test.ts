/**
 * One budget cap for the machine: the extension (in this real extension host) and a CLI process
 * spawned from here spend from the same ledger in SWITCHYARD_STATE_DIR (the harness sets it to a
 * directory of this run), against the Groq double; once their spend leaves too little room, the
 * next request from either is refused before it is sent.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CLOUD_MODEL, EXTENSION_ID, GROQ_KEY, chatRequests, settings, startSwitchyardEnv, type SwitchyardEnv } from './support/switchyardEnv';

/** $1 per 1,000 output tokens and free input: a request's worst case is max_tokens × $0.001, its bill output tokens × $0.001. */
const PRICE = { input: 0, output: 1_000 };
/** Every answer is this many tokens, so each costs $0.40. */
const ANSWER_TOKENS = 400;
/** Room for the first two answers ($0.80) and $0.20 more: less than 256 tokens (MIN_USEFUL_MAX_TOKENS) of a third. */
const ROOM_USD = 1;

describe('one budget cap across the extension and the CLI (extension host)', function () {
  this.timeout(60_000);
  let env: SwitchyardEnv;
  let scratch: string;
  const ref = `groq/${CLOUD_MODEL}`;

  before(async () => {
    env = await startSwitchyardEnv();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-shared-budget-'));
  });
  after(async () => {
    await env?.api.services.setWorkspaceMode('auto');
    await settings().update('budget.globalMonthlyLimit', undefined, vscode.ConfigurationTarget.Global);
    await env?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** `node dist/cli.js ask …` with this host's environment (and so its SWITCHYARD_STATE_DIR). */
  function cli(configPath: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const extensionPath = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    const args = [path.join(extensionPath, 'dist/cli.js'), 'ask', '--json', '--no-escalate', '--config', configPath, '--model', ref, '--max-tokens', String(ANSWER_TOKENS), 'Say hello'];
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        args,
        {
          // ELECTRON_RUN_AS_NODE: under test-electron this host's executable is Electron. XDG_CONFIG_HOME: the CLI's
          // old ledger location, kept out of the user's home.
          env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', XDG_CONFIG_HOME: scratch, GROQ_API_KEY: GROQ_KEY },
          timeout: 30_000,
        },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it('the extension spends, the CLI spends from the same cap, and the next request of either is refused before sending', async () => {
    const stateDir = process.env.SWITCHYARD_STATE_DIR;
    assert.ok(stateDir, 'the harness gives the host a state directory of its own');
    const cost = env.api.services.cost();
    assert.equal(cost.dir, path.join(stateDir, 'ledger'), 'the extension’s ledger is the machine’s, in the state directory');

    // The cap: what this run's other suites spent so far, plus ROOM_USD. The CLI gets the same settings.
    const g = vscode.ConfigurationTarget.Global;
    await settings().update('budget.priceOverrides', { [ref]: PRICE }, g);
    const before = await cost.summary(env.api.services.workspaceId);
    const cap = before.globalToday.spent + before.globalToday.reserved + ROOM_USD;
    await settings().update('budget.globalDailyLimit', cap, g);
    await settings().update('budget.globalMonthlyLimit', before.globalMonth.spent + 100, g);
    const configPath = path.join(scratch, 'config.json');
    fs.writeFileSync(
      configPath,
      JSON.stringify({
        providers: { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: env.groq.baseUrl, models: [CLOUD_MODEL], locality: 'cloud' } },
        budget: { globalDailyLimit: cap, globalMonthlyLimit: before.globalMonth.spent + 100, priceOverrides: { [ref]: PRICE } },
      }),
    );
    await env.api.services.setWorkspaceMode('pinned', ref);
    const answer = Array.from({ length: ANSWER_TOKENS }, (_, i) => `w${i}`).join(' ');
    env.groq.setReply({ text: answer });
    const sent0 = chatRequests(env.groq).length;

    // 1. The extension: worst case lowered to fit the $1 room, billed $0.40.
    const first: any = await vscode.commands.executeCommand('switchyard.ask', 'Say hello from the extension');
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    assert.equal(first.answers.at(-1).provider, 'groq');
    assert.equal(chatRequests(env.groq).length, sent0 + 1);

    // 2. The CLI: its worst case ($0.40) fits the $0.60 left, billed $0.40.
    const second = await cli(configPath);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(JSON.parse(second.stdout).model, ref);
    assert.equal(chatRequests(env.groq).length, sent0 + 2, 'the CLI’s request reached the double');
    const after = await cost.summary(env.api.services.workspaceId);
    assert.ok(Math.abs(after.globalToday.spent - before.globalToday.spent - 2 * ANSWER_TOKENS * 0.001) < 1e-6, `the extension sees both spends: ${after.globalToday.spent - before.globalToday.spent}`);

    // 3. $0.20 left: the CLI is refused before anything is sent…
    const third = await cli(configPath);
    assert.notEqual(third.code, 0, third.stdout);
    const refused = JSON.parse(third.stdout);
    assert.equal(refused.error?.kind, 'budget', third.stdout);
    assert.match(refused.error.message, /limit/i);
    // …and so is the extension.
    const fourth: any = await vscode.commands.executeCommand('switchyard.ask', 'Say hello again from the extension');
    assert.equal(fourth.error?.kind, 'budget', JSON.stringify(fourth.error ?? fourth.answers));
    assert.equal(chatRequests(env.groq).length, sent0 + 2, 'neither refused request reached the double');
  });
});

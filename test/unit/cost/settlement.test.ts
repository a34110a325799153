/**
 * Settlement that must never count less than the provider could bill: a stream cut without
 * usage, and the reservation of a process SIGKILLed before it settled (from its recorded
 * progress, or from the usage it had received). "Served" is the OpenAI-compatible double's own
 * log of the tokens it sent, priced with the same price table.
 */
import { strict as assert } from 'node:assert';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { createSpendGuard, type CostService } from '../../../src/core/cost';
import { configSchema } from '../../../src/core/config';
import { costOf } from '../../../src/core/cost/costMath';
import { buildReport, readUsage } from '../../../src/core/cost/reports';
import { resolvePrice } from '../../../src/core/cost/prices';
import { createSwitchyard } from '../../../src/core/switchyard';
import type { KeyStore } from '../../../src/core/types';
import type { RecordedRequest } from '../../servers/http';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../../servers/openaiCompatible';
import { tempLedgerDir, usageLines } from './helpers';
import { CODING_ANSWER as ANSWER, CODING_PROMPT as PROMPT } from '../../fixtures/codingRequest';

const keys: KeyStore = { getKey: async () => 'test-key' };
const GPT4O = resolvePrice({ provider: 'openai', model: 'gpt-4o' }, 'cloud', { overrides: {}, allowUnpriced: [], vendorOf: () => 'openai' });

/** What the double sent for one request, at the table price. */
function servedUsd(rec: RecordedRequest): number {
  assert.ok(rec.served, 'the double logged what it served');
  return costOf({ inputTokens: rec.served.promptTokens, outputTokens: rec.served.outputTokens, estimated: false }, GPT4O, false).totalUsd;
}


describe('settlement never below what the provider served', function () {
  this.timeout(60_000);
  let dir: string;
  let server: OpenAICompatibleServer;
  let cost: CostService | undefined;

  beforeEach(async () => {
    dir = tempLedgerDir();
    server = await startOpenAICompatibleServer({ vendor: 'openai', models: ['gpt-4o'], reply: { text: ANSWER } });
  });
  afterEach(async () => {
    await cost?.dispose();
    cost = undefined;
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function switchyard() {
    const config = configSchema.parse({
      providers: { openai: { kind: 'openai-compatible', vendor: 'openai', baseUrl: server.baseUrl, locality: 'cloud', models: ['gpt-4o'] } },
      tasks: { chat: ['openai/gpt-4o'] },
      escalation: { policy: 'off' },
      budget: { dailyLimit: 10 },
    });
    cost = createSpendGuard({ dir, config });
    return createSwitchyard({ config, keys, spendGuard: cost, env: {} });
  }

  for (const cutAfter of [40, 150, 400]) {
    it(`settles a stream cut after ${cutAfter} chunks (no usage) at or above what the double served`, async () => {
      // Paced like a model (a burst written at once and then reset can reach the client as one
      // read that fails before it is parsed: a cut before any text, see README "Budgets").
      server.setReply({ text: ANSWER, chunking: { breakAfterChunks: cutAfter, delayMs: 2 } });
      const sy = switchyard();
      for await (const _ of sy.stream({ messages: [{ role: 'user', content: PROMPT }], task: 'chat', mode: 'cloud', maxTokens: 2_000, workspaceId: 'ws', signal: new AbortController().signal })) {
        /* drain */
      }
      const [line] = usageLines(dir);
      const served = servedUsd(server.requests[0]!);
      assert.ok(server.requests[0]!.broken, 'the double cut the stream');
      assert.equal(line?.estimated, true);
      assert.ok((line!.costUsd as number) >= served, `ledger ${line!.costUsd} < served ${served}`);
      // Conservative, not wild (the double counts code at 4 characters a token, BPE nearer 3).
      assert.ok((line!.costUsd as number) <= served * 1.5, `ledger ${line!.costUsd} far above served ${served}`);
    });
  }

  it('settles a stream that ends without usage (a proxy that drops it) at or above what the double served, not from the provider\'s own count', async () => {
    server.setReply({ text: ANSWER, omitUsage: true });
    const sy = switchyard();
    for await (const _ of sy.stream({ messages: [{ role: 'user', content: PROMPT }], task: 'chat', mode: 'cloud', maxTokens: 2_000, workspaceId: 'ws', signal: new AbortController().signal })) {
      /* drain */
    }
    const [line] = usageLines(dir);
    const served = servedUsd(server.requests[0]!);
    assert.equal(line?.outcome, 'stop');
    assert.equal(line?.estimated, true);
    assert.ok((line!.costUsd as number) >= served, `ledger ${line!.costUsd} < served ${served}`);
  });

  describe('a process SIGKILLed before it settles', () => {
    let childScript: string;
    const running = new Set<ChildProcess>();
    before(async () => {
      childScript = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-settle-child-')), 'settleChild.js');
      await esbuild.build({ entryPoints: [path.join(__dirname, 'fixtures', 'settleChild.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: childScript, logLevel: 'error' });
    });
    after(() => fs.rmSync(path.dirname(childScript), { recursive: true, force: true }));
    afterEach(async () => {
      for (const child of running) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    });
    function spawn(mode: string): ChildProcess {
      const child = fork(childScript, [mode, dir, server.baseUrl], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      running.add(child);
      child.on('exit', () => running.delete(child));
      return child;
    }
    /** Resolves with the first message `pick` accepts; rejects on the child's error or exit. */
    function until<T>(child: ChildProcess, pick: (m: any) => T | undefined): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        child.on('message', (m: any) => {
          if (m.error) reject(new Error(m.error));
          const v = pick(m);
          if (v !== undefined) resolve(v);
        });
        child.on('exit', (code) => reject(new Error(`child exited (${code}) before the expected message`)));
      });
    }
    /** Another process finds the dead holder: any reservation catches up and closes it. */
    async function settleFromAnotherProcess() {
      const other = createSpendGuard({ dir, config: configSchema.parse({ budget: { dailyLimit: 10 } }) });
      try {
        const r = await other.reserve({ workspaceId: 'other', task: 'chat', ref: { provider: 'openai', model: 'gpt-4o' }, locality: 'cloud', inputTokensEstimate: 1, maxTokens: 1 });
        await r.settle({ usage: { inputTokens: 1, outputTokens: 1, estimated: false }, finish: 'stop', latencyMs: 1 });
      } finally {
        await other.dispose();
      }
      return usageLines(dir).filter((l) => l.workspace === 'ws');
    }

    it('is settled from its recorded progress: at or above what was served, below its worst case, marked estimated', async () => {
      // Paced like a real model, so the kill lands mid-answer.
      server.setReply({ text: ANSWER, chunking: { delayMs: 5 } });
      const child = spawn('stream');
      await until(child, (m) => (m.deltas >= 120 ? true : undefined));
      child.kill('SIGKILL');
      await once(child, 'exit');
      const rec = await server.settled(0);
      assert.ok(rec.aborted, 'the provider saw the client go away mid-answer');

      const [line] = await settleFromAnotherProcess();
      assert.ok(line, 'the dead process reservation was settled');
      assert.equal(line.outcome, 'abandoned');
      assert.equal(line.estimated, true);
      assert.match(line.priceSource as string, /progress/);
      const served = servedUsd(rec);
      const reserve = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n'))
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { t: string; id: string; worstUsd: number })
        .find((r) => r.t === 'reserve' && r.id === line.id)!;
      assert.ok((line.costUsd as number) >= served, `ledger ${line.costUsd} < served ${served}`);
      assert.ok((line.costUsd as number) < reserve.worstUsd / 2, `ledger ${line.costUsd} is near the worst case ${reserve.worstUsd}`);
    });

    it('is settled from the usage it had received when the provider completed the request: not "abandoned", not estimated', async () => {
      server.setReply({ text: ANSWER, promptTokens: 321 });
      const child = spawn('complete');
      await until(child, (m) => m.completed as string | undefined);
      child.kill('SIGKILL');
      await once(child, 'exit');

      const [line] = await settleFromAnotherProcess();
      assert.ok(line);
      assert.equal(line.outcome, 'stop');
      assert.equal(line.estimated, false);
      assert.deepEqual([line.inputTokens, line.outputTokens], [server.requests[0]!.served!.promptTokens, server.requests[0]!.served!.outputTokens]);
      assert.ok(Math.abs((line.costUsd as number) - servedUsd(server.requests[0]!)) < 1e-12);
    });
  });
});

describe('usage report marks estimates', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempLedgerDir();
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('counts estimated records and their cost apart; a price override with reported usage is not one', async () => {
    const config = configSchema.parse({ budget: { dailyLimit: 10, priceOverrides: { 'openai/gpt-4o': { input: 5, output: 20 } } } });
    const guard = createSpendGuard({ dir, config });
    const req = { workspaceId: 'ws', task: 'chat' as const, ref: { provider: 'openai', model: 'gpt-4o' }, locality: 'cloud' as const, inputTokensEstimate: 100, maxTokens: 500 };
    try {
      const reported = await (await guard.reserve(req)).settle({ usage: { inputTokens: 100, outputTokens: 50, estimated: false }, finish: 'stop', latencyMs: 1 });
      const cut = await (await guard.reserve(req)).settle({ finish: 'error', latencyMs: 1, outputText: 'a partial answer cut off' });
      assert.equal(reported.estimated, false);
      assert.equal(cut.estimated, true);
      const report = buildReport(readUsage(ledgerFiles(dir)), 'model', {}, 'openai/gpt-4o', { overrides: {}, allowUnpriced: [], vendorOf: () => 'openai' });
      assert.equal(report.total.requests, 2);
      assert.equal(report.total.estimated, 1);
      assert.ok(Math.abs(report.total.estimatedUsd - cut.totalUsd) < 1e-15);
      assert.ok(Math.abs(report.total.costUsd - reported.totalUsd - cut.totalUsd) < 1e-15);
    } finally {
      await guard.dispose();
    }
  });
});

function ledgerFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('usage-') && f.endsWith('.jsonl'))
    .map((f) => path.join(dir, f));
}

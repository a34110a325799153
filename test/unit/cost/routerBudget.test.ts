/**
 * Budgets through the real router: createSwitchyard with the ledger SpendGuard, a local Ollama
 * double and a cloud OpenAI double. What the user sees (notice, cost, error events), what the
 * cloud server receives (max_tokens) and what the ledger records must agree.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { createSpendGuard, type CostService } from '../../../src/core/cost';
import { configSchema } from '../../../src/core/config';
import { createSwitchyard } from '../../../src/core/switchyard';
import type { KeyStore, RouteRequest, StreamEvent } from '../../../src/core/types';
import { startOllamaServer, type OllamaServer } from '../../servers/ollama';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../../servers/openaiCompatible';
import { tempLedgerDir, usageLines } from './helpers';

const keys: KeyStore = { getKey: async () => 'test-key' };

describe('budgets through the router', function () {
  this.timeout(30_000);
  let dir: string;
  let cloud: OpenAICompatibleServer;
  let ollama: OllamaServer;
  let cost: CostService;

  beforeEach(async () => {
    dir = tempLedgerDir();
    cloud = await startOpenAICompatibleServer({ vendor: 'openai', models: ['gpt-4o'], reply: { text: 'The cloud answer.', promptTokens: 1_000 } });
    ollama = await startOllamaServer({ models: ['qwen2.5:7b'], reply: { text: '本地的回答。', promptEvalCount: 50, evalCount: 5 } });
  });
  afterEach(async () => {
    await cost?.dispose();
    await cloud.close();
    await ollama.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function switchyard(budget: Record<string, unknown>) {
    const config = configSchema.parse({
      providers: {
        ollama: { kind: 'ollama', baseUrl: ollama.url, models: ['qwen2.5:7b'] },
        openai: { kind: 'openai-compatible', vendor: 'openai', baseUrl: cloud.baseUrl, locality: 'cloud', models: ['gpt-4o'] },
      },
      tasks: { chat: ['ollama/qwen2.5:7b', 'openai/gpt-4o'] },
      escalation: { policy: 'off' },
      budget,
    });
    cost = createSpendGuard({ dir, config });
    return createSwitchyard({ config, keys, spendGuard: cost, env: {} });
  }

  async function collect(sy: ReturnType<typeof switchyard>, req: Partial<RouteRequest>): Promise<StreamEvent[]> {
    const events: StreamEvent[] = [];
    for await (const ev of sy.stream({ messages: [{ role: 'user', content: 'hello there' }], task: 'chat', workspaceId: 'ws', signal: new AbortController().signal, ...req })) {
      events.push(ev);
    }
    return events;
  }

  it('lowers max_tokens to fit, tells the user, sends the lowered value and records the real cost', async () => {
    // gpt-4o: the prompt is ~12 tokens; $0.005 leaves room for ~496 output tokens.
    const sy = switchyard({ dailyLimit: 0.005 });
    const events = await collect(sy, { mode: 'cloud', maxTokens: 2_000 });
    const notice = events.find((e) => e.type === 'notice');
    assert.ok(notice && notice.type === 'notice', 'a notice event');
    const lowered = Number(/to (\d+)/.exec(notice.message)?.[1]);
    assert.ok(lowered >= 256 && lowered < 2_000, notice.message);
    assert.equal(cloud.requests.at(-1)?.body?.max_tokens ?? cloud.requests.at(-1)?.body?.max_completion_tokens, lowered);
    const costEv = events.find((e) => e.type === 'cost');
    assert.ok(costEv && costEv.type === 'cost');
    const [line] = usageLines(dir);
    assert.equal(line?.costUsd, costEv.cost.totalUsd);
    assert.equal(line?.inputTokens, 1_000, 'the usage the server reported');
    assert.ok(costEv.cost.totalUsd <= 0.005);
  });

  it('refuses a cloud call that cannot fit before any byte is sent, saying what was spent and the limit', async () => {
    const sy = switchyard({ dailyLimit: 0 });
    const events = await collect(sy, { mode: 'cloud' });
    const error = events.find((e) => e.type === 'error');
    assert.ok(error && error.type === 'error', JSON.stringify(events.map((e) => e.type)));
    assert.equal(error.error.kind, 'budget');
    assert.match(error.error.message, /\$0\.0000 of the \$0\.0000 workspace daily limit is spent today/);
    assert.equal(cloud.requests.filter((r) => r.path.endsWith('/chat/completions')).length, 0, 'the cloud server was never called');
    assert.equal(usageLines(dir).length, 0);
  });

  it('answers locally and records the local request at cost 0 in auto mode', async () => {
    const sy = switchyard({ dailyLimit: 0 });
    const events = await collect(sy, { mode: 'auto' });
    assert.ok(events.some((e) => e.type === 'text'));
    await cost.flush();
    const [line] = usageLines(dir);
    assert.deepEqual([line?.provider, line?.locality, line?.costUsd, line?.inputTokens], ['ollama', 'local', 0, 50]);
    assert.equal(cost.report('model').rows[0]?.key, 'ollama/qwen2.5:7b');
  });
});

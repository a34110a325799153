/**
 * Usage from each provider kind, end to end: a real provider streams from its protocol-faithful
 * test server, the usage it reports (or our estimate when it reports none) is settled through the
 * SpendGuard, and the ledger line and the cost must match the server's counts and the price table.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { createSpendGuard, type CostService } from '../../../src/core/cost';
import { estimateInputTokens, estimateTextTokens } from '../../../src/core/cost/tokens';
import { TOKENIZER_MARGIN } from '../../../src/core/cost/settlement';
import { configSchema, type ProviderConfig } from '../../../src/core/config';
import { createProvider } from '../../../src/core/providers';
import type { ChatMessage, KeyStore, Locality, Provider, ProviderEvent, Usage } from '../../../src/core/types';
import { startNpuServer } from '../../servers/npu';
import { startOllamaServer } from '../../servers/ollama';
import { startOpenAICompatibleServer, type VendorName } from '../../servers/openaiCompatible';
import type { ServerHandle } from '../../servers/http';
import { tempLedgerDir, usageLines } from './helpers';

const MESSAGES: ChatMessage[] = [{ role: 'user', content: '用一句话解释什么是闭包。' }];
const anyKey: KeyStore = { getKey: async () => 'test-key' };

interface Run {
  usage: Usage | undefined;
  text: string;
  thinking: string;
}

async function run(provider: Provider, model: string, thinking?: boolean): Promise<Run> {
  const out: Run = { usage: undefined, text: '', thinking: '' };
  for await (const ev of provider.stream({ model, messages: MESSAGES, maxTokens: 512, thinking, signal: new AbortController().signal }) as AsyncIterable<ProviderEvent>) {
    if (ev.type === 'usage') out.usage = ev.usage;
    if (ev.type === 'text') out.text += ev.text;
    if (ev.type === 'thinking') out.thinking += ev.text;
  }
  return out;
}

describe('usage from each provider kind, settled into the ledger', function () {
  this.timeout(20_000);
  let dir: string;
  let guard: CostService;
  const servers: ServerHandle[] = [];
  const providers: Record<string, ProviderConfig> = {};

  beforeEach(() => {
    dir = tempLedgerDir();
  });
  afterEach(async () => {
    await guard?.dispose();
    for (const s of servers.splice(0)) await s.close();
    for (const k of Object.keys(providers)) delete providers[k];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function build(id: string, partial: Partial<ProviderConfig> & Pick<ProviderConfig, 'kind'>): Provider {
    const config = configSchema.parse({ providers: { [id]: partial }, budget: { dailyLimit: 1 } });
    providers[id] = config.providers[id]!;
    guard = createSpendGuard({ dir, config });
    return createProvider(id, config.providers[id]!, { keys: anyKey, network: config.network, env: {} });
  }

  async function settle(id: string, model: string, locality: Locality, r: Run, thinking?: boolean) {
    const reservation = await guard.reserve({
      workspaceId: 'ws',
      task: 'chat',
      ref: { provider: id, model },
      locality,
      inputTokensEstimate: estimateInputTokens(MESSAGES),
      maxTokens: 512,
      thinking,
    });
    const cost = await reservation.settle({ usage: r.usage, finish: 'stop', latencyMs: 5, outputText: r.thinking + r.text });
    await guard.flush();
    const [line] = usageLines(dir);
    assert.ok(line, 'one ledger line');
    return { cost, line };
  }

  const cloudCases: Array<{ vendor: VendorName; model: string; inRate: number; outRate: number; cachedRate?: number; thinking?: boolean }> = [
    { vendor: 'openai', model: 'gpt-4o-mini', inRate: 0.15, outRate: 0.6, cachedRate: 0.075 },
    { vendor: 'groq', model: 'llama-3.3-70b-versatile', inRate: 0.59, outRate: 0.79 },
    { vendor: 'dashscope', model: 'qwen-plus', inRate: 0.4, outRate: 4, thinking: true },
    { vendor: 'zhipu', model: 'glm-4.7-flashx', inRate: 0.07, outRate: 0.4 },
    { vendor: 'gemini', model: 'gemini-2.5-flash', inRate: 0.3, outRate: 2.5 },
  ];

  for (const c of cloudCases) {
    it(`${c.vendor}: bills the reported usage at the table price`, async () => {
      const server = await startOpenAICompatibleServer({
        vendor: c.vendor,
        models: [c.model],
        reply: { text: '闭包是能记住其定义时作用域的函数。', thinking: c.thinking ? '用户问闭包，我先想一想定义。' : undefined, promptTokens: 1_200, cachedTokens: c.cachedRate ? 1_000 : undefined },
      });
      servers.push(server);
      const provider = build(c.vendor, { kind: 'openai-compatible', vendor: c.vendor, baseUrl: server.baseUrl, locality: 'cloud' });
      const r = await run(provider, c.model, c.thinking);
      assert.ok(r.usage, 'the provider reported usage');
      assert.equal(r.usage.estimated, false);
      assert.equal(r.usage.inputTokens, 1_200);
      const { cost, line } = await settle(c.vendor, c.model, 'cloud', r, c.thinking);
      assert.equal(line.inputTokens, 1_200);
      assert.equal(line.outputTokens, r.usage.outputTokens);
      assert.equal(line.estimated, false);
      const cached = c.cachedRate ? 1_000 : 0;
      const expected = ((1_200 - cached) * c.inRate + cached * (c.cachedRate ?? c.inRate) + r.usage.outputTokens * c.outRate) / 1e6;
      assert.ok(Math.abs(cost.totalUsd - expected) < 1e-12, `${cost.totalUsd} vs ${expected}`);
      assert.equal(line.costUsd, cost.totalUsd);
      if (c.thinking) assert.ok((r.usage.reasoningTokens ?? 0) > 0 || r.thinking.length > 0, 'thinking was streamed');
    });
  }

  it('ollama (local): records the measured tokens at cost 0', async () => {
    const server = await startOllamaServer({ models: ['qwen2.5-coder:7b'], reply: { text: '闭包是一个函数。', promptEvalCount: 321, evalCount: 17 } });
    servers.push(server);
    const provider = build('ollama', { kind: 'ollama', baseUrl: server.url });
    const r = await run(provider, 'qwen2.5-coder:7b');
    assert.deepEqual([r.usage?.inputTokens, r.usage?.outputTokens, r.usage?.estimated], [321, 17, false]);
    const { cost, line } = await settle('ollama', 'qwen2.5-coder:7b', 'local', r);
    assert.equal(cost.totalUsd, 0);
    assert.deepEqual([line.inputTokens, line.outputTokens, line.locality, line.priceSource], [321, 17, 'local', 'local']);
  });

  it('npu-simple (reports no usage): estimates with the tokenizer and marks the record estimated', async () => {
    const server = await startNpuServer({ token: null, reply: { result: '闭包是能访问外部变量的函数。' } });
    servers.push(server);
    const provider = build('npu', { kind: 'npu-simple', baseUrl: server.url });
    const r = await run(provider, 'qwen2-7b-npu');
    const { line } = await settle('npu', 'qwen2-7b-npu', 'local', r);
    assert.equal(line.estimated, true);
    assert.equal(line.outputTokens, r.usage ? r.usage.outputTokens : estimateTextTokens(r.text));
    assert.ok((line.outputTokens as number) >= [...r.text].length * 0.7, 'Chinese output is counted per character, not per 4');
  });

  it('a cloud stream broken mid-way (no usage chunk) is settled from the estimate of the partial text', async () => {
    const server = await startOpenAICompatibleServer({
      vendor: 'openai',
      models: ['gpt-4o'],
      reply: { text: 'a long answer that will be cut off by the network before its usage chunk arrives', chunking: { breakAfterChunks: 8, delayMs: 5 } },
    });
    servers.push(server);
    const provider = build('openai', { kind: 'openai-compatible', vendor: 'openai', baseUrl: server.baseUrl, locality: 'cloud' });
    const reservation = await guard.reserve({ workspaceId: 'ws', task: 'chat', ref: { provider: 'openai', model: 'gpt-4o' }, locality: 'cloud', inputTokensEstimate: estimateInputTokens(MESSAGES), maxTokens: 512 });
    let text = '';
    let usage: Usage | undefined;
    let failed = false;
    try {
      for await (const ev of provider.stream({ model: 'gpt-4o', messages: MESSAGES, maxTokens: reservation.maxTokens, signal: new AbortController().signal })) {
        if (ev.type === 'text') text += ev.text;
        if (ev.type === 'usage') usage = ev.usage;
      }
    } catch {
      failed = true;
    }
    assert.ok(failed, 'the stream failed mid-way');
    assert.ok(text.length > 0, 'some text arrived before the break');
    assert.equal(usage, undefined);
    const cost = await reservation.settle({ usage, finish: 'error', latencyMs: 5, outputText: text });
    const expected = (Math.ceil(estimateInputTokens(MESSAGES) * TOKENIZER_MARGIN) * 2.5 + Math.ceil(estimateTextTokens(text) * TOKENIZER_MARGIN) * 10) / 1e6;
    assert.ok(Math.abs(cost.totalUsd - expected) < 1e-12, `${cost.totalUsd} vs ${expected}`);
    assert.equal(cost.estimated, true);
    assert.equal(usageLines(dir)[0]?.outcome, 'error');
  });
});

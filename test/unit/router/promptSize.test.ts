/**
 * Prompt size against context windows, through the real router (createSwitchyard, the ledger
 * SpendGuard, the Ollama and OpenAI-compatible doubles): a model is tried only if its window
 * holds prompt + answer; when none does, the request is refused with the sizes before any
 * byte is sent or any budget reserved; Ollama gets a num_ctx that holds the prompt; and the
 * classifier, the fit check and the budget count the prompt with one number (issue 14, point 4).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type CostService, createSpendGuard } from '../../../src/core/cost';
import { estimateInputTokens } from '../../../src/core/cost/tokens';
import { configSchema } from '../../../src/core/config';
import { numCtxFor } from '../../../src/core/providers/ollamaContext';
import { createSwitchyard } from '../../../src/core/switchyard';
import { estimatePromptTokens } from '../../../src/core/tokenEstimate';
import type { ChatMessage, KeyStore, RouteRequest, SpendGuard, SpendRequest, StreamEvent } from '../../../src/core/types';
import { type OllamaServer, startOllamaServer } from '../../servers/ollama';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import { tempLedgerDir } from '../cost/helpers';

const keys: KeyStore = { getKey: async () => 'test-key' };
/** 40 characters of English prose. */
const SENTENCE = 'The quarterly report says revenue grew. ';
/** The prompt: 2 MB of text (about 500,000 tokens). */
const TWO_MB = SENTENCE.repeat((2 * 1024 * 1024) / SENTENCE.length);
const QWEN_WINDOW = 32_768;
const GPT_4O_MINI_WINDOW = 128_000;
const ANSWER = 2_048; // DEFAULT_MAX_TOKENS

function ledgerLines(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean));
}

describe('prompt size against context windows', function () {
  this.timeout(30_000);
  let dir: string;
  let ollama: OllamaServer;
  let cloud: OpenAICompatibleServer;
  let cost: CostService | undefined;
  let reserved: SpendRequest[];

  beforeEach(async () => {
    dir = tempLedgerDir();
    reserved = [];
    ollama = await startOllamaServer({ models: [{ name: 'qwen2.5:7b', contextLength: QWEN_WINDOW }], reply: { text: '本地的回答。' } });
    cloud = await startOpenAICompatibleServer({ vendor: 'openai', apiKey: 'test-key', models: ['gpt-4o-mini'], reply: { text: 'The cloud answer.' } });
  });
  afterEach(async () => {
    await cost?.dispose();
    cost = undefined;
    await Promise.all([ollama.close(), cloud.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function switchyard(extra: Record<string, unknown> = {}) {
    const config = configSchema.parse({
      providers: {
        ollama: { kind: 'ollama', baseUrl: ollama.url },
        openai: { kind: 'openai-compatible', vendor: 'openai', baseUrl: cloud.baseUrl, locality: 'cloud', models: ['gpt-4o-mini'] },
      },
      tasks: { long_context: ['ollama/qwen2.5:7b', 'openai/gpt-4o-mini'], chat: ['ollama/qwen2.5:7b', 'openai/gpt-4o-mini'] },
      escalation: { policy: 'off' },
      budget: { dailyLimit: 1 },
      ...extra,
    });
    cost = createSpendGuard({ dir, config });
    const real = cost;
    // The real ledger guard, with every reservation it is asked for written down.
    const spendGuard: SpendGuard = { reserve: (r) => (reserved.push(r), real.reserve(r)) };
    return createSwitchyard({ config, keys, spendGuard, env: {} });
  }

  async function run(sy: ReturnType<typeof switchyard>, req: Partial<RouteRequest> & { messages: ChatMessage[] }): Promise<StreamEvent[]> {
    const events: StreamEvent[] = [];
    for await (const ev of sy.stream({ workspaceId: 'ws', signal: new AbortController().signal, ...req })) events.push(ev);
    return events;
  }

  const generations = () => ollama.optionsReceived().length;

  it('refuses a 2 MB prompt before sending anything: no request to either model, no reservation, the sizes in a typed reason', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: `Summarize this:\n${TWO_MB}` }];
    const events = await run(switchyard(), { messages });
    const promptTokens = estimatePromptTokens(messages);

    const decision = events.find((e) => e.type === 'decision');
    assert.ok(decision?.type === 'decision');
    assert.equal(decision.decision.candidates.length, 0);
    assert.equal(decision.decision.promptTokens, promptTokens);
    const reasons = decision.decision.excluded.map((e) => e.reason);
    assert.deepEqual(reasons, [
      { code: 'context_too_small', model: 'ollama/qwen2.5:7b', window: QWEN_WINDOW, needed: promptTokens + ANSWER },
      { code: 'context_too_small', model: 'openai/gpt-4o-mini', window: GPT_4O_MINI_WINDOW, needed: promptTokens + ANSWER },
    ]);

    const error = events.find((e) => e.type === 'error');
    assert.ok(error?.type === 'error', JSON.stringify(events.map((e) => e.type)));
    assert.equal(error.error.kind, 'context_length');
    assert.deepEqual(error.error.reason, { code: 'prompt_too_large', promptTokens, answerTokens: ANSWER, largestWindow: GPT_4O_MINI_WINDOW, model: 'openai/gpt-4o-mini' });
    assert.match(error.error.message, /The prompt is about [\d,]+ tokens; .* \(openai\/gpt-4o-mini, 128,000 tokens\)\. Nothing was sent\./);
    assert.deepEqual(events.map((e) => e.type), ['decision', 'error', 'done']);

    assert.equal(generations(), 0, 'Ollama was asked for no answer');
    // Only what selection needs to know a local model and its window: the installed list and /api/show.
    assert.deepEqual([...new Set(ollama.requests.map((r) => r.path))].sort(), ['/api/show', '/api/tags']);
    assert.equal(cloud.requests.length, 0, 'not one request to the cloud model');
    assert.deepEqual(reserved, [], 'no reservation asked for');
    assert.deepEqual(ledgerLines(dir), [], 'nothing in the ledger');
  });

  it('in cloud mode too: the 128K model gets no request and nothing is reserved', async () => {
    const events = await run(switchyard(), { messages: [{ role: 'user', content: TWO_MB }], mode: 'cloud' });
    const error = events.find((e) => e.type === 'error');
    assert.ok(error?.type === 'error');
    assert.equal(error.error.reason?.code, 'prompt_too_large');
    assert.equal(error.error.reason?.model, 'openai/gpt-4o-mini');
    assert.equal(cloud.requests.length, 0);
    assert.deepEqual(reserved, []);
    assert.deepEqual(ledgerLines(dir), []);
  });

  it('the classifier, the context check and the budget count the 2 MB prompt with one number', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: `Summarize this:\n${TWO_MB}` }];
    const decision = await switchyard().plan({ messages, workspaceId: 'ws' });
    const inTaskReason = Number(/about ([\d,]+) tokens/.exec(decision.taskReason)?.[1]?.replace(/,/g, ''));
    assert.equal(decision.task, 'long_context');
    assert.equal(inTaskReason, decision.promptTokens, 'classifier = context check');
    assert.equal(estimateInputTokens(messages), decision.promptTokens, 'budget (cost/tokens.ts) = context check');
    // Conservative: above the old budget count (cl100k, 393,184 for the prompt) and the old classifier's (chars ÷ 4).
    assert.ok(decision.promptTokens! > Math.ceil(TWO_MB.length / 4), `${decision.promptTokens}`);
  });

  it('leaves out the model whose window is too small and answers with one that holds it; the reservation uses the same number', async () => {
    // About 55,000 tokens: over qwen2.5:7b's 32K, within gpt-4o-mini's 128K.
    const messages: ChatMessage[] = [{ role: 'user', content: `Summarize this:\n${SENTENCE.repeat(5_000)}` }];
    const events = await run(switchyard(), { messages });
    const decision = events.find((e) => e.type === 'decision');
    assert.ok(decision?.type === 'decision');
    const promptTokens = decision.decision.promptTokens!;
    assert.ok(promptTokens > QWEN_WINDOW && promptTokens < GPT_4O_MINI_WINDOW, `${promptTokens}`);
    assert.deepEqual(decision.decision.candidates.map((c) => `${c.ref.provider}/${c.ref.model}`), ['openai/gpt-4o-mini']);
    const left = decision.decision.excluded.find((e) => e.ref === 'ollama/qwen2.5:7b');
    assert.deepEqual(left?.reason, { code: 'context_too_small', model: 'ollama/qwen2.5:7b', window: QWEN_WINDOW, needed: promptTokens + ANSWER });
    assert.match(left!.why, /^context window of 32,768 tokens \(reported by ollama\) is too small: needs [\d,]+ \(prompt about [\d,]+ \+ answer 2,048\)$/);

    assert.ok(events.some((e) => e.type === 'text'), 'answered');
    assert.equal(generations(), 0, 'the too-small local model got no request');
    assert.equal(cloud.requests.length, 1);
    assert.equal(reserved.length, 1);
    assert.equal(reserved[0]!.inputTokensEstimate, promptTokens, 'the budget reserved for the size the check used');
    assert.equal(Number(/about ([\d,]+) tokens/.exec(decision.decision.taskReason)?.[1]?.replace(/,/g, '')), promptTokens, 'and the classifier said');
  });

  it("sets Ollama's num_ctx from the prompt and the answer, so a 9,000-token prompt is not cut to Ollama's default 4,096", async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: SENTENCE.repeat(900) }];
    const events = await run(switchyard(), { messages, mode: 'local', task: 'chat' });
    const needed = estimatePromptTokens(messages) + ANSWER;
    const [options] = ollama.optionsReceived();
    assert.equal(options?.num_ctx, 16_384, `needed ${needed}: the next power of two`);
    assert.ok(Number(options?.num_ctx) >= needed);
    assert.equal(options?.num_predict, ANSWER);
    // The double evaluates at most num_ctx tokens of the prompt, as Ollama does: the whole prompt here.
    const usage = events.find((e) => e.type === 'usage');
    assert.ok(usage?.type === 'usage');
    assert.ok(usage.usage.inputTokens > 4_096, `evaluated ${usage.usage.inputTokens} prompt tokens`);
  });

  it("caps num_ctx at the model's context length, and gives a short prompt Ollama's default", async () => {
    ollama.models[0]!.contextLength = 12_000;
    const sy = switchyard();
    const messages: ChatMessage[] = [{ role: 'user', content: SENTENCE.repeat(900) }];
    assert.ok(estimatePromptTokens(messages) + ANSWER <= 12_000, 'fits the window');
    await run(sy, { messages, mode: 'local', task: 'chat' });
    await run(sy, { messages: [{ role: 'user', content: 'hi' }], mode: 'local', task: 'chat' });
    assert.deepEqual(ollama.optionsReceived().map((o) => o.num_ctx), [12_000, 4_096]);
    assert.equal(numCtxFor(100_000, undefined), 131_072);
  });
});

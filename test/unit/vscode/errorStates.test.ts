import { strict as assert } from 'node:assert';
import { describeError } from '../../../src/vscode/chat/errorStates';
import { budgetRefusal } from '../../../src/core/cost/refusal';
import type { NormalizedError, RoutingDecision } from '../../../src/core/types';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { english, english as t } from './translate';

const bundle = JSON.parse(readFileSync(join(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;

const err = (kind: NormalizedError['kind'], extra: Partial<NormalizedError> = {}): NormalizedError => ({ kind, message: 'boom', retryable: false, ...extra });
const commands = (e: ReturnType<typeof describeError>) => e.actions.map((a) => a.command);

describe('errorStates: each failure has a fixing button', () => {
  it('nothing set up and no typed cause → one line offering a model or a key; Try the Demo; the left-out models in Details', () => {
    const decision: RoutingDecision = { task: 'chat', taskReason: '', mode: 'auto', candidates: [], excluded: [{ ref: 'groq/llama', why: 'disabled in settings' }] };
    const e = describeError(err('unknown'), decision, t);
    assert.equal(e.kind, 'no_provider');
    assert.deepEqual(e.lines!.map((l) => l.actions.map((a) => a.command)), [['switchyard.manageLocalModels', 'switchyard.setApiKey']]);
    assert.deepEqual(commands(e), ['switchyard.tryDemo', 'switchyard.openSettings']);
    assert.deepEqual(e.details, ['groq/llama — disabled in settings']);
  });

  it('nothing left but a cloud provider without its key → one line naming it, with Set API Key and no Start Ollama', () => {
    const decision: RoutingDecision = {
      task: 'code',
      taskReason: '',
      mode: 'auto',
      candidates: [],
      excluded: [
        { ref: 'ollama/qwen2.5-coder', why: 'ollama: local provider skipped, the request asks for a stronger (cloud) model' },
        { ref: 'groq/llama-3.3-70b-versatile', why: 'groq: no API key for https://api.groq.com', fix: { action: 'set_key', provider: 'groq', origin: 'https://api.groq.com' } },
      ],
    };
    const e = describeError(err('unknown'), decision, t);
    assert.deepEqual(e.lines, [{ text: 'No API key for groq.', actions: [{ label: 'Set API Key', command: 'switchyard.setApiKey' }] }]);
    assert.match(e.message, /^No model could take this request\. No API key for groq\.$/);
  });

  it('nothing left because Ollama is installed but down → Start Ollama, not Set API Key', () => {
    const decision: RoutingDecision = {
      task: 'chat',
      taskReason: '',
      mode: 'local',
      candidates: [],
      excluded: [{ ref: 'ollama/llama3.2', why: 'ollama: not available (not running)', fix: { action: 'start_local', provider: 'ollama' }, reason: { code: 'local_unavailable', provider: 'ollama', state: 'down' } }],
    };
    const e = describeError(err('unknown'), decision, t);
    assert.deepEqual(e.lines, [{ text: 'Ollama is installed but not running.', actions: [{ label: 'Start Ollama', command: 'switchyard.startOllama' }] }]);
  });

  it('Ollama not running → Start Ollama', () => {
    const e = describeError(err('network', { provider: 'ollama' }), undefined, t);
    assert.equal(commands(e)[0], 'switchyard.startOllama');
  });

  it('key missing or rejected → Set API Key', () => {
    assert.equal(commands(describeError(err('auth', { provider: 'groq' }), undefined, t))[0], 'switchyard.setApiKey');
    // The core's typed fix (no VS Code prose in its message) still gets the Set API Key button.
    const typed = describeError(err('auth', { provider: 'groq', message: 'Groq rejected the API key (401).', fix: { action: 'set_key', provider: 'groq', origin: 'https://api.groq.com' } }), undefined, t);
    assert.deepEqual(typed.actions[0], { label: 'Set API Key', command: 'switchyard.setApiKey' });
  });

  it('a setting that fails closed → cloud refused, local still answers, and Open Setting at that setting', () => {
    const decision: RoutingDecision = { task: 'chat', taskReason: '', mode: 'auto', candidates: [], excluded: [{ ref: 'groq/llama', why: 'groq: cloud provider, and cloud calls are refused until the setting budget.dailyLimit is fixed' }] };
    const e = describeError(err('config_invalid', { fix: { action: 'fix_setting', setting: 'budget.dailyLimit' } }), decision, t);
    assert.equal(e.kind, 'config_invalid', 'not the generic "no provider" state');
    assert.match(e.message, /Cloud models are refused in this workspace: the setting switchyard\.budget\.dailyLimit cannot be read/);
    assert.match(e.message, /local models still answer/);
    assert.deepEqual(e.actions, [{ label: 'Open Setting', command: 'switchyard.openSettings', setting: 'switchyard.budget.dailyLimit' }]);
  });

  it('a budget refusal is said from its numbers: the core\'s English after the panel\'s label, and all Chinese in zh-cn', () => {
    const refusal = (reservedUsd: number, scope: 'workspace' | 'global', period: 'day' | 'month') =>
      budgetRefusal(
        { workspaceId: 'w', task: 'chat', ref: { provider: 'groq', model: 'llama-3.3-70b-versatile' }, locality: 'cloud', inputTokensEstimate: 1200, maxTokens: 800 },
        0.0042,
        { scope, period, limitUsd: 0.5, label: '' },
        { spentUsd: 0.499, reservedUsd, currency: { currency: 'USD', usdRate: 1 } },
      ).info;
    const zh = (message: string, ...args: (string | number)[]) => english(bundle[message] ?? message, ...args);
    for (const [held, scope, period] of [[0, 'workspace', 'day'], [0.01, 'global', 'month'], [0.01, 'workspace', 'month'], [0, 'global', 'day']] as const) {
      const error = refusal(held, scope, period);
      assert.equal(error.reason?.code, 'budget_refused');
      const e = describeError(error, undefined, t);
      assert.equal(e.message, `Budget reached: ${error.message.slice('Budget: '.length)}`);
      assert.deepEqual(commands(e).slice(0, 2), ['switchyard.setBudget', 'switchyard.showUsage']);
      const chinese = describeError(error, undefined, zh).message;
      // Left in Latin letters: the model, the settings' names and "max_tokens"/"token".
      const left = chinese.replace(/groq\/llama-3\.3-70b-versatile|switchyard\.budget\.\w+|token/g, '').match(/[A-Za-z]{2,}/g) ?? [];
      assert.deepEqual(left, [], chinese);
    }
  });

  it('budget reached → Set Budget and the usage report', () => {
    const e = describeError(err('budget', { message: 'spent 1.00 of 1.00' }), undefined, t);
    assert.deepEqual(commands(e).slice(0, 2), ['switchyard.setBudget', 'switchyard.showUsage']);
    assert.match(e.message, /spent 1\.00 of 1\.00/);
  });

  it('offline (cloud unreachable) → Retry, or use local only', () => {
    const e = describeError(err('network', { provider: 'groq' }), undefined, t);
    assert.deepEqual(commands(e), ['switchyard.retryLast', 'switchyard.switchMode']);
  });

  it('prompt too large for every window → the sizes and the model, in English and in Chinese; nothing to retry', () => {
    const decision: RoutingDecision = {
      task: 'long_context',
      taskReason: '',
      mode: 'auto',
      candidates: [],
      excluded: [{ ref: 'ollama/qwen2.5:7b', why: 'context window of 32,768 tokens…', reason: { code: 'context_too_small', model: 'ollama/qwen2.5:7b', window: 32_768, needed: 578_825 } }],
      promptTokens: 576_777,
    };
    const error = err('context_length', { reason: { code: 'prompt_too_large', promptTokens: 576_777, answerTokens: 2_048, largestWindow: 128_000, model: 'openai/gpt-4o-mini' } });
    const e = describeError(error, decision, t);
    assert.equal(e.kind, 'prompt_too_large');
    assert.equal(
      e.message,
      'The prompt is about 576,777 tokens, plus 2,048 for the answer: more than the largest context window available (openai/gpt-4o-mini, 128,000 tokens). Nothing was sent. Shorten the prompt or attach less, or add a model with a larger window.',
    );
    assert.deepEqual(commands(e), ['switchyard.newConversation', 'switchyard.switchMode', 'switchyard.openSettings']);
    const zh = describeError(error, decision, (m, ...args) => english(bundle[m] ?? `MISSING: ${m}`, ...args));
    assert.equal(zh.message, '提示词约 576,777 个 token，加上回答预留的 2,048 个，超出了可用模型中最大的上下文窗口（openai/gpt-4o-mini，128,000 个 token）。未发送任何内容。请缩短提示词或少附带一些内容，或添加上下文窗口更大的模型。');
  });
});

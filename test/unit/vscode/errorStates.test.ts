import { strict as assert } from 'node:assert';
import { describeError } from '../../../src/vscode/errorStates';
import type { NormalizedError, RoutingDecision } from '../../../src/core/types';
import { english as t } from './translate';

const err = (kind: NormalizedError['kind'], extra: Partial<NormalizedError> = {}): NormalizedError => ({ kind, message: 'boom', retryable: false, ...extra });
const commands = (e: ReturnType<typeof describeError>) => e.actions.map((a) => a.command);

describe('errorStates: each failure has a fixing button', () => {
  it('no provider configured → set a key / start Ollama / settings, naming what was left out', () => {
    const decision: RoutingDecision = { task: 'chat', taskReason: '', mode: 'auto', candidates: [], excluded: [{ ref: 'groq/llama', why: 'no API key' }] };
    const e = describeError(err('unknown'), decision, t);
    assert.equal(e.kind, 'no_provider');
    assert.deepEqual(commands(e), ['switchyard.setApiKey', 'switchyard.startOllama', 'switchyard.openSettings']);
    assert.match(e.message, /groq\/llama \(no API key\)/);
  });

  it('nothing left but a cloud provider without its key → says so, and offers Set API Key, not Start Ollama', () => {
    const decision: RoutingDecision = {
      task: 'code',
      taskReason: '',
      mode: 'auto',
      candidates: [],
      excluded: [
        { ref: 'ollama/qwen2.5-coder', why: 'ollama: local provider skipped, the request asks for a stronger (cloud) model' },
        { ref: 'groq/llama-3.3-70b-versatile', why: 'groq: no API key for https://api.groq.com' },
      ],
    };
    const e = describeError(err('unknown'), decision, t);
    assert.match(e.message, /^No model could take this request: no API key is stored for groq\./);
    assert.deepEqual(commands(e), ['switchyard.setApiKey', 'switchyard.openSettings']);
  });

  it('nothing left because Ollama is down → Start Ollama, not Set API Key', () => {
    const decision: RoutingDecision = {
      task: 'chat',
      taskReason: '',
      mode: 'local',
      candidates: [],
      excluded: [{ ref: 'ollama/llama3.2', why: 'ollama: not available (not running)' }],
    };
    const e = describeError(err('unknown'), decision, t);
    assert.match(e.message, /Ollama is not running/);
    assert.deepEqual(commands(e), ['switchyard.startOllama', 'switchyard.openSettings']);
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

  it('budget reached → Set Budget and the usage report', () => {
    const e = describeError(err('budget', { message: 'spent 1.00 of 1.00' }), undefined, t);
    assert.deepEqual(commands(e).slice(0, 2), ['switchyard.setBudget', 'switchyard.showUsage']);
    assert.match(e.message, /spent 1\.00 of 1\.00/);
  });

  it('offline (cloud unreachable) → Retry, or use local only', () => {
    const e = describeError(err('network', { provider: 'groq' }), undefined, t);
    assert.deepEqual(commands(e), ['switchyard.retryLast', 'switchyard.switchMode']);
  });
});

import { strict as assert } from 'node:assert';
import { messageSchemas } from '../../../src/shared/messages';

describe('panel protocol: messages are validated at the edge', () => {
  it('accepts what the webview really sends', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'ask', prompt: '你好' },
      { type: 'stop' },
      { type: 'escalate', turnId: 'ab12cd34' },
      { type: 'copy', code: 'x = 1' },
      { type: 'command', command: 'switchyard.setApiKey' },
      { type: 'command', command: 'switchyard.openSettings', setting: 'switchyard.budget.dailyLimit' },
    ]) {
      assert.equal(messageSchemas().fromWebview.safeParse(m).success, true, JSON.stringify(m));
    }
  });

  it('rejects commands outside the allow-list, unknown types and blank prompts', () => {
    for (const m of [
      { type: 'command', command: 'workbench.action.terminal.sendSequence' },
      { type: 'command', command: 'switchyard.removeApiKey' },
      { type: 'command', command: 'switchyard.openSettings', setting: 'http.proxy' },
      { type: 'command', command: 'switchyard.openSettings', setting: 'switchyard.budget dailyLimit' },
      { type: 'eval', code: 'process.exit()' },
      { type: 'ask', prompt: '   ' },
      { type: 'ask', prompt: 'x'.repeat(200_001) },
      { type: 'escalate', turnId: '' },
      'ask',
      null,
    ]) {
      assert.equal(messageSchemas().fromWebview.safeParse(m).success, false, JSON.stringify(m)?.slice(0, 80));
    }
  });

  it('has no field that could carry a key to the webview', () => {
    const init = messageSchemas().toWebview.parse({ type: 'init', strings: {}, locale: 'en', turns: [], streaming: false, apiKey: 'gsk_secret' });
    assert.equal(JSON.stringify(init).includes('gsk_secret'), false, 'unknown fields are stripped');
  });
});

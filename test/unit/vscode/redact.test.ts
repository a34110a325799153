import { strict as assert } from 'node:assert';
import { redactFields } from '../../../src/vscode/app/redact';

describe('redact: log lines carry no secrets and no prompt text unless allowed', () => {
  const secret = 'gsk_live_0123456789abcdef';

  it('drops credential fields at any depth but keeps token counts', () => {
    const line = redactFields(
      { provider: 'groq', headers: { Authorization: `Bearer ${secret}`, 'x-api-key': secret }, apiKey: secret, usage: { inputTokens: 12, outputTokens: 34 } },
      { logPrompts: true, secrets: new Set() },
    );
    assert.equal(line.includes(secret), false);
    assert.deepEqual(JSON.parse(line).usage, { inputTokens: 12, outputTokens: 34 });
  });

  it('scrubs a known key value that appears inside an error message', () => {
    const line = redactFields({ error: new Error(`401 for key ${secret}`) }, { logPrompts: false, secrets: new Set([secret]) });
    assert.equal(line.includes(secret), false);
    assert.match(line, /\[redacted\]/);
  });

  it('replaces prompt text by its length unless logPrompts is on', () => {
    const fields = { prompt: 'my secret code', messages: [{ role: 'user', content: 'abc' }], task: 'code' };
    const off = JSON.parse(redactFields(fields, { logPrompts: false, secrets: new Set() }));
    assert.equal(off.prompt, '[14 chars]');
    assert.equal(off.messages, '[3 chars]');
    assert.equal(off.task, 'code');
    const on = JSON.parse(redactFields(fields, { logPrompts: true, secrets: new Set() }));
    assert.equal(on.prompt, 'my secret code');
  });
});

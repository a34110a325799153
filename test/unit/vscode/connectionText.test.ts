import { strict as assert } from 'node:assert';
import { connectionText, parseConnectionText } from '../../../src/vscode/gateway/connectionText';

describe('Copy Base URL and Token: the clipboard text', () => {
  it('is the two variables an OpenAI SDK reads, the base URL ending in /v1, and parses back', () => {
    const text = connectionText('http://127.0.0.1:8000', 'sy-abc');
    assert.equal(text, 'OPENAI_BASE_URL=http://127.0.0.1:8000/v1\nOPENAI_API_KEY=sy-abc\n');
    assert.deepEqual(parseConnectionText(text), { baseURL: 'http://127.0.0.1:8000/v1', apiKey: 'sy-abc' });
    assert.equal(parseConnectionText('something else'), undefined);
  });
});

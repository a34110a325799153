import { strict as assert } from 'node:assert';
import { buildEditorPrompt, answerLanguageHint } from '../../../src/vscode/chat/prompts';

const ctx = { code: 'const a = 1;', languageId: 'typescript', where: 'src/a.ts:1-1', displayLanguage: 'en' };

describe('prompts: editor commands', () => {
  it('sends Explain, Fix and Write Tests as code tasks with the code fenced', () => {
    for (const action of ['explain', 'fix', 'writeTests'] as const) {
      const p = buildEditorPrompt(action, ctx);
      assert.equal(p.task, 'code');
      assert.match(p.prompt, /```typescript\nconst a = 1;\n```/);
    }
  });

  it('keeps code that contains ``` inside one longer fence', () => {
    const p = buildEditorPrompt('explain', { ...ctx, code: 'md = "```js\\nx\\n```"' });
    assert.match(p.prompt, /````typescript\n/);
  });

  it('asks for Chinese answers when VS Code runs in Chinese', () => {
    assert.equal(answerLanguageHint('zh-cn'), ' Answer in Simplified Chinese.');
    assert.match(buildEditorPrompt('fix', { ...ctx, displayLanguage: 'zh-cn' }).prompt, /Simplified Chinese/);
    assert.equal(answerLanguageHint('en'), '');
  });
});

import { strict as assert } from 'node:assert';
import { assemblePrompt } from '../../../src/core/completion/promptAssembly';
import { RecentDocuments } from '../../../src/core/completion/recentDocuments';
import { exactTokens } from '../../../src/core/completion/tokenBudget';

describe('completion/promptAssembly and recentDocuments', () => {
  const before = Array.from({ length: 300 }, (_, i) => `x${i} = f(x${i - 1})\n`).join('') + 'y = ';
  const after = '\n' + Array.from({ length: 300 }, (_, i) => `z${i} = g(z${i - 1})\n`).join('');

  it('sizes prefix and suffix by tokens around the cursor', () => {
    const p = assemblePrompt(before, after, { maxPrefixTokens: 120, maxSuffixTokens: 40 }, 'python', 'a.py');
    assert.ok(p.prefix.endsWith('y = ') && before.endsWith(p.prefix));
    assert.ok(after.startsWith(p.suffix));
    assert.ok(exactTokens(p.prefix) <= 120 && exactTokens(p.suffix) <= 40);
    assert.equal(p.snippetCount, 0);
  });

  it('adds snippets of recent same-language files as path-headed comments', () => {
    const recent = new RecentDocuments();
    recent.note('file:///util.py', 'util.py', 'python', 'def helper(a):\n    return a * 2\n', 1);
    recent.note('file:///notes.md', 'notes.md', 'markdown', '# not python', 0);
    recent.note('file:///a.py', 'a.py', 'python', before + after, 300);
    const snippets = recent.snippets('python', 'file:///a.py', 200);
    assert.deepEqual(snippets, [{ path: 'util.py', text: 'def helper(a):\n    return a * 2\n' }]);
    const p = assemblePrompt('y = ', '', { maxPrefixTokens: 100, maxSuffixTokens: 100 }, 'python', 'a.py', snippets);
    assert.equal(p.prefix, '# Path: util.py\n# def helper(a):\n#     return a * 2\n# Path: a.py\ny = ');
  });

  it('keeps snippets within their token budget, most recent first', () => {
    const recent = new RecentDocuments();
    const big = Array.from({ length: 200 }, (_, i) => `export const c${i} = ${i};`).join('\n');
    recent.note('file:///old.ts', 'old.ts', 'typescript', big, 100);
    recent.note('file:///new.ts', 'new.ts', 'typescript', big, 10);
    const snippets = recent.snippets('typescript', 'file:///cur.ts', 150);
    assert.equal(snippets[0]?.path, 'new.ts');
    const total = snippets.reduce((n, s) => n + exactTokens(s.text), 0);
    assert.ok(total <= 150, String(total));
  });
});

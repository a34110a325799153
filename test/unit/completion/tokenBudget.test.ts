import { strict as assert } from 'node:assert';
import { estimateTokens, exactTokens, fitHead, fitTail } from '../../../src/core/completion/tokenBudget';

const codeLine = (i: number) => `    const value${i} = compute(value${i - 1}, ${i}); // step ${i}\n`;
const code = Array.from({ length: 400 }, (_, i) => codeLine(i)).join('');

describe('completion/tokenBudget', () => {
  it('returns small text untouched without running the tokenizer', () => {
    const r = fitTail('let x = 1;\n', 100);
    assert.deepEqual(r, { text: 'let x = 1;\n', tokens: estimateTokens('let x = 1;\n'), tokenized: false });
  });

  it('keeps the tail of the prefix in whole lines within the token budget', () => {
    const r = fitTail(code, 200);
    assert.ok(r.tokenized);
    assert.ok(code.endsWith(r.text));
    assert.ok(r.text.startsWith('    const value'), 'starts at a line boundary');
    const exact = exactTokens(r.text);
    assert.ok(exact <= 200, `exact ${exact} ≤ 200`);
    // One more line would not have fitted.
    const oneMore = code.slice(0, code.length - r.text.length).split('\n').slice(-2)[0]! + '\n' + r.text;
    assert.ok(exactTokens(oneMore) > 200 - 5, 'uses nearly the whole budget');
  });

  it('keeps the head of the suffix within the budget', () => {
    const r = fitHead(code, 150);
    assert.ok(code.startsWith(r.text));
    assert.ok(exactTokens(r.text) <= 150);
    assert.ok(r.text.endsWith('\n'));
  });

  it('counts Chinese comments by tokens, not characters', () => {
    const chinese = Array.from({ length: 60 }, () => '// 计算两个数的和并返回结果，注意溢出的情况\n').join('');
    const r = fitTail(chinese, 100);
    assert.ok(exactTokens(r.text) <= 100);
    assert.ok(r.text.length < chinese.length);
    assert.ok(r.text.length > 0);
  });

  it('cuts a single over-long line (minified code) at the cursor side', () => {
    const minified = 'a=b+c;'.repeat(2000);
    const r = fitTail(minified, 50);
    assert.ok(r.tokens <= 50 && r.text.length > 0);
    assert.ok(minified.endsWith(r.text));
  });

  it('does not throw on model control tokens inside the document', () => {
    const text = 'const EOT = "<|endoftext|>";\n'.repeat(300);
    const r = fitTail(text, 100);
    assert.ok(r.text.includes('<|endoftext|>'));
    assert.ok(r.tokens <= 100);
  });
});

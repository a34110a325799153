import { strict as assert } from 'node:assert';
import { estimateInputTokens, estimateTextTokens, TEMPLATE_ALLOWANCE, tokenizer, TOKENS_PER_MESSAGE, TOKENS_REPLY_PRIMING } from '../../../src/core/cost/tokens';
import { estimatePromptTokens, estimateTokens } from '../../../src/core/tokenEstimate';

// Chinese prose samples (a code-review request and an encyclopaedia sentence).
const ZH_REVIEW = '请帮我解释一下这段代码的作用，并指出可能存在的性能问题。我们的系统在高并发场景下响应变慢，数据库连接池经常被耗尽。';
const ZH_ENCYCLOPEDIA = '机器学习是人工智能的一个分支，它使计算机能够在没有明确编程的情况下从数据中学习。';
const EN = 'Please explain what this code does and point out possible performance problems. Our system slows down under high concurrency.';

describe('token estimates (gpt-tokenizer cl100k_base)', function () {
  // The first estimate builds cl100k's rank table: ~1.5 s on a loaded 2-core machine.
  this.timeout(30_000);
  it('counts Chinese at roughly one token per character, not a quarter', () => {
    for (const text of [ZH_REVIEW, ZH_ENCYCLOPEDIA]) {
      const chars = [...text].length;
      const tokens = estimateTextTokens(text);
      // Measured: 55 tokens for 57 characters, 43 for 40. Qwen/GLM tokenizers give ~0.7 per character,
      // so anything between 0.7 and 1.5 per character is a sensible (slightly high) estimate.
      assert.ok(tokens >= 0.7 * chars && tokens <= 1.5 * chars, `${tokens} tokens for ${chars} characters`);
      // chars ÷ 4 would undercount Chinese about fourfold.
      assert.ok(tokens > 3 * Math.ceil(text.length / 4), `${tokens} vs chars/4 ${Math.ceil(text.length / 4)}`);
    }
  });

  it('gives the exact cl100k counts for fixed samples', () => {
    // Pinned against gpt-tokenizer 4.0.0 cl100k_base; a change means the encoding changed.
    assert.equal(estimateTextTokens(ZH_REVIEW), 55);
    assert.equal(estimateTextTokens(ZH_ENCYCLOPEDIA), 43);
    assert.equal(estimateTextTokens(EN), 21);
    assert.equal(estimateTextTokens(''), 0);
  });

  it('counts a request\'s input with the shared prompt estimate, framing included, never below cl100k', () => {
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: EN },
    ];
    assert.equal(estimateInputTokens(messages), estimatePromptTokens(messages));
    const framing = TOKENS_REPLY_PRIMING + TEMPLATE_ALLOWANCE + 2 * TOKENS_PER_MESSAGE;
    assert.equal(estimateInputTokens(messages), framing + estimateTokens('You are terse.') + estimateTokens(EN));
    assert.ok(estimateInputTokens(messages) >= framing + estimateTextTokens('You are terse.') + estimateTextTokens(EN));
  });

  it('estimates fill-in-the-middle input from prefix and suffix', () => {
    const fim = { prefix: 'function add(a, b) {\n  return ', suffix: '\n}\n' };
    assert.equal(estimateInputTokens([], fim), estimatePromptTokens([], fim));
    assert.equal(estimateInputTokens([], fim), estimateTokens(fim.prefix) + estimateTokens(fim.suffix) + TOKENS_REPLY_PRIMING);
    assert.ok(estimateInputTokens([], fim) >= estimateTextTokens(fim.prefix) + estimateTextTokens(fim.suffix) + TOKENS_REPLY_PRIMING);
  });

  it('shares one tokenizer whose encode/decode round-trips Chinese and code', () => {
    const t = tokenizer();
    for (const text of [ZH_REVIEW, 'const 名字 = "值"; // 注释\n']) {
      const ids = t.encode(text);
      assert.equal(ids.length, t.countTokens(text));
      assert.equal(t.decode(ids), text);
    }
    assert.equal(tokenizer(), t, 'loaded once');
  });
});

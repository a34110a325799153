/**
 * Each signal judged alone: it fires on the answer it exists for, with an explanation that
 * names the cause, and stays quiet on a good answer (English and Chinese).
 */
import assert from 'node:assert/strict';
import { escalationSignalsSchema } from '../../../src/core/config';
import type { TokenLogprob } from '../../../src/core/types';
import { judgeLogprobs, logprobStats } from '../../../src/core/escalation/signals/logprobs';
import { codeBlocks, firstSyntaxError, judgeCodeParse } from '../../../src/core/escalation/signals/codeParse';
import { judgeMathFinal } from '../../../src/core/escalation/signals/mathFinal';
import { judgeTruncated } from '../../../src/core/escalation/signals/truncated';
import { judgeEmpty } from '../../../src/core/escalation/signals/empty';
import { judgeRefusal } from '../../../src/core/escalation/signals/refusal';
import { userEscalation, userEscalationFor } from '../../../src/core/escalation/signals/user';

const defaults = escalationSignalsSchema.parse({});

/** Tokens with the given probabilities, in order. */
function tokens(probs: number[]): TokenLogprob[] {
  return probs.map((p, i) => ({ token: `t${i}`, logprob: Math.log(p) }));
}

describe('escalation signal: logprobs', () => {
  const settings = { enabled: true, lowTokenProb: 0.3, maxLowShare: 0.1, minTokens: 10 };

  it('fires when the share of low-confidence tokens exceeds the limit, and says by how much', () => {
    // 20 tokens, 4 of them (20%) below 0.30.
    const r = judgeLogprobs(tokens([...Array(16).fill(0.95), 0.1, 0.2, 0.05, 0.25]), settings);
    assert.equal(r.fired, true);
    assert.equal(r.signal, 'logprobs');
    assert.match(r.explanation, /^20% of tokens below p=0\.30 \(limit 10%; p10 = 0\.2\d over 20 tokens\)$/);
  });

  it('stays quiet on a confident answer, still explaining its numbers', () => {
    const r = judgeLogprobs(tokens([...Array(19).fill(0.97), 0.1]), settings);
    assert.equal(r.fired, false);
    assert.match(r.explanation, /^5% of tokens below p=0\.30 \(limit 10%/);
  });

  it('is not fooled by length: the mean of a long answer hides a hesitant core, the quantile does not', () => {
    // 30 hesitant tokens padded with 170 near-certain ones: the mean is 0.87, but 15% are low.
    const probs = [...Array(170).fill(0.99), ...Array(30).fill(0.15)];
    const mean = probs.reduce((a, p) => a + p, 0) / probs.length;
    assert.ok(mean > 0.85);
    assert.equal(judgeLogprobs(tokens(probs), settings).fired, true);
  });

  it('does not judge without logprobs or below the minimum token count', () => {
    assert.deepEqual(judgeLogprobs([], settings), {
      signal: 'logprobs',
      fired: false,
      explanation: 'not judged: the local model returned no token log-probabilities',
      reason: { code: 'sig_no_logprobs' },
    });
    const short = judgeLogprobs(tokens([0.01, 0.02, 0.03]), settings);
    assert.equal(short.fired, false);
    assert.match(short.explanation, /not judged: 3 tokens is fewer than the 10 needed/);
  });

  it('fires exactly when the score is below the threshold (what calibration relies on)', () => {
    const probs = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.95, 0.99];
    for (const t of [0.04, 0.05, 0.051, 0.1, 0.2, 0.5]) {
      const s = { ...settings, lowTokenProb: t };
      const { score } = logprobStats(tokens(probs), s);
      assert.equal(judgeLogprobs(tokens(probs), s).fired, score < t, `threshold ${t}`);
    }
  });
});

describe('escalation signal: code_parse', () => {
  const code = { task: 'code' as const };

  it('accepts TypeScript, TSX, JavaScript, JSON and Python that parse', () => {
    const answer = [
      'Typed:',
      '```ts\nexport const id = <T,>(x: T): T => x;\ninterface P { a?: number }\n```',
      '```tsx\nexport const B = () => <b>{1}</b>;\n```',
      '```js\nconst el = <div/>; // JSX in a js fence is common\n```',
      '```json\n{"a": [1, 2, {"b": null}]}\n```',
      '```python\nasync def f(xs: list[int]) -> int:\n    return sum(x async for x in g())\n```',
    ].join('\n\n');
    const r = judgeCodeParse({ ...code, text: answer }, defaults.code_parse);
    assert.equal(r.fired, false, r.explanation);
    assert.match(r.explanation, /^5 code block\(s\) parse \(typescript, tsx, javascript, json, python\)$/);
  });

  it('fires on a Python block with a missing colon and quotes the line', () => {
    const r = judgeCodeParse({ ...code, text: 'Here:\n```python\ndef f(x)\n    return x\n```\n' }, defaults.code_parse);
    assert.equal(r.fired, true);
    assert.equal(r.explanation, 'python block 1 of 1 does not parse: syntax error on its line 1 (`def f(x)`)');
  });

  it('fires on JSON with trailing commas and on an unclosed TypeScript brace (Chinese answer)', () => {
    const json = judgeCodeParse({ ...code, text: '```json\n{"a": 1,}\n```' }, defaults.code_parse);
    assert.equal(json.fired, true);
    assert.match(json.explanation, /^json block 1 of 1 does not parse/);
    const ts = judgeCodeParse({ ...code, text: '下面是代码：\n```typescript\nfunction f(): number {\n  return 1;\n```\n以上。' }, defaults.code_parse);
    assert.equal(ts.fired, true);
    assert.match(ts.explanation, /^typescript block 1 of 1 does not parse/);
  });

  it('uses the editor language for a bare fence, and leaves unknown languages alone', () => {
    const bare = '```\ndef f(:\n```';
    assert.equal(judgeCodeParse({ ...code, text: bare, languageId: 'python' }, defaults.code_parse).fired, true);
    assert.equal(judgeCodeParse({ ...code, text: bare, languageId: 'rust' }, defaults.code_parse).fired, false);
    assert.equal(judgeCodeParse({ ...code, text: bare }, defaults.code_parse).explanation, 'not judged: no code block in a language we parse');
    const rust = judgeCodeParse({ ...code, text: '```rust\nfn main( {\n```' }, defaults.code_parse);
    assert.equal(rust.fired, false);
  });

  it('does not take "..." elisions for syntax errors', () => {
    assert.equal(firstSyntaxError('typescript', 'function f() {\n  ...\n}\nconst xs = [1, 2, ...];\ng(...);\nconst ys = [...xs];'), undefined);
    assert.notEqual(firstSyntaxError('typescript', 'const x = ;'), undefined);
  });

  it('judges only the configured tasks', () => {
    const r = judgeCodeParse({ task: 'chat', text: '```python\ndef f(x)\n```' }, defaults.code_parse);
    assert.equal(r.fired, false);
    assert.match(r.explanation, /not judged: task "chat"/);
  });

  it('finds fences with markdown-it, including ~~~ and an unclosed fence at the end', () => {
    const blocks = codeBlocks('a\n~~~py\nx = 1\n~~~\n\n```ts title="a.ts"\nlet a = 1\n');
    assert.deepEqual(
      blocks.map((b) => [b.info, b.language, b.line]),
      [
        ['py', 'python', 2],
        ['ts title="a.ts"', 'typescript', 6],
      ],
    );
  });
});

describe('escalation signal: math_final', () => {
  const math = { task: 'math' as const };
  const reaches = (text: string) => !judgeMathFinal({ ...math, text }, defaults.math_final).fired;

  it('accepts answers that state a result, in English and Chinese', () => {
    assert.ok(reaches('2x = 8, so x = 4.\n\n$$\\boxed{4}$$'));
    assert.ok(reaches('Adding them up, the answer is 5050.'));
    assert.ok(reaches('Rewrite: x + 5 = 8.\n\nTherefore x = 3.'));
    assert.ok(reaches('(5 + 9) / 2 × 6 = 42 cm²'));
    assert.ok(reaches('答案：鸡 23 只，兔 12 只。'));
    assert.ok(reaches('因式分解得 (x-2)(x-3)=0。\n所以 x = 2 或 x = 3。'));
    assert.ok(reaches('代入得 1/3 × 36π。\n因此面积为 12π。'));
  });

  it('fires on an answer that stops before a result, with the reason', () => {
    const r = judgeMathFinal({ ...math, text: 'We integrate by parts with u = x and dv = e^x dx.\nEvaluating the terms gives the value.' }, defaults.math_final);
    assert.equal(r.fired, true);
    assert.equal(r.signal, 'math_final');
    assert.match(r.explanation, /never states a final result/);
    assert.ok(!reaches('这里 a₁ = 3，d = 4，n = 20，先求出第 20 项，再代入求和公式即可得到结果。'));
    assert.ok(!reaches('Without the speed of the current, the speed cannot be determined.'));
  });

  it('judges only math answers', () => {
    assert.equal(judgeMathFinal({ task: 'chat', text: 'Hello' }, defaults.math_final).fired, false);
  });
});

describe('escalation signals: truncated, empty, refusal, user', () => {
  it('truncated fires on finish reason "length" only', () => {
    assert.deepEqual(judgeTruncated({ reason: 'length' }), {
      signal: 'truncated',
      fired: true,
      explanation: 'the answer was cut off at the token limit (finish reason "length")',
      reason: { code: 'sig_truncated' },
    });
    assert.equal(judgeTruncated({ reason: 'stop' }).fired, false);
  });

  it('empty fires on whitespace only', () => {
    assert.equal(judgeEmpty({ text: ' \n\t ' }).fired, true);
    assert.equal(judgeEmpty({ text: '好' }).fired, false);
  });

  it('refusal fires on English and Chinese refusals and names the phrase', () => {
    const cases: [string, string][] = [
      ["I'm sorry, but I can't help with that request.", "I'm sorry, but I can't"],
      ['As an AI language model, I cannot browse the internet.', 'As an AI language model, I cannot'],
      ['I cannot assist with modifying system files.', 'I cannot assist'],
      ['很抱歉，我无法提供这方面的帮助。', '很抱歉，我无法'],
      ['抱歉，我不能回答这个问题。', '抱歉，我不能'],
      ['作为一个AI助手，我无法访问你的文件。', '作为一个AI助手，我无法'],
    ];
    for (const [text, phrase] of cases) {
      const r = judgeRefusal({ text, reason: 'stop' });
      assert.equal(r.fired, true, text);
      assert.equal(r.explanation, `the local model refused ("${phrase}")`);
    }
  });

  it('refusal stays quiet on answers that merely contain negative words, and fires on a content filter', () => {
    for (const text of [
      'No. Add .env to .gitignore. I cannot stress enough how often leaked keys are scraped.',
      'You cannot reassign a const, but you can mutate the object it points to.',
      '我不确定你用的是哪个版本，不过在 Node 18 里可以这样写：',
      '不能直接修改 props，应该通过 emit 通知父组件。',
    ]) {
      assert.equal(judgeRefusal({ text, reason: 'stop' }).fired, false, text);
    }
    assert.equal(judgeRefusal({ text: 'partial', reason: 'content_filter' }).fired, true);
  });

  it('user: the Escalate action yields a fired "user" result with the given reason', () => {
    assert.deepEqual(userEscalation(), { signal: 'user', fired: true, explanation: 'you asked for a stronger model', reason: { code: 'sig_user' } });
    assert.deepEqual(userEscalationFor({ escalateFrom: { answer: 'x', reason: 'wrong import' } }), {
      signal: 'user',
      fired: true,
      explanation: 'you asked for a stronger model: wrong import',
      reason: { code: 'sig_user_why', why: 'wrong import' },
    });
    assert.equal(userEscalationFor({}), undefined);
  });
});

describe('escalation signal: code_parse on fragments', () => {
  it('accepts fragments meant to be pasted into a class, an object or a function body', () => {
    assert.equal(firstSyntaxError('typescript', '  private total(items: Item[]): number {\n    return items.reduce((a, i) => a + i.price, 0);\n  }'), undefined);
    assert.equal(firstSyntaxError('json', '"scripts": {\n  "test": "mocha"\n}'), undefined);
    assert.equal(firstSyntaxError('python', '    if x > 0:\n        return x\n    return -x'), undefined);
  });

  it('still rejects fragments that parse in no context', () => {
    assert.deepEqual(firstSyntaxError('typescript', '  private total(items: Item[]: number {\n    return 0;\n  }'), { line: 1, text: 'private total(items: Item[]: number {' });
    assert.notEqual(firstSyntaxError('json', '"a": 1,,'), undefined);
    assert.notEqual(firstSyntaxError('python', '    if x > 0\n        return x'), undefined);
  });
});

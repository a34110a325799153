import assert from 'node:assert/strict';
import { classifyMessages, classifyTask, LONG_CONTEXT_TOKENS } from '../../../src/core/tasks/classify';
import type { Task } from '../../../src/core/types';

/** A labelled table of real-looking prompts, English and Chinese, with the task a person would pick. */
const TABLE: { text: string; task: Task; languageId?: string; selection?: string }[] = [
  // code
  { text: 'Write a Python function that removes duplicates from a list while keeping order', task: 'code' },
  { text: 'Why does this throw?\n```js\nconst xs = undefined;\nxs.map(x => x * 2);\n```', task: 'code' },
  { text: "TypeError: Cannot read properties of undefined (reading 'map')\n    at App (src/App.js:12:5)\n    at renderWithHooks (react-dom.js:1:2)", task: 'code' },
  { text: 'Traceback (most recent call last):\n  File "main.py", line 3, in <module>\n    print(x)\nNameError', task: 'code' },
  { text: 'Refactor this class to use dependency injection', task: 'code' },
  { text: 'Write a Python function to compute the integral of x^2 numerically', task: 'code' },
  { text: 'Translate this function to Rust: def add(a, b): return a + b', task: 'code' },
  { text: 'explain what this does', task: 'code', languageId: 'typescript', selection: 'export const f = (a: number) => a * 2;' },
  { text: 'How do I center a div with flexbox in CSS?', task: 'code' },
  { text: '帮我写一个快速排序的函数', task: 'code' },
  { text: '这段代码为什么报错？', task: 'code' },
  { text: '用Python计算1到100的和', task: 'code' },
  { text: '如何修复这个 bug：useEffect 里 setState 导致无限循环', task: 'code' },
  { text: '把这段 JavaScript 改写成 TypeScript', task: 'code' },
  { text: 'What is the time complexity of merge sort?', task: 'code' },
  { text: '解释一下什么是闭包', task: 'code' },
  // math
  { text: 'Solve 2x + 3 = 7', task: 'math' },
  { text: 'What is the derivative of sin(x) * x^2?', task: 'math' },
  { text: 'Evaluate \\int_0^1 x^2 \\, dx', task: 'math' },
  { text: 'What is 15% of 240?', task: 'math' },
  { text: 'A train travels 120 km in 2 hours. How fast is it going?', task: 'math' },
  { text: 'Prove that the square root of 2 is irrational', task: 'math' },
  { text: 'x² - 5x + 6 = 0 的解是什么', task: 'math' },
  { text: '解方程 3x - 7 = 11', task: 'math' },
  { text: '计算 ∫ x² dx 从 0 到 3', task: 'math' },
  { text: '鸡兔同笼，共有35个头，94只脚，问鸡和兔各有几只？', task: 'math' },
  { text: '求函数 f(x)=x^3 的导数', task: 'math' },
  { text: '小明有 5 个苹果，给了小红 2 个，他还剩多少个？', task: 'math' },
  { text: '今年是2024年，小明10岁，他哪一年出生？', task: 'math' },
  { text: '请计算 3.5 × 4 + 12', task: 'math' },
  // summarize
  { text: 'Summarize the following article in three bullet points: The city council met on Tuesday to discuss the new budget.', task: 'summarize' },
  { text: 'TL;DR of this thread please', task: 'summarize' },
  { text: '请总结一下这篇文章的主要观点', task: 'summarize' },
  { text: '给下面这段会议记录写一个摘要', task: 'summarize' },
  // translate
  { text: 'Translate "good morning, how was your trip?" into Chinese', task: 'translate' },
  { text: '把这句话翻译成英文：今天天气很好', task: 'translate' },
  { text: '“机器学习”用英语怎么说？', task: 'translate' },
  // creative
  { text: 'Write a haiku about autumn leaves', task: 'creative' },
  { text: 'Tell me a short story about a robot who learns to paint', task: 'creative' },
  { text: '写一首关于秋天的诗', task: 'creative' },
  { text: '编一个关于小猫的睡前故事', task: 'creative' },
  // reasoning
  { text: 'Compare microservices and a monolith for a five-person startup: pros and cons', task: 'reasoning' },
  { text: 'Think step by step: if all bloops are razzies and some razzies are lazzies, are some bloops lazzies?', task: 'reasoning' },
  { text: '分析一下远程办公的利弊', task: 'reasoning' },
  { text: '请一步一步推理：为什么冬天比夏天冷？', task: 'reasoning' },
  // chat
  { text: 'Hello! How are you today?', task: 'chat' },
  { text: 'What is the capital of Australia?', task: 'chat' },
  { text: 'Why is the sky blue?', task: 'chat' },
  { text: '你好，请介绍一下你自己', task: 'chat' },
  { text: '推荐几本好看的科幻小说', task: 'chat' },
  { text: '什么是量子计算？', task: 'chat' },
  { text: 'Write an email to my boss asking for a day off', task: 'chat' },
  { text: 'what should I cook tonight', task: 'chat', languageId: 'markdown' },
  { text: 'thanks, that helped', task: 'chat', languageId: 'python' },
];

describe('classifyTask', () => {
  for (const row of TABLE) {
    it(`${row.task} ← ${JSON.stringify(row.text.slice(0, 60))}${row.languageId ? ` [${row.languageId}]` : ''}`, () => {
      const got = classifyTask(row);
      assert.equal(got.task, row.task, `reason was: ${got.reason}`);
      assert.ok(got.reason.startsWith(`${row.task}: `), got.reason);
    });
  }

  it('explains itself in words', () => {
    assert.equal(classifyTask({ text: 'Solve 2x + 3 = 7' }).reason, 'math: asks to solve or calculate, contains an equation');
    assert.equal(classifyTask({ text: '```py\ndef f():\n    return 1\n```' }).reason, 'code: contains a code block, contains code');
    assert.match(classifyTask({ text: 'hi' }).reason, /^chat: no code, math/);
  });

  it('sends a prompt longer than a small local context window to long_context', () => {
    const big = 'The quarterly report says revenue grew. '.repeat(1000);
    const got = classifyTask({ text: `Summarize this:\n${big}` });
    assert.equal(got.task, 'long_context');
    assert.match(got.reason, /about [\d,]+ tokens, more than the 8,192/);
    // Chinese counts at least one token per character (1.25, src/core/tokenEstimate.ts), so 8,292 characters are long as well.
    assert.equal(classifyTask({ text: '长'.repeat(LONG_CONTEXT_TOKENS + 100) }).task, 'long_context');
    assert.equal(classifyTask({ text: '长'.repeat(6_000) }).task, 'chat');
  });

  it('reads the instruction at the end of a long pasted document', () => {
    const doc = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(100);
    assert.equal(classifyTask({ text: `${doc}\n\nPlease summarize the text above.` }).task, 'summarize');
  });

  it('stays fast on hostile input (no catastrophic backtracking)', () => {
    // Shapes that hurt naive patterns: long runs of "=", spaces, digits and letters without a match.
    const hostile = ['='.repeat(50_000), ' '.repeat(50_000) + 'x', '1+'.repeat(20_000), 'a'.repeat(50_000), 'x='.repeat(20_000)];
    for (const text of hostile) {
      const started = process.hrtime.bigint();
      classifyTask({ text: text.slice(0, 30_000) });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // A generous bound that only a pathological (exponential) pattern could exceed; real numbers live in bench/classify.ts.
      assert.ok(ms < 500, `took ${ms} ms on ${JSON.stringify(text.slice(0, 10))}…`);
    }
  });

  it('classifies a conversation by its last user message but counts all of it', () => {
    const got = classifyMessages([
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Write a haiku about rain' },
      { role: 'assistant', content: 'Soft rain on the roof…' },
      { role: 'user', content: '解方程 x^2 = 9' },
    ]);
    assert.equal(got.task, 'math');
    const long = classifyMessages([
      { role: 'user', content: 'word '.repeat(40_000) },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'and now?' },
    ]);
    assert.equal(long.task, 'long_context');
  });
});

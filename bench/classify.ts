/**
 * How long task classification takes per prompt: p50 / p99 / max in microseconds over a mix of
 * short English and Chinese prompts, a pasted stack trace and a long document.
 * Run: npx tsx bench/classify.ts   (or npm run bench:classify)
 */
import { classifyTask } from '../src/core/tasks/classify';

const PROMPTS = [
  'Write a Python function that removes duplicates from a list while keeping order',
  'Solve 2x + 3 = 7',
  'What is the derivative of sin(x) * x^2?',
  '帮我写一个快速排序的函数',
  '鸡兔同笼，共有35个头，94只脚，问鸡和兔各有几只？',
  '请总结一下这篇文章的主要观点',
  '把这句话翻译成英文：今天天气很好',
  'Hello! How are you today?',
  "TypeError: Cannot read properties of undefined (reading 'map')\n    at App (src/App.js:12:5)\n".repeat(20),
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(120) + '\nSummarize the text above.',
  '长文本'.repeat(4000),
];
/** Enough runs for a stable p99 (each prompt 2,000 times) after a warm-up for the JIT. */
const RUNS_PER_PROMPT = 2_000;
const WARMUP_RUNS = 200;

for (let i = 0; i < WARMUP_RUNS; i++) for (const text of PROMPTS) classifyTask({ text });

const samples: number[] = [];
const perPrompt: { label: string; p50: number }[] = [];
for (const text of PROMPTS) {
  const mine: number[] = [];
  for (let i = 0; i < RUNS_PER_PROMPT; i++) {
    const t0 = process.hrtime.bigint();
    classifyTask({ text });
    mine.push(Number(process.hrtime.bigint() - t0) / 1e3);
  }
  samples.push(...mine);
  perPrompt.push({ label: `${classifyTask({ text }).task.padEnd(12)} ${JSON.stringify(text.slice(0, 40))} (${text.length} chars)`, p50: percentile(mine, 50) });
}

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

console.log('classification time per prompt (µs)');
for (const row of perPrompt) console.log(`  p50 ${row.p50.toFixed(1).padStart(7)}  ${row.label}`);
console.log(`all ${samples.length} runs: p50 ${percentile(samples, 50).toFixed(1)} µs, p99 ${percentile(samples, 99).toFixed(1)} µs, max ${Math.max(...samples).toFixed(1)} µs`);

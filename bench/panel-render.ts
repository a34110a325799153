/**
 * How smoothly the panel renders, in the real workbench: the Ollama double streams answers at a
 * target rate; inside the webview we count animation frames, the longest gap between two frames
 * and long tasks (> 50 ms, the browser's own definition) from the first token until the answer is
 * completely drawn. Three answers, in one session:
 * - markdown: N Markdown-heavy tokens (paragraphs, inline code, code fences) at a rate;
 * - line200k: one 200,000-character line with no break (2,000 tokens of 100 characters), the
 *   answer that froze VS Code for ~5.8 s at a time (issue 15);
 * - block1mb: one 1,000,000-character fenced code block (10,000 lines of 100 characters).
 * Prints a table per answer; no assertions (timings depend on the machine).
 *
 *   npx tsx bench/panel-render.ts [tokens=4000] [tokensPerSecond=2000] [only=markdown,line200k,block1mb]
 * Needs `node esbuild.mjs` (dist/) and `bash scripts/setup.sh` (code-server, Chromium).
 */
import type { FrameLocator } from 'playwright-core';
import { startUiSession } from '../test/harness/uiSession';
import { runCommand, webviewFrame } from '../test/harness/workbench';
import { startOllamaServer } from '../test/servers/ollama';

const TOKENS = Number(process.argv[2] ?? 4000);
const RATE = Number(process.argv[3] ?? 2000);
const ONLY = (process.argv[4] ?? 'markdown,line200k,block1mb').split(',');
/** The big answers are 200 KB and 1 MB: fed at 2,000 and 10,000 tokens (lines) a second. */
const LINE_TOKENS_PER_SECOND = 2_000;
const BLOCK_LINES_PER_SECOND = Number(process.env.BENCH_BLOCK_RATE ?? 10_000);

interface Scenario {
  name: string;
  tokens: string[];
  rate: number;
}

function scenarios(): Scenario[] {
  // A Markdown-heavy answer: paragraphs, inline code and a code fence, like real coding answers.
  const markdown = Array.from({ length: TOKENS }, (_, i) => (i % 97 === 0 ? '\n\n```ts\nconst x = 1;\n```\n\n' : i % 13 === 0 ? '`code` ' : `w${i} `));
  const line = Array.from({ length: 2_000 }, (_, i) => `${String(i).padStart(5, '0')}${'x'.repeat(95)}`);
  const block = ['```ts\n', ...Array.from({ length: 10_000 }, (_, i) => `const v${String(i).padStart(6, '0')} = ${'1'.repeat(82)};\n`), '```\n'];
  const all: Scenario[] = [
    { name: 'markdown', tokens: markdown, rate: RATE },
    { name: 'line200k', tokens: line, rate: LINE_TOKENS_PER_SECOND },
    { name: 'block1mb', tokens: block, rate: BLOCK_LINES_PER_SECOND },
  ];
  return all.filter((s) => ONLY.includes(s.name));
}

async function main(): Promise<void> {
  const list = scenarios();
  // One NDJSON line per token, paced on the wall clock: fixed pauses between writes lost to timer
  // lateness on a busy machine and reached only ~940 tokens/s of a 2,000 target.
  const ollama = await startOllamaServer({ models: ['qwen2.5:7b'], reply: { text: 'warm-up' } });
  const chain = ['ollama/qwen2.5:7b'];
  const ui = await startUiSession({
    settings: {
      'switchyard.local.manageOllama': false,
      'switchyard.providers': { ollama: { kind: 'ollama', baseUrl: ollama.url } },
      'switchyard.tasks': { chat: chain, code: chain, creative: chain },
      'switchyard.escalation.policy': 'off',
    },
  });
  try {
    await runCommand(ui.page, 'Switchyard: Open Panel');
    const panel = webviewFrame(ui.page);
    await panel.locator('#prompt').waitFor({ timeout: 60_000 });
    const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
    for (const scenario of list) {
      ollama.setReply({ text: scenario.tokens, chunking: { framesPerSecond: scenario.rate } });
      printRows(`panel rendering: ${scenario.name} (machine load: ${load})`, await measure(panel, scenario));
    }
  } finally {
    await ui.close();
    await ollama.close();
  }
}

async function measure(panel: FrameLocator, scenario: Scenario): Promise<[string, string][]> {
  const body = panel.locator('body');
  // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
  await body.evaluate(`(() => {
    const b = (window.__bench = { frameTimes: [], tasks: [], run: true });
    function tick(now) {
      b.frameTimes.push(now);
      if (b.run) requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) b.tasks.push({ start: e.startTime, end: e.startTime + e.duration });
      }).observe({ type: 'longtask', buffered: false });
    } catch {}
  })()`);
  const turnsBefore = await panel.locator('.turn').count();
  const started = Date.now();
  await panel.locator('#prompt').fill(`Write a long answer (${scenario.name})`);
  await panel.locator('#prompt').press('Enter');
  const turn = panel.locator('.turn').nth(turnsBefore);
  await turn.locator('.answer.status-streaming').waitFor({ timeout: 60_000 });
  const firstVisible = Date.now();
  const streamStart = (await body.evaluate('performance.now()')) as number;
  await turn.locator('.answer.status-done').waitFor({ timeout: 300_000 });
  const ended = Date.now();
  await turn.locator('.answer.status-done .md[data-drawn]').waitFor({ timeout: 300_000 });
  const drawn = Date.now();
  const streamEnd = (await body.evaluate('performance.now()')) as number;
  const result = (await body.evaluate('(() => { window.__bench.run = false; return window.__bench; })()')) as {
    frameTimes: number[];
    tasks: { start: number; end: number }[];
  };
  // Only what happened while the answer streamed and was drawn: opening the panel and sending the
  // prompt have their own costs, and are not what "smooth" is about.
  const frames = result.frameTimes.filter((t) => t >= streamStart && t <= streamEnd);
  const gaps = frames.slice(1).map((t, i) => t - frames[i]!);
  const tasks = result.tasks.filter((task) => task.end >= streamStart && task.start <= streamEnd);
  const chars = scenario.tokens.reduce((n, t) => n + t.length, 0);
  const streamSeconds = (ended - firstVisible) / 1000;
  return [
    ['tokens streamed', String(scenario.tokens.length)],
    ['characters', String(chars)],
    ['target rate (tokens/s)', String(scenario.rate)],
    ['achieved rate (tokens/s)', (scenario.tokens.length / streamSeconds).toFixed(0)],
    ['time to first visible answer (ms)', String(firstVisible - started)],
    ['stream duration (s)', streamSeconds.toFixed(2)],
    ['drawn completely after the end (ms)', String(drawn - ended)],
    ['animation frames', String(frames.length)],
    ['frames per second', (frames.length / ((streamEnd - streamStart) / 1000)).toFixed(1)],
    ['longest gap between frames (ms)', Math.max(0, ...gaps).toFixed(1)],
    ['long tasks > 50 ms', String(tasks.length)],
    ['longest task (ms)', Math.max(0, ...tasks.map((task) => task.end - task.start)).toFixed(1)],
  ];
}

function printRows(title: string, rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

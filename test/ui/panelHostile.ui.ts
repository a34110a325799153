/**
 * Hostile answers in the real panel (issue 15), from the Ollama double, with a listener on the
 * loopback port that the answers' links point at: a click on a link opens it once, and only after
 * the host's confirmation showed the real target; look-alike (punycode) hosts and link text that
 * names another site are flagged; direction and zero-width characters are marked and left out of
 * Copy; a 200 KB line renders without a long task; a 1.5 MB answer finishes, cut at the
 * configured 1 MB with a note and its whole text offered in an editor.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FrameLocator, Locator } from 'playwright-core';
import { startUiSession, type UiSession } from '../harness/uiSession';
import { runCommand, screenshot, webviewFrame } from '../harness/workbench';
import { startOllamaServer, type OllamaServer } from '../servers/ollama';

const LOCAL_MODEL = 'qwen2.5:7b';
const STEP_MS = 30_000;
/** The big answers stream ~1.5 MB through the host and the webview on a loaded 2-core machine. */
const BIG_STEP_MS = 120_000;
/**
 * The longest main-thread task the webview may show while a 200 KB line streams in, and how many
 * long tasks (> 50 ms) it may have. The goal is none over 50 ms (bench/panel-render.ts
 * measures it); these bounds leave room for a busy 2-core machine. The old rendering, here: 7 long
 * tasks, the longest 134 ms (in the check, ~5,800 ms).
 */
const LONG_TASK_BOUND_MS = 100;
const LONG_TASKS_ALLOWED = 2;
const SITE_HOST = '127.0.0.2';

/** The loopback "website": records every request, resolves waiters by path. */
interface Listener {
  url: string;
  hits(path: string): number;
  waitFor(path: string, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

async function startListener(): Promise<Listener> {
  const seen: string[] = [];
  const waiters: { path: string; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '';
    seen.push(path);
    for (const w of waiters.filter((w) => w.path === path)) w.resolve();
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  // 127.0.0.2, not 127.0.0.1: VS Code forwards links to localhost/127.0.0.1 through its port
  // mapping (the request arrives at "/" from the forwarder); any 127/8 address is this machine.
  await new Promise<void>((resolve) => server.listen(0, SITE_HOST, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${SITE_HOST}:${port}`,
    hits: (path) => seen.filter((p) => p === path).length,
    waitFor: (path, timeoutMs) =>
      seen.includes(path)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no request for ${path} within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`)), timeoutMs);
            waiters.push({ path, resolve: () => (clearTimeout(timer), resolve()) });
          }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Switchyard panel with hostile answers (UI)', function () {
  let ui: UiSession;
  let ollama: OllamaServer;
  let site: Listener;
  let panel: FrameLocator;

  before(async function () {
    this.timeout(180_000);
    site = await startListener();
    ollama = await startOllamaServer({ models: [LOCAL_MODEL], reply: { text: 'ready' } });
    const chain = [`ollama/${LOCAL_MODEL}`];
    ui = await startUiSession({
      settings: {
        'switchyard.local.manageOllama': false,
        'switchyard.providers': { ollama: { kind: 'ollama', baseUrl: ollama.url } },
        'switchyard.tasks': { chat: chain, code: chain, math: chain, reasoning: chain, creative: chain },
        'switchyard.escalation.policy': 'off',
        'switchyard.panel.maxAnswerMB': 1,
      },
    });
    await runCommand(ui.page, 'Switchyard: Open Panel');
    panel = webviewFrame(ui.page);
    await panel.locator('#prompt').waitFor({ timeout: STEP_MS });
  });

  after(async () => {
    await ui?.close();
    await ollama?.close();
    await site?.close();
  });

  /** Asks in the panel and returns the answer of the new turn once it is done. */
  async function ask(prompt: string, timeoutMs = STEP_MS): Promise<Locator> {
    const turnsBefore = await panel.locator('.turn').count();
    await panel.locator('#prompt').fill(prompt);
    await panel.locator('#prompt').press('Enter');
    const answer = panel.locator('.turn').nth(turnsBefore).locator('.answer.status-done').last();
    await answer.waitFor({ timeout: timeoutMs });
    return answer;
  }

  const dialog = () => ui.page.locator('.monaco-dialog-box');

  /** Clicks a link and answers the host's confirmation; returns the dialog's text. */
  async function clickAndConfirm(link: Locator, path: string): Promise<string> {
    await link.click();
    await dialog().waitFor({ state: 'visible', timeout: STEP_MS });
    const shown = await dialog().innerText();
    assert.equal(site.hits(path), 0, `nothing connected to ${path} while the confirmation was open`);
    assert.match(shown, /Open a link from a model answer\?/);
    await dialog().getByRole('button', { name: 'Open Link' }).click();
    // Then VS Code's own check of an untrusted domain: "Do you want … to open the external website?"
    const vscodeOpen = dialog().getByRole('button', { name: 'Open', exact: true });
    await Promise.race([site.waitFor(path, STEP_MS), vscodeOpen.waitFor({ timeout: STEP_MS })]);
    if (site.hits(path) === 0) {
      assert.equal(site.hits(path), 0, 'nothing connected before VS Code\'s own check was answered');
      await vscodeOpen.click();
      await site.waitFor(path, STEP_MS);
    }
    await dialog().waitFor({ state: 'hidden', timeout: STEP_MS });
    return shown;
  }

  it('opens a link once per click, only after a confirmation showing its real target; flags look-alike hosts and mismatched text', async () => {
    ollama.setReply({
      text: [
        `[Open settings](${site.url}/one) and [https://github.com/login](${site.url}/two)`,
        '',
        '[Account](https://аpple.com/account) and [docs](https://example.com/docs)',
        '',
        `<a href="${site.url}/escaped">escaped</a> and \`${site.url}/code\``,
      ].join('\n'),
    });
    const answer = await ask('Links please');
    const md = answer.locator('.md');
    assert.equal(await md.locator('[href]').count(), 0, 'no live href in the DOM');
    assert.deepEqual(
      await md.locator('a.md-link').evaluateAll((links) => links.map((a) => (a as HTMLElement).dataset.href)),
      [`${site.url}/one`, `${site.url}/two`, 'https://xn--pple-43d.com/account', 'https://example.com/docs'],
      'links from escaped HTML and from code are text',
    );
    const homoglyph = md.locator('a.md-link', { hasText: 'Account' });
    assert.match(await homoglyph.getAttribute('class') ?? '', /link-punycode/);
    assert.equal((await homoglyph.locator('.link-flag').innerText()).trim(), '⚠ xn--pple-43d.com');
    const mismatch = md.locator('a.md-link', { hasText: 'github.com' });
    assert.match(await mismatch.getAttribute('class') ?? '', /link-mismatch/);
    assert.equal((await mismatch.locator('.link-flag').innerText()).trim(), `⚠ ${SITE_HOST}`);
    assert.equal(await md.locator('a.md-link', { hasText: 'docs' }).locator('.link-flag').count(), 0);

    // The target shows on hover and on focus.
    await homoglyph.hover();
    assert.equal(await panel.locator('#link-status').innerText(), 'Opens https://xn--pple-43d.com/account');
    await md.locator('a.md-link', { hasText: 'docs' }).focus();
    assert.equal(await panel.locator('#link-status').innerText(), 'Opens https://example.com/docs');
    await screenshot(ui.page, 'hostile-links');

    const first = await clickAndConfirm(md.locator('a.md-link', { hasText: 'Open settings' }), '/one');
    assert.ok(first.includes(`${site.url}/one`), `the dialog shows the target: ${first}`);
    // A second link, confirmed and opened after the first: any second open of /one came by now.
    await clickAndConfirm(mismatch, '/two');
    assert.equal(site.hits('/one'), 1, 'one click, one open');
    assert.equal(site.hits('/two'), 1);
    for (const page of ui.page.context().pages()) if (page !== ui.page) await page.close();
  });

  it('marks direction and zero-width characters, with a badge on the code block, and copies the code without them', async () => {
    const code = 'access = "user\u202E \u2066// admin\u2069 \u2066"\u200B';
    ollama.setReply({ text: ['Check \u202Eevil\u202C and zero\u200Bwidth.', '', '```python', code, '```', '', `${'>'.repeat(120)} deep secret`].join('\n') });
    const answer = await ask('Trojan source');
    const md = answer.locator('.md');
    const shown = await md.evaluate((root) => root.textContent ?? '');
    assert.doesNotMatch(shown, /[\u202A-\u202E\u2066-\u2069\u200B]/, 'no such character reaches the DOM');
    assert.equal(await md.locator('.invisible-char').count(), 8);
    assert.equal(await md.locator('p .invisible-char[data-cp="U+202E"]').count(), 1);
    const block = md.locator('.code-block');
    assert.equal((await block.locator('.code-warning').innerText()).trim(), '⚠ 5');
    assert.match(await md.locator('.nesting-overflow').innerText(), /deep secret/, 'what the nesting limit drops is shown as text');
    await block.scrollIntoViewIfNeeded();
    await screenshot(ui.page, 'hostile-invisible');

    await ui.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await block.locator('button[data-action="copy"]').click();
    await block.locator('button[data-action="copy"]', { hasText: 'Copied' }).waitFor({ timeout: STEP_MS });
    const expected = code.replace(/[\u202E\u2066\u2069\u200B]/g, '');
    await ui.page.waitForFunction(async (want) => (await navigator.clipboard.readText()) === want, expected, { timeout: STEP_MS });
  });

  it('renders a 200 KB line with no break without a long task', async () => {
    // 2,000 tokens of 100 characters, no space or newline: one 200,000-character line.
    const tokens = Array.from({ length: 2_000 }, (_, i) => `${String(i).padStart(5, '0')}${'x'.repeat(95)}`);
    ollama.setReply({ text: tokens, chunking: { framesPerSecond: 2_000 } });
    await panel.locator('body').evaluate(`(() => {
      window.__longTasks = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
        .observe({ type: 'longtask', buffered: false });
    })()`);
    const answer = await ask('One long line', BIG_STEP_MS);
    // Drawn to its last piece (the last token's number is on screen).
    const md = answer.locator('.md', { hasText: '01999x' });
    await md.waitFor({ timeout: BIG_STEP_MS });
    const tasks = (await panel.locator('body').evaluate('window.__longTasks')) as number[];
    const longest = Math.max(0, ...tasks);
    console.log(`      200 KB line: ${tasks.length} long task(s), longest ${longest.toFixed(0)} ms`);
    assert.ok(longest < LONG_TASK_BOUND_MS, `longest task ${longest.toFixed(0)} ms`);
    assert.ok(tasks.length <= LONG_TASKS_ALLOWED, `${tasks.length} long tasks`);
    assert.equal(await md.locator('.md-plain-piece').evaluateAll((pieces) => pieces.map((p) => p.textContent).join('').length), 200_000);
    await screenshot(ui.page, 'hostile-long-line');
  });

  it('finishes a 1.5 MB answer, cut at the configured 1 MB with a note, and opens the whole text in an editor', async function () {
    // Its two big steps may each take BIG_STEP_MS on a loaded machine: the runner's per-test
    // timeout (the same 120 s) would cut it before its own bounds are reached.
    this.timeout(2 * BIG_STEP_MS + 2 * STEP_MS);
    // A fresh conversation: with the 200 KB answer above as context, the prompt would exceed
    // every context window and be refused before anything is sent (what this file saw fail).
    await runCommand(ui.page, 'Switchyard: New Conversation');
    await panel.locator('.turn').first().waitFor({ state: 'detached', timeout: STEP_MS });
    // 15,000 tokens: lines of 99 characters and a newline, a blank line after every tenth.
    const tokens = Array.from({ length: 15_000 }, (_, i) => `line ${String(i).padStart(6, '0')} ${'y'.repeat(86)}\n${i % 10 === 9 ? '\n' : ''}`);
    ollama.setReply({ text: tokens, chunking: { framesPerSecond: 10_000 } });
    const answer = await ask('A very long answer', BIG_STEP_MS);
    await answer.locator('.md[data-drawn]').waitFor({ timeout: BIG_STEP_MS });
    assert.equal(await panel.locator('#stop').isHidden(), true, 'not streaming any more');
    assert.equal(await panel.locator('.answer.status-streaming').count(), 0);
    const note = answer.locator('.truncated-note');
    assert.match(await note.innerText(), /Truncated at 1 MB/);
    const shownChars = await answer.locator('.md').evaluate((root) => (root.textContent ?? '').length);
    assert.ok(shownChars <= 1_000_000 && shownChars > 900_000, `about 1 MB shown: ${shownChars}`);
    await note.scrollIntoViewIfNeeded();
    await screenshot(ui.page, 'hostile-truncated');
    await note.getByRole('button', { name: 'Open the full answer in an editor' }).click();
    await ui.page.locator('.tabs-container .tab', { hasText: 'Untitled' }).first().waitFor({ timeout: STEP_MS });
    await screenshot(ui.page, 'hostile-full-answer-editor');
  });
});

/**
 * The panel end to end, as a person uses it, in the real workbench: ask from the palette and watch
 * the answer stream in with its cost; stop a long answer; store a key through Set API Key and
 * escalate to the cloud (local answer collapsed with the reason); switch mode from the status bar;
 * hit the budget (status bar red, refusal with fixing buttons); hostile model output renders inert.
 * Switchyard talks to the Ollama and Groq test servers started by this file on 127.0.0.1.
 */
import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { startUiSession, type UiSession } from '../harness/uiSession';
import { runCommand, screenshot, statusBarItem, webviewFrame } from '../harness/workbench';
import { commandWithInput, setApiKeyFromPalette } from './palette';
import { localThenGroqSettings } from './workspaces';
import { startOllamaServer, type OllamaServer } from '../servers/ollama';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../servers/openaiCompatible';

const STATUS_BAR_ID = 'switchyard-dev.switchyard.switchyard.status';
const LOCAL_MODEL = 'qwen2.5:7b';
const CLOUD_MODEL = 'llama-3.3-70b-versatile';
const GROQ_KEY = 'gsk_ui_test_key_0123456789';
const STEP_MS = 30_000;

const ANSWER = [
  'Here is a function that adds two numbers:',
  '',
  '```python',
  'def add(a, b):',
  '    """Return the sum of a and b."""',
  '    return a + b',
  '```',
  '',
  'Call it as `add(2, 3)`, which returns **5**.',
].join('\n');

/** Model output written to attack the panel; every part must render as inert text. */
const HOSTILE = [
  'Innocent start. <script>window.__pwned = "script"</script>',
  '<img src="x" onerror="window.__pwned = \'onerror\'">',
  '[click me](javascript:window.__pwned="link") and [data](data:text/html,<script>alert(1)</script>)',
  '![tracker](https://tracker.example/pixel.png)',
  '<a href="https://example.com" onclick="window.__pwned = \'onclick\'">styled</a>',
  '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>',
].join('\n\n');

describe('Switchyard panel, status bar and budget (UI)', function () {
  let ui: UiSession;
  let ollama: OllamaServer;
  let groq: OpenAICompatibleServer;
  let panel: FrameLocator;

  before(async function () {
    this.timeout(180_000);
    ollama = await startOllamaServer({ models: [LOCAL_MODEL], reply: { text: ANSWER, chunking: { delayMs: 15 } } });
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: GROQ_KEY, models: [CLOUD_MODEL], reply: { text: 'The **cloud** answer: `add(2, 3)` is 5.', promptTokens: 9_950 } });
    ui = await startUiSession({
      settings: localThenGroqSettings(ollama, groq, { local: LOCAL_MODEL, cloud: CLOUD_MODEL }, {
        // Priced so that one 9,950-token cloud prompt costs ~$0.995 of a $1.00 day: the next one cannot fit.
        'switchyard.budget.priceOverrides': { [`groq/${CLOUD_MODEL}`]: { input: 100, output: 100 } },
        'switchyard.budget.globalDailyLimit': 1,
        'workbench.colorTheme': 'Default Dark Modern',
      }),
    });
    panel = webviewFrame(ui.page);
  });

  after(async () => {
    await ui?.close();
    await ollama?.close();
    await groq?.close();
  });

  async function ask(prompt: string): Promise<void> {
    await commandWithInput(ui.page, 'Switchyard: Ask…', 'Switchyard: Ask');
    await ui.page.locator('.quick-input-widget input').fill(prompt);
    await ui.page.keyboard.press('Enter');
  }

  it('asks from the palette and streams a rendered, highlighted answer with its model, tokens and cost', async () => {
    await ask('Write a python function that adds two numbers');
    const done = panel.locator('.turn').first().locator('.answer.status-done').last();
    await done.waitFor({ timeout: STEP_MS });
    assert.equal((await done.locator('.model').textContent())?.trim(), `ollama/${LOCAL_MODEL}`);
    const meta = (await done.locator('.meta').innerText()).replace(/\s+/g, ' ');
    assert.match(meta, /Tokens: [\d,]+ → [\d,]+ \(measured\)/);
    assert.match(meta, /First token: [\d,]+ ms/);
    assert.match(meta, /Cost: free \(local\)/);
    // Markdown rendered, code highlighted, with its actions.
    assert.equal(await done.locator('.code-block[data-lang="python"] .hljs-keyword').first().textContent(), 'def');
    assert.equal(await done.locator('.code-block button[data-action]').count(), 3);
    assert.equal(await done.locator('strong').first().textContent(), '5');
    await screenshot(ui.page, 'panel-answer');
  });

  it('stops a long answer mid-stream with the Stop button', async () => {
    const long = Array.from({ length: 600 }, (_, i) => `token${i}`).join(' ');
    ollama.setReply({ text: long, chunking: { delayMs: 20 } });
    const before = ollama.requests.length;
    await ask('Tell me something long');
    await panel.locator('.answer.status-streaming').waitFor({ timeout: STEP_MS });
    await screenshot(ui.page, 'panel-streaming');
    await panel.locator('#stop').click();
    const stopped = panel.locator('.answer.status-cancelled').last();
    await stopped.waitFor({ timeout: STEP_MS });
    assert.match(await stopped.locator('.meta').innerText(), /Stopped/);
    assert.ok((await stopped.locator('.md').innerText()).length < long.length, 'only part of the answer arrived');
    const chat = ollama.requests.slice(before).findIndex((r) => r.path === '/api/chat');
    assert.equal((await ollama.settled(before + chat, 10_000)).aborted, true, 'the socket to the model was closed');
    await screenshot(ui.page, 'panel-stopped');
    ollama.setReply({ text: ANSWER, chunking: { delayMs: 15 } });
  });

  it('stores a key with Set API Key, then Escalate streams the cloud answer after the collapsed local one, with its cost', async () => {
    await setApiKeyFromPalette(ui.page, 'groq', GROQ_KEY);
    await screenshot(ui.page, 'key-stored');

    const turnsBefore = await panel.locator('.turn').count();
    await ask('What is 2 + 3 in python?');
    await panel.locator('.turn').nth(turnsBefore).locator('.turn-actions').waitFor({ timeout: STEP_MS });
    await panel.locator('.turn').last().getByRole('button', { name: 'Escalate' }).click();
    const cloud = panel.locator('.turn').last().locator('.answer.cloud.status-done');
    await cloud.waitFor({ timeout: STEP_MS });
    assert.equal(groq.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-1)?.headers.authorization, `Bearer ${GROQ_KEY}`);
    const superseded = panel.locator('.turn').last().locator('details.superseded');
    assert.equal(await superseded.count(), 1, 'the local answer is kept, collapsed');
    assert.equal(await superseded.getAttribute('open'), null);
    assert.match(await superseded.locator(':scope > summary').innerText(), /Local answer \(kept for reference\)/);
    const meta = (await cloud.locator('.meta').innerText()).replace(/\s+/g, ' ');
    assert.match(meta, /Cost: \$0\.99\d*/);
    assert.match(await cloud.locator('.answer-head').innerText(), /Escalated because/);
    await runCommand(ui.page, 'Notifications: Clear All Notifications');
    await screenshot(ui.page, 'panel-escalated');
  });

  it('refuses past the budget: status bar in the warning colour, the meter near full, and a refusal with fixing buttons', async () => {
    const item = statusBarItem(ui.page, STATUS_BAR_ID);
    // ~$0.995 of $1.00 after the escalation; one more cloud answer does not fit.
    await panel.locator('.turn').last().getByRole('button', { name: 'Escalate' }).click();
    const error = panel.locator('.turn').last().locator('.turn-error');
    await error.waitFor({ timeout: STEP_MS });
    const text = await error.innerText();
    assert.match(text, /Budget reached/);
    assert.ok(await error.getByRole('button', { name: 'Set Budget' }).isVisible());
    assert.ok(await error.getByRole('button', { name: 'Show Usage Report' }).isVisible());
    await ui.page.waitForFunction(
      (id) => document.getElementById(id)?.textContent?.includes('$0.99') ?? false,
      STATUS_BAR_ID,
      { timeout: STEP_MS },
    );
    await runCommand(ui.page, 'Notifications: Clear All Notifications');
    await screenshot(ui.page, 'budget-reached');
    await item.hover();
    await ui.page.locator('.monaco-hover').first().waitFor({ timeout: STEP_MS }).catch(() => undefined);
    await screenshot(ui.page, 'status-bar-tooltip');
  });

  it('switches to Local only from the status bar quick pick', async () => {
    const item = statusBarItem(ui.page, STATUS_BAR_ID);
    await item.click();
    const picker = ui.page.locator('.quick-input-widget');
    await picker.waitFor({ state: 'visible', timeout: STEP_MS });
    await ui.page.locator('.quick-input-list .monaco-list-row', { hasText: `groq` }).first().waitFor({ timeout: STEP_MS });
    await screenshot(ui.page, 'status-bar-quick-pick');
    await ui.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Local only' }).first().click();
    await picker.waitFor({ state: 'hidden', timeout: STEP_MS });
    await ui.page.waitForFunction((id) => document.getElementById(id)?.textContent?.includes('Local only') ?? false, STATUS_BAR_ID, { timeout: STEP_MS });
  });

  it('renders hostile model output inert: no script, no handlers, no javascript: links, no remote images', async () => {
    ollama.setReply({ text: HOSTILE });
    const turnsBefore = await panel.locator('.turn').count();
    await ask('Show me some HTML');
    const answer = panel.locator('.turn').nth(turnsBefore).locator('.answer.status-done').last();
    await answer.waitFor({ timeout: STEP_MS });
    const md = answer.locator('.md');
    const shown = await md.innerText();
    assert.ok(shown.includes('<script>') && shown.includes('onerror='), `the tags are shown as text: ${shown}`);
    assert.equal(await md.locator('script, iframe, style, img').count(), 0);
    const verdict = await md.evaluate((root) => {
      const all = [root, ...root.querySelectorAll('*')];
      return {
        handlers: all.filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
        badLinks: [...root.querySelectorAll('a')].filter((a) => /^(javascript|data|vbscript):/i.test(a.getAttribute('href') ?? '')).length,
        pwned: (window as unknown as { __pwned?: string }).__pwned ?? null,
      };
    });
    assert.deepEqual(verdict, { handlers: 0, badLinks: 0, pwned: null });
    await screenshot(ui.page, 'panel-hostile-inert');
  });
});

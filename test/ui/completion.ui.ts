/**
 * Inline completion as a person meets it in the real workbench: typing in a TypeScript file shows
 * ghost text from the local (test) model, Tab accepts it; typing on past a pending suggestion
 * aborts the stale request (the server sees the connection close); going back to a position
 * already answered shows the suggestion again without a new request. The completion status bar
 * item names the model. Switchyard talks to an Ollama double started by this file.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import { startUiSession, type UiSession } from '../harness/uiSession';
import { screenshot, statusBarItem } from '../harness/workbench';
import { startOllamaServer, type OllamaServer } from '../servers/ollama';

const COMPLETION_STATUS_ID = 'switchyard-dev.switchyard.switchyard.completion';
const STEP_MS = 60_000;
const FILE = 'cart.ts';
const CONTENT = 'export function total(items: { price: number }[]): number {\n  let sum = 0;\n  \n  return sum;\n}\n';

describe('Inline completion (UI)', function () {
  let ui: UiSession;
  let ollama: OllamaServer;
  let editor: Locator;
  const generates = () => ollama.requests.filter((r) => r.path === '/api/generate');

  before(async function () {
    this.timeout(240_000);
    ollama = await startOllamaServer({ models: [{ name: 'qwen2.5-coder:1.5b', capabilities: ['completion', 'insert'] }] });
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-completion-ui-'));
    fs.writeFileSync(path.join(workspace, FILE), CONTENT);
    ui = await startUiSession({
      workspace,
      settings: {
        'switchyard.local.manageOllama': false,
        'switchyard.providers': { ollama: { kind: 'ollama', baseUrl: ollama.url } },
        'switchyard.completion.model': 'ollama/qwen2.5-coder:1.5b',
        'editor.inlineSuggest.enabled': true,
        'editor.quickSuggestions': { other: false, comments: false, strings: false },
        'editor.suggestOnTriggerCharacters': false,
        // Typed brackets stay single, so the line reads exactly as typed.
        'editor.autoClosingBrackets': 'never',
      },
    });
    // Open the file as a person would: Quick Open, its name, Enter.
    await ui.page.keyboard.press('Control+P');
    await ui.page.locator('.quick-input-widget input').fill(FILE);
    await ui.page.locator('.quick-input-list .monaco-list-row', { hasText: FILE }).first().waitFor({ timeout: STEP_MS });
    await ui.page.keyboard.press('Enter');
    editor = ui.page.locator('.editor-instance .monaco-editor').first();
    await editor.locator('.view-line', { hasText: 'let sum = 0;' }).waitFor({ timeout: STEP_MS });
    // Completion warms up a few seconds after start-up (engine loaded, models listed): wait for it,
    // as a person would not notice it but a test typing at once would race it on a busy machine.
    const deadline = Date.now() + 180_000;
    while (!ollama.requests.some((r) => r.path === '/api/tags')) {
      if (Date.now() > deadline) throw new Error('completion never listed the models of the Ollama double');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    await ui?.close();
    await ollama?.close();
  });

  /** Puts the cursor at the end of the (empty, indented) third line. */
  async function toEmptyLine(): Promise<void> {
    await editor.locator('.view-line', { hasText: 'let sum = 0;' }).click();
    await ui.page.keyboard.press('End');
    await ui.page.keyboard.press('ArrowDown');
    await ui.page.keyboard.press('End');
  }

  const ghost = () => editor.locator('.ghost-text-decoration, .ghost-text').first();
  const currentLine = () => editor.locator('.view-line', { hasText: 'for (const item' });

  it('shows ghost text from the local model while typing, and Tab accepts it', async () => {
    ollama.setReply({ text: ['of', ' items', ')', ' sum', ' +=', ' item', '.price', ';', '\n'], chunking: { delayMs: 20 } });
    await toEmptyLine();
    await ui.page.keyboard.type('for (const item ', { delay: 120 });
    await ghost()
      .waitFor({ state: 'visible', timeout: STEP_MS })
      .catch(async (e: Error) => {
        await screenshot(ui.page, 'completion-no-ghost-text');
        const prompts = generates().map((r) => JSON.stringify(String(r.body.prompt).slice(-40)));
        // The completion item's tooltip says why the last position got no suggestion.
        await statusBarItem(ui.page, COMPLETION_STATUS_ID).hover();
        const why = await ui.page.locator('.monaco-hover, .workbench-hover').first().innerText({ timeout: 5_000 }).catch(() => '(no tooltip)');
        const paths = ollama.requests.map((r) => r.path).join(' ');
        throw new Error(`${e.message}\nrequests seen by the server (prompt tails): ${prompts.join(', ') || 'none'}; all paths: ${paths}\nstatus tooltip: ${why}`);
      });
    // Ghost text is rendered in several decorated spans inside the line: read the whole line.
    await currentLine().filter({ hasText: 'item.price;' }).waitFor({ timeout: STEP_MS });
    // Monaco renders spaces as U+00A0.
    assert.match((await currentLine().innerText()).replace(/\u00a0/g, ' '), /for \(const item of items\) sum \+= item\.price;/);
    await screenshot(ui.page, 'completion-ghost-text');
    const status = statusBarItem(ui.page, COMPLETION_STATUS_ID);
    assert.match(await status.innerText(), /qwen2\.5-coder:1\.5b/);
    await ui.page.keyboard.press('Tab');
    await editor.locator('.view-line', { hasText: 'for (const item of items) sum += item.price;' }).waitFor({ timeout: STEP_MS });
    await screenshot(ui.page, 'completion-accepted');
  });

  it('shows the same suggestion again after undo, answered from the cache', async () => {
    const atPosition = () => generates().filter((r) => String(r.body.prompt).endsWith('for (const item ')).length;
    const before = atPosition();
    assert.ok(before >= 1);
    await ui.page.keyboard.press('Control+Z');
    await editor.locator('.view-line', { hasText: 'for (const item of items)' }).waitFor({ state: 'detached', timeout: STEP_MS });
    // Type the first letter of the suggestion, then take it back: both positions were answered before.
    await ui.page.keyboard.type('o', { delay: 150 });
    await ui.page.keyboard.press('Backspace');
    await ghost().waitFor({ state: 'visible', timeout: STEP_MS });
    await currentLine().filter({ hasText: 'of items)' }).waitFor({ timeout: STEP_MS });
    assert.equal(atPosition(), before, 'no new request for a position answered before');
    await screenshot(ui.page, 'completion-from-cache');
    await ui.page.keyboard.press('Escape');
  });

  it('aborts the stale request when typing goes elsewhere (the server sees the abort)', async () => {
    await ui.page.keyboard.press('Control+End');
    await ui.page.keyboard.press('Enter');
    // The first token comes at once, the rest slowly: a prediction is known while the request is open.
    ollama.setReply({ text: ['zeta', 'Value', '();'], chunking: { delayMs: 5_000 } });
    const first = generates().length;
    await ui.page.keyboard.type('sum = ', { delay: 120 });
    const stale = await waitForRequest(first);
    ollama.setReply({ text: ['0;'] });
    await ui.page.keyboard.type('Math.max(', { delay: 120 }); // not what the model predicted ("zeta…")
    const settled = await ollama.settled(ollama.requests.indexOf(stale), STEP_MS);
    assert.equal(settled.aborted, true, 'the server saw the stale request aborted');
    await screenshot(ui.page, 'completion-after-abort');
  });

  async function waitForRequest(after: number) {
    const deadline = Date.now() + STEP_MS;
    for (;;) {
      const r = generates().slice(after).find((x) => x.chunksWritten >= 1 && !x.completed && !x.aborted);
      if (r) return r;
      if (Date.now() > deadline) throw new Error(`no streaming /api/generate request after #${after}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  }
});

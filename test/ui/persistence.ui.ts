/**
 * The conversation survives a window reload, as a person sees it: ask in the panel, run
 * "Developer: Reload Window", and the panel comes back (restored by its serializer) with the same
 * prompt and answer, read back from workspaceState, and the whole conversation reads as it did
 * (a failed turn's error lines and buttons included).
 */
import * as assert from 'node:assert/strict';
import { startUiSession, type UiSession } from '../harness/uiSession';
import { reloadWindow, runCommand, screenshot, webviewFrame } from '../harness/workbench';
import { startOllamaServer, type OllamaServer } from '../servers/ollama';

const LOCAL_MODEL = 'qwen2.5:7b';
const STEP_MS = 30_000;
const PROMPT = 'What is the capital of France?';
const ANSWER = 'The capital of France is **Paris**.';

describe('Switchyard conversation across a window reload (UI)', function () {
  let ui: UiSession;
  let ollama: OllamaServer;

  before(async function () {
    this.timeout(180_000);
    ollama = await startOllamaServer({ models: [LOCAL_MODEL], reply: { text: ANSWER, chunking: { delayMs: 10 } } });
    const chain = [`ollama/${LOCAL_MODEL}`];
    ui = await startUiSession({
      settings: {
        'switchyard.local.manageOllama': false,
        'switchyard.providers': { ollama: { kind: 'ollama', baseUrl: ollama.url } },
        'switchyard.tasks': { chat: chain, code: chain, math: chain, reasoning: chain, creative: chain },
      },
    });
  });

  after(async () => {
    await ui?.close();
    await ollama?.close();
  });

  it('restores the panel with the same prompt and answer after Developer: Reload Window', async () => {
    await runCommand(ui.page, 'Switchyard: Open Panel');
    const panel = webviewFrame(ui.page);
    const prompt = panel.locator('#prompt');
    await prompt.fill(PROMPT);
    await prompt.press('Enter');
    await panel.locator('.turn .answer.status-done').waitFor({ timeout: STEP_MS });
    // A second turn that fails: its error lines and buttons must come back too.
    ollama.setBusy(true);
    await prompt.fill('And of Spain?');
    await prompt.press('Enter');
    await panel.locator('.turn .turn-error').waitFor({ timeout: STEP_MS });
    await panel.locator('#send').waitFor({ timeout: STEP_MS });
    ollama.setBusy(false);
    const shown = await panel.locator('.conversation').innerText();
    await screenshot(ui.page, 'reload-before');
    const chats = ollama.requests.filter((r) => r.path === '/api/chat').length;

    await reloadWindow(ui.page, ui.server);

    const restored = webviewFrame(ui.page);
    const answer = restored.locator('.turn .answer.status-done');
    await answer.waitFor({ timeout: STEP_MS });
    await restored.locator('.turn .turn-error').waitFor({ timeout: STEP_MS });
    // Exactly what was shown: both turns, the answer with its metadata, the error with its buttons.
    assert.equal(await restored.locator('.conversation').innerText(), shown);
    assert.equal(await restored.locator('.turn').count(), 2);
    assert.equal((await restored.locator('.turn .prompt-text').first().innerText()).trim(), PROMPT);
    assert.equal((await answer.locator('.md').innerText()).trim(), 'The capital of France is Paris.');
    assert.equal((await answer.locator('.md strong').textContent())?.trim(), 'Paris');
    assert.equal((await answer.locator('.model').textContent())?.trim(), `ollama/${LOCAL_MODEL}`);
    assert.equal(ollama.requests.filter((r) => r.path === '/api/chat').length, chats, 'the answer came from storage, not from asking again');
    await screenshot(ui.page, 'reload-restored');
  });
});

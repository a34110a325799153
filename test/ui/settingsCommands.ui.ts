/**
 * Budget caps and API keys managed from the UI, as a person does it: "Switchyard: Set Budget…"
 * changes the daily cap the panel's meter and the status bar show, and refuses an amount that is
 * not one; "Switchyard: Remove API Key…" forgets a stored key, after which a request that needs
 * the cloud says which key is missing and offers the button that fixes it.
 * Switchyard talks to the Ollama and Groq test servers started by this file on 127.0.0.1.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
const GROQ_KEY = 'gsk_ui_remove_key_0123456789';
const STEP_MS = 30_000;
/** The user's cap for all workspaces; the workspace cap set below must stay under it. */
const GLOBAL_DAILY_CAP = 5;

describe('Switchyard Set Budget and Remove API Key (UI)', function () {
  let ui: UiSession;
  let ollama: OllamaServer;
  let groq: OpenAICompatibleServer;
  let panel: FrameLocator;

  before(async function () {
    this.timeout(180_000);
    ollama = await startOllamaServer({ models: [LOCAL_MODEL], reply: { text: 'Hello from the **local** model.', chunking: { delayMs: 10 } } });
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: GROQ_KEY, models: [CLOUD_MODEL], reply: { text: 'Hello from the **cloud**.' } });
    ui = await startUiSession({
      settings: localThenGroqSettings(ollama, groq, { local: LOCAL_MODEL, cloud: CLOUD_MODEL }, {
        'switchyard.budget.globalDailyLimit': GLOBAL_DAILY_CAP,
      }),
    });
    panel = webviewFrame(ui.page);
  });

  after(async () => {
    await ui?.close();
    await ollama?.close();
    await groq?.close();
  });

  const budgetInput = () => ui.page.locator('.quick-input-widget input');
  const validation = () => ui.page.locator('.quick-input-widget .quick-input-message');
  const workspaceSettings = () => path.join(ui.server.workspace, '.vscode', 'settings.json');

  async function openDailyLimitInput(): Promise<void> {
    await commandWithInput(ui.page, 'Switchyard: Set Budget…', 'Switchyard: Set Budget');
    await ui.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Daily limit for this workspace' }).first().click();
    await ui.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Daily limit for this workspace' }).waitFor({ timeout: STEP_MS });
  }

  it('sets the workspace daily cap: the panel meter and the status bar show it', async () => {
    await runCommand(ui.page, 'Switchyard: Open Panel');
    const today = panel.locator('.budget .meter-row').first();
    await today.locator('.meter-value', { hasText: `$0.00 / $${GLOBAL_DAILY_CAP}.00` }).waitFor({ timeout: STEP_MS });

    await openDailyLimitInput();
    assert.match(await validation().innerText(), /at most your cap of 5/);
    await budgetInput().fill('3');
    await budgetInput().press('Enter');
    await ui.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_MS });

    await today.locator('.meter-value', { hasText: '$0.00 / $3.00' }).waitFor({ timeout: STEP_MS });
    await ui.page.waitForFunction((id) => document.getElementById(id)?.textContent?.includes('$0.00/$3.00') ?? false, STATUS_BAR_ID, { timeout: STEP_MS });
    assert.match(await statusBarItem(ui.page, STATUS_BAR_ID).innerText(), /\$0\.00\/\$3\.00/);
    await screenshot(ui.page, 'budget-set');
  });

  it('refuses an amount that is not a number of 0 or more, or is above the cap, and changes nothing', async () => {
    const saved = fs.readFileSync(workspaceSettings(), 'utf8');
    assert.match(saved, /"switchyard\.budget\.dailyLimit": 3/);
    await openDailyLimitInput();
    for (const [typed, message] of [
      ['abc', 'Enter a number of 0 or more.'],
      ['-3', 'Enter a number of 0 or more.'],
      ['9', 'Above your cap of 5 USD: raise the cap for all workspaces first.'],
    ] as const) {
      await budgetInput().fill(typed);
      await validation().filter({ hasText: message }).waitFor({ timeout: STEP_MS });
      // Enter does not accept it: the box stays open with the message.
      await budgetInput().press('Enter');
      assert.equal(await budgetInput().inputValue(), typed);
      assert.equal((await validation().innerText()).trim(), message);
      if (typed === '-3') await screenshot(ui.page, 'budget-invalid');
    }
    await ui.page.keyboard.press('Escape');
    await ui.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_MS });
    assert.equal(fs.readFileSync(workspaceSettings(), 'utf8'), saved);
    assert.match(await statusBarItem(ui.page, STATUS_BAR_ID).innerText(), /\$0\.00\/\$3\.00/);
    assert.equal((await panel.locator('.budget .meter-row').first().locator('.meter-value').innerText()).trim(), '$0.00 / $3.00');
  });

  it('removes a stored key with Remove API Key; the cloud request then says the key is missing, with Set API Key', async () => {
    await setApiKeyFromPalette(ui.page, 'groq', GROQ_KEY);
    await runCommand(ui.page, 'Notifications: Clear All Notifications');
    const turnsBefore = await panel.locator('.turn').count();
    const prompt = panel.locator('#prompt');
    // A plain chat prompt: the local answer passes its checks, so only Escalate goes to the cloud.
    await prompt.fill('Say hello');
    await prompt.press('Enter');
    const turn = panel.locator('.turn').nth(turnsBefore);
    await turn.locator('.turn-actions').waitFor({ timeout: STEP_MS });
    // With the key, Escalate reaches the cloud.
    await turn.getByRole('button', { name: 'Escalate' }).click();
    await turn.locator('.answer.cloud.status-done').waitFor({ timeout: STEP_MS });
    const cloudCalls = groq.requests.filter((r) => r.path.endsWith('/chat/completions')).length;
    assert.equal(cloudCalls, 1);

    await commandWithInput(ui.page, 'Switchyard: Remove API Key…', 'Switchyard: Remove API Key');
    const row = ui.page.locator('.quick-input-list .monaco-list-row', { hasText: 'groq' }).first();
    await row.waitFor({ timeout: STEP_MS });
    assert.match(await row.innerText(), new RegExp(new URL(groq.baseUrl).origin.replace(/[.]/g, '\\.')));
    await screenshot(ui.page, 'key-remove-pick');
    await row.click();
    await ui.page.locator('.notifications-toasts', { hasText: 'Key for groq at' }).filter({ hasText: 'removed' }).waitFor({ timeout: STEP_MS });

    await turn.getByRole('button', { name: 'Escalate' }).click();
    const error = turn.locator('.turn-error');
    await error.waitFor({ timeout: STEP_MS });
    // One line for the cause with its button; the per-model reason, with the origin, is behind Details.
    const line = error.locator('.error-line', { hasText: 'No API key for groq' });
    await line.waitFor({ timeout: STEP_MS });
    assert.ok(await line.getByRole('button', { name: 'Set API Key' }).isVisible());
    const details = error.locator('details.error-details');
    await details.locator('summary').click();
    await details.locator('li').first().waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match((await details.innerText()).replace(/\s+/g, ' '), /groq: no API key for http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(groq.requests.filter((r) => r.path.endsWith('/chat/completions')).length, cloudCalls, 'nothing was sent to the cloud without a key');
    await screenshot(ui.page, 'key-removed-missing');
  });
});

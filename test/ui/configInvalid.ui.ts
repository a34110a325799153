/**
 * A budget cap that cannot be read, as a person meets it: the user's global daily cap is -1 in
 * settings.json. A local answer still comes; asking the cloud (Escalate) is refused in the panel
 * with the setting's name, nothing reaches the Groq double, and the refusal's "Open Setting"
 * button opens the Settings editor at that setting.
 */
import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { startUiSession, type UiSession } from '../harness/uiSession';
import { runCommand, screenshot, webviewFrame } from '../harness/workbench';
import { localThenGroqSettings } from './workspaces';
import { startOllamaServer, type OllamaServer } from '../servers/ollama';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../servers/openaiCompatible';

const LOCAL_MODEL = 'qwen2.5:7b';
const CLOUD_MODEL = 'llama-3.3-70b-versatile';
const STEP_MS = 30_000;
const SETTING = 'switchyard.budget.globalDailyLimit';

describe('Switchyard with a budget cap that cannot be read (UI)', function () {
  let ui: UiSession;
  let ollama: OllamaServer;
  let groq: OpenAICompatibleServer;
  let panel: FrameLocator;

  before(async function () {
    this.timeout(180_000);
    ollama = await startOllamaServer({ models: [LOCAL_MODEL], reply: { text: 'Hello from the **local** model.' } });
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: 'gsk_ui_config_invalid_0123', models: [CLOUD_MODEL], reply: { text: 'Hello from the cloud.' } });
    ui = await startUiSession({ settings: localThenGroqSettings(ollama, groq, { local: LOCAL_MODEL, cloud: CLOUD_MODEL }, { [SETTING]: -1 }) });
    panel = webviewFrame(ui.page);
  });

  after(async () => {
    await ui?.close();
    await ollama?.close();
    await groq?.close();
  });

  it('answers locally, refuses the cloud with the setting named, and "Open Setting" opens it', async () => {
    await runCommand(ui.page, 'Switchyard: Open Panel');
    const prompt = panel.locator('#prompt');
    await prompt.fill('Say hello');
    await prompt.press('Enter');
    const turn = panel.locator('.turn').last();
    await turn.locator('.answer.local.status-done').waitFor({ timeout: STEP_MS });

    await turn.getByRole('button', { name: 'Escalate' }).click();
    const error = turn.locator('.turn-error');
    await error.waitFor({ timeout: STEP_MS });
    const text = (await error.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Cloud models are refused in this workspace: the setting switchyard\.budget\.globalDailyLimit cannot be read/);
    assert.equal(groq.requests.filter((r) => r.path.endsWith('/chat/completions')).length, 0, 'nothing reached the cloud');
    await runCommand(ui.page, 'Notifications: Clear All Notifications');
    await screenshot(ui.page, 'config-invalid-refused');

    await error.getByRole('button', { name: 'Open Setting' }).click();
    // The Settings editor opens with the setting as its search.
    const search = ui.page.locator('.settings-editor .settings-header .suggest-input-container .monaco-editor .view-lines');
    await search.filter({ hasText: SETTING }).waitFor({ timeout: STEP_MS });
    await ui.page.locator('.settings-editor .setting-item-contents', { hasText: 'Global Daily Limit' }).first().waitFor({ timeout: STEP_MS });
    await screenshot(ui.page, 'config-invalid-open-setting');
  });
});

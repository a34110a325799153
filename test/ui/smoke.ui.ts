/**
 * First UI test: a person opens Switchyard from the command palette and sees the panel, finds
 * the status bar item and clicks it, closes the panel and opens it again.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { sharedUiSession, type UiSession } from '../harness/uiSession';
import { runCommand, screenshot, statusBarItem, webviewFrame } from '../harness/workbench';

/** VS Code renders an extension's status bar entry with the id `<extension id>.<item id>`. */
const STATUS_BAR_ID = 'switchyard-dev.switchyard.switchyard.status';

describe('Switchyard UI smoke', () => {
  let ui: UiSession;

  before(async () => {
    ui = await sharedUiSession();
  });

  it('opens the panel from the command palette and shows its heading', async () => {
    await runCommand(ui.page, 'Switchyard: Open Panel');
    const heading = webviewFrame(ui.page).locator('h1');
    await heading.waitFor({ timeout: 30_000 });
    assert.equal((await heading.textContent())?.trim(), 'Switchyard');
    const file = await screenshot(ui.page, 'smoke-panel-open');
    assert.ok(fs.statSync(file).size > 0);
  });

  it('shows the status bar item; clicking it opens a picker, and the palette reopens the closed panel', async () => {
    const item = statusBarItem(ui.page, STATUS_BAR_ID);
    await item.waitFor({ timeout: 15_000 });
    assert.match((await item.innerText()).trim(), /\S/);
    await item.click();
    const picker = ui.page.locator('.quick-input-widget');
    await picker.waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(ui.page, 'smoke-status-bar-picker');
    await ui.page.keyboard.press('Escape');
    await picker.waitFor({ state: 'hidden', timeout: 15_000 });

    await runCommand(ui.page, 'View: Close All Editors');
    await webviewFrame(ui.page).locator('h1').waitFor({ state: 'detached', timeout: 15_000 });
    await runCommand(ui.page, 'Switchyard: Open Panel');
    await webviewFrame(ui.page).locator('h1').waitFor({ timeout: 30_000 });
  });
});

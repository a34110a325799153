/**
 * First UI test: a person opens Switchyard from the command palette and sees the panel, finds
 * the status bar item — it names the routing mode and today's spending, and clicking it opens
 * the mode picker with that mode marked current — runs a command and sees its result (the usage
 * report), closes the panel and opens it again.
 */
import * as assert from 'node:assert/strict';
import { sharedUiSession, type UiSession } from '../harness/uiSession';
import { runCommand, screenshot, statusBarItem, webviewFrame } from '../harness/workbench';

/** VS Code renders an extension's status bar entry with the id `<extension id>.<item id>`. */
const STATUS_BAR_ID = 'switchyard-dev.switchyard.switchyard.status';
/** The modes' names as src/vscode/chat/reasonText.ts gives them in English (pinned shows the model). */
const MODES = ['Auto', 'Local only', 'Cloud only'];
const PICKER_TITLE = 'Switchyard: route requests in this workspace to…';

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
    await screenshot(ui.page, 'smoke-panel-open');
  });

  it('runs Show Usage Report from the palette: a report of this month opens in an editor', async () => {
    await runCommand(ui.page, 'Switchyard: Show Usage Report');
    const month = new Date().toISOString().slice(0, 7);
    const editor = ui.page.locator('.editor-instance .monaco-editor .view-lines');
    // One wait for both: the Markdown preview opening beside it can hide the source a moment later.
    await editor.filter({ hasText: `Switchyard usage — ${month}` }).filter({ hasText: 'Budget' }).first().waitFor({ timeout: 30_000 });
    await screenshot(ui.page, 'smoke-usage-report');
    // Closed with the tabs' close buttons, as a mouse user does: the Markdown preview that opens
    // beside the report is a webview, which takes the focus when it loads, so a palette command
    // here could lose its Enter. The report is an untitled document: closing it asks to save.
    const tab = (text: string) => ui.page.locator('.tabs-container .tab', { hasText: text });
    await tab('Preview').first().waitFor({ timeout: 15_000 }).then(
      () => tab('Preview').first().locator('.tab-actions .action-label').click({ force: true }),
      () => undefined,
    );
    await tab('Preview').first().waitFor({ state: 'detached', timeout: 15_000 });
    await tab(`Switchyard usage — ${month}`).locator('.tab-actions .action-label').click({ force: true });
    const dialog = ui.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    await dialog.getByRole('button', { name: "Don't Save" }).click();
    await tab('Switchyard usage').waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('shows the status bar item; clicking it opens a picker, and the palette reopens the closed panel', async () => {
    const item = statusBarItem(ui.page, STATUS_BAR_ID);
    await item.waitFor({ timeout: 15_000 });
    // "<mode>  <spent today>", e.g. "Auto  $0.00" or "Local only  $0.01/$3.00" (earlier files spend).
    const text = (await item.innerText()).replace(/\s+/g, ' ').trim();
    const shown = MODES.find((m) => text.startsWith(m));
    assert.ok(shown, `the status bar names the mode: "${text}"`);
    assert.match(text, /\$\d+\.\d{2}/, `and today's spending: "${text}"`);
    // What a screen reader says (VS Code puts it on the item or on its inner link).
    const label = await item.evaluate((el) => el.getAttribute('aria-label') ?? el.querySelector('[aria-label]')?.getAttribute('aria-label') ?? '');
    assert.match(label, new RegExp(`^Switchyard: mode ${shown}, spent today \\$`), label);
    await item.click();
    const picker = ui.page.locator('.quick-input-widget');
    await picker.waitFor({ state: 'visible', timeout: 15_000 });
    await picker.locator('.quick-input-title', { hasText: PICKER_TITLE }).waitFor({ timeout: 15_000 });
    // The mode the status bar shows is the one the picker marks current.
    const current = picker.locator('.quick-input-list .monaco-list-row', { hasText: 'current' });
    await current.first().waitFor({ timeout: 15_000 });
    assert.equal(await current.count(), 1);
    assert.equal((await current.locator('.label-name').first().innerText()).trim(), shown);
    await screenshot(ui.page, 'smoke-status-bar-picker');
    await ui.page.keyboard.press('Escape');
    await picker.waitFor({ state: 'hidden', timeout: 15_000 });

    await runCommand(ui.page, 'View: Close All Editors');
    await webviewFrame(ui.page).locator('h1').waitFor({ state: 'detached', timeout: 15_000 });
    await runCommand(ui.page, 'Switchyard: Open Panel');
    await webviewFrame(ui.page).locator('h1').waitFor({ timeout: 30_000 });
  });
});

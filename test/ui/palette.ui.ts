/**
 * The palette helpers themselves (test/harness/quickAccess.ts, via test/ui/palette.ts), against
 * the cause of issue 16's flaky test: the keyboard focus is not in the palette when Enter is
 * pressed. The webview of the Switchyard panel takes the focus back right after the command is
 * typed — once — while the palette stays open (workbench.quickOpen.closeOnFocusLost off, so the
 * lost focus is not hidden by the palette closing). An Enter pressed blindly then goes into the
 * webview and the command never runs; the helpers see the focus is elsewhere and start again.
 */
import * as assert from 'node:assert/strict';
import { startUiSession, type UiSession } from '../harness/uiSession';
import { runCommand, webviewFrame } from '../harness/workbench';
import { commandWithInput } from './palette';

const STEP_MS = 30_000;

describe('Palette helpers when the webview takes the focus (UI)', function () {
  let ui: UiSession;

  before(async function () {
    this.timeout(180_000);
    ui = await startUiSession({ settings: { 'workbench.quickOpen.closeOnFocusLost': false } });
  });
  after(async () => {
    await ui?.close();
  });

  it('runs the command anyway: Enter waits for the palette to have the focus and the row to be active', async () => {
    await runCommand(ui.page, 'Switchyard: Open Panel');
    await webviewFrame(ui.page).locator('#prompt').waitFor({ timeout: STEP_MS });
    // Once the command is typed, the panel's webview takes the focus, as it can when it loads.
    // (A string: tsx would wrap a named function in a helper the page does not have.)
    await ui.page.evaluate(`document.addEventListener('input', (event) => {
      const box = event.target;
      if (window.__stolen || !box.closest || !box.closest('.quick-input-widget') || !box.value.includes('Set Budget')) return;
      window.__stolen = true;
      setTimeout(() => document.querySelector('iframe.webview.ready').focus(), 0);
    }, true)`);
    await commandWithInput(ui.page, 'Switchyard: Set Budget…', 'Switchyard: Set Budget');
    assert.equal(await ui.page.evaluate(() => (window as unknown as { __stolen?: boolean }).__stolen), true, 'the focus was taken once');
    await ui.page.keyboard.press('Escape');
    await ui.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_MS });
  });
});

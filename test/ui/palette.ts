/** Palette helpers for the Switchyard UI tests. */
import type { Page } from 'playwright-core';

import { selectCommand, waitForActiveRow } from '../harness/quickAccess';

const STEP_MS = 30_000;
/** An extension's commands may be listed only a moment after the workbench opens. */
const COMMAND_APPEAR_TIMEOUT_MS = 45_000;

/**
 * Runs a palette command that answers with its own input box or quick pick (the harness's
 * runCommand waits for the palette to close, which never happens then), and waits for that
 * input, recognized by its title. Enter is pressed only with the palette focused and the
 * command's row active; if the title does not show, the whole open/type/select sequence is run
 * again (harmless: such a command only opens its picker).
 */
export async function commandWithInput(page: Page, command: string, inputTitle: string): Promise<void> {
  const title = page.locator('.quick-input-widget .quick-input-title', { hasText: inputTitle });
  await selectCommand(page, command, {
    timeoutMs: COMMAND_APPEAR_TIMEOUT_MS,
    rerunnable: true,
    landed: () => title.waitFor({ state: 'visible', timeout: STEP_MS }).then(() => true, () => false),
  });
}


/**
 * Stores an API key as a person does: "Switchyard: Set API Key…", pick the provider, paste the
 * key into the password box, and wait for the "stored" notification.
 */
export async function setApiKeyFromPalette(page: Page, provider: string, key: string): Promise<void> {
  await commandWithInput(page, 'Switchyard: Set API Key…', 'Switchyard: Set API Key');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: provider }).first().waitFor({ timeout: STEP_MS });
  // As in the palette: Enter only once the picker's box has the focus and the provider is active.
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await box.fill(provider);
  await waitForActiveRow(page, provider, STEP_MS);
  await box.press('Enter');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: `API key for ${provider}` }).waitFor({ timeout: STEP_MS });
  const password = page.locator('.quick-input-widget input[type="password"]');
  await password.fill(key);
  await password.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_MS });
  await page.locator('.notifications-toasts', { hasText: `Key for ${provider} stored` }).waitFor({ timeout: STEP_MS });
}

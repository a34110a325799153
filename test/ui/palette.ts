/** Palette helpers for the Switchyard UI tests. */
import type { Page } from 'playwright-core';

const STEP_MS = 30_000;
/** An extension's commands may be listed only a moment after the workbench opens: retry like a person. */
const PALETTE_ATTEMPTS = 10;

/**
 * Runs a palette command that answers with its own input box or quick pick (the harness's
 * runCommand waits for the palette to close, which never happens then), and waits for that
 * input, recognized by its title.
 */
export async function commandWithInput(page: Page, command: string, inputTitle: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first();
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: STEP_MS });
    await input.fill(`>${command}`);
    try {
      await row.waitFor({ state: 'visible', timeout: 5_000 });
      break;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (attempt >= PALETTE_ATTEMPTS) throw error;
    }
  }
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: inputTitle }).waitFor({ state: 'visible', timeout: STEP_MS });
}


/**
 * Stores an API key as a person does: "Switchyard: Set API Key…", pick the provider, paste the
 * key into the password box, and wait for the "stored" notification.
 */
export async function setApiKeyFromPalette(page: Page, provider: string, key: string): Promise<void> {
  await commandWithInput(page, 'Switchyard: Set API Key…', 'Switchyard: Set API Key');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: provider }).first().waitFor({ timeout: STEP_MS });
  await page.keyboard.type(provider);
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: `API key for ${provider}` }).waitFor({ timeout: STEP_MS });
  const password = page.locator('.quick-input-widget input[type="password"]');
  await password.fill(key);
  await password.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_MS });
  await page.locator('.notifications-toasts', { hasText: `Key for ${provider} stored` }).waitFor({ timeout: STEP_MS });
}

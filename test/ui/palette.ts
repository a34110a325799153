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


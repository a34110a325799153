/**
 * Playwright helpers that drive the code-server workbench in Debian's Chromium the way a person
 * would: open it, wait until it is ready, run commands from the palette, look into webviews and
 * take screenshots. Used by the UI tests (test/ui/*.ui.ts), the extension-host test runner and
 * the activation benchmark.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { REPO_ROOT, type CodeServer } from './codeServer';
import { selectCommand } from './quickAccess';

/** Debian's chromium package (installed by scripts/setup.sh); playwright-core downloads none. */
export const CHROMIUM_PATH = process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');

/** Quiet and offline-safe Chromium flags (from the offline-testing notes). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
/** Big enough for the editor, a side panel and the status bar to be readable in screenshots. */
const VIEWPORT = { width: 1280, height: 800 };
/** The workbench loads in a few seconds; the first load on a cold 2-core machine can take ~20 s. */
const WORKBENCH_READY_TIMEOUT_MS = 60_000;
const UI_STEP_TIMEOUT_MS = 15_000;
/** Extensions register a few seconds after the workbench shows; generous for a loaded CI box. */
const COMMAND_APPEAR_TIMEOUT_MS = 45_000;

export interface Workbench {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Opens a browser page on the workbench. Pass `beforeNavigate` to expose functions on the page
 * before the workbench script runs (the extension-host runner exposes codeAutomationLog/Exit).
 */
export async function openWorkbench(
  server: CodeServer,
  options: { payload?: [string, string][]; beforeNavigate?: (page: Page) => Promise<void>; waitReady?: boolean } = {},
): Promise<Workbench> {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await options.beforeNavigate?.(page);
    await page.goto(server.workbenchUrl(options.payload), { waitUntil: 'domcontentloaded', timeout: WORKBENCH_READY_TIMEOUT_MS });
    if (options.waitReady !== false) await waitReady(page, server);
    return { browser, page, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** The workbench is ready when the explorer lists a file of the workspace. */
export async function waitReady(page: Page, server: CodeServer): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: WORKBENCH_READY_TIMEOUT_MS });
  const firstFile = fs.readdirSync(server.workspace).sort()[0];
  if (firstFile) {
    await page
      .locator('.explorer-folders-view .monaco-list-row', { hasText: firstFile })
      .first()
      .waitFor({ timeout: WORKBENCH_READY_TIMEOUT_MS });
  } else {
    await page.locator('.statusbar').waitFor({ timeout: WORKBENCH_READY_TIMEOUT_MS });
  }
}

/**
 * Runs a command from the palette as a person would: F1, type its title, Enter on its row.
 * `title` is what the palette shows, e.g. 'Switchyard: Open Panel'. Enter is pressed only when
 * the palette's box has the focus and the command is the active row (see ./quickAccess.ts);
 * right after the workbench opens an extension's commands may not be listed yet, and an open
 * palette does not refresh its list, so the palette is closed and reopened until it shows up.
 */
export async function runCommand(page: Page, title: string, timeoutMs = COMMAND_APPEAR_TIMEOUT_MS): Promise<void> {
  const typed = `>${title}`;
  await selectCommand(page, title, {
    timeoutMs,
    // Done when the palette went away — or was replaced by the command's own input box or quick
    // pick (e.g. 'Switchyard: Ask…'), which reuses the same widget with a different value.
    landed: () =>
      page
        .waitForFunction(
          (text) => {
            const widget = document.querySelector<HTMLElement>('.quick-input-widget');
            const field = widget?.querySelector<HTMLInputElement>('input');
            return !widget || widget.style.display === 'none' || widget.offsetParent === null || field?.value !== text;
          },
          typed,
          { timeout: UI_STEP_TIMEOUT_MS },
        )
        .then(() => true, () => false),
  });
}

/**
 * The content of the visible webview: VS Code hosts each webview in `iframe.webview.ready`, whose
 * page loads the extension's HTML into `iframe#active-frame`. Pass `title` to pick the webview
 * of a particular panel when several are open (the outer frame carries the panel title).
 */
export function webviewFrame(page: Page, title?: string): FrameLocator {
  const outer = title ? page.locator(`iframe.webview.ready[title="${title}"]`) : page.locator('iframe.webview.ready');
  return outer.last().contentFrame().frameLocator('iframe#active-frame');
}

/** Saves a full-window screenshot to test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The status bar entry with the given id (VS Code renders its id as the element id). */
export function statusBarItem(page: Page, id: string) {
  return page.locator(`.statusbar-item[id="${id}"]`);
}

/**
 * Runs "Developer: Reload Window" from the palette and waits until the reloaded workbench is
 * ready. The reload replaces the page's document, so the palette never "closes" in the old one:
 * the wait is for the navigation, not for runCommand's usual check.
 */
export async function reloadWindow(page: Page, server: CodeServer): Promise<void> {
  // A mark on the old document proves the page really was replaced, not merely still open.
  await page.evaluate(() => ((window as unknown as { __beforeReload?: boolean }).__beforeReload = true));
  const navigated = page.waitForNavigation({ timeout: WORKBENCH_READY_TIMEOUT_MS });
  await runCommand(page, 'Developer: Reload Window').catch(() => undefined);
  await navigated;
  await waitReady(page, server);
  if (await page.evaluate(() => (window as unknown as { __beforeReload?: boolean }).__beforeReload)) throw new Error('the window was not reloaded');
}

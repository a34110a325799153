/**
 * The command palette driven safely: open it, type a command, check that the palette's input has
 * the keyboard focus and that the command's row is the active one, and only then press Enter.
 *
 * Why: a key press goes to whatever has focus. After a test typed into the Switchyard panel, the
 * focus is inside the webview's iframe; F1 is forwarded from there to the workbench later, and the
 * webview can take the focus back while the palette opens (the palette then closes on blur). An
 * Enter pressed blindly then lands in the webview or accepts the wrong row, and the command never
 * runs — the flaky "quick input's title never appeared" of issue 16. VS Code's own UI automation
 * (microsoft/vscode test/automation/src/quickaccess.ts) has the same problem and the same answer:
 * wait until the quick input is opened *and focused*, Escape and reopen when it is not, and retry
 * the whole open/type/select sequence when the focus was lost before the selection.
 */
import type { Page } from 'playwright-core';

/** VS Code's automation waits 10 polls of 100 ms for the quick input to open before it retries. */
const OPEN_FOCUS_TIMEOUT_MS = 1_000;
/** VS Code's automation reopens the palette at most 5 times when it did not get the focus. */
const OPEN_ATTEMPTS = 5;
/** VS Code's automation retries the open/type/select sequence 3 times when the selection failed. */
const SELECT_ATTEMPTS = 4;
/** How long the typed command may take to be listed and become the active row before a reopen. */
const ACTIVE_ROW_TIMEOUT_MS = 2_000;
/** Between two checks of the focus and the active row: cheap, and quiet on a 2-core machine. */
const POLL_MS = 50;
/** A visible quick input closes within a frame or two of Escape; generous for a loaded machine. */
const CLOSE_TIMEOUT_MS = 5_000;

/** What the palette looks like right now, read in the page in one go (no race between reads). */
interface PaletteState {
  /** The quick input is shown and its text box is `document.activeElement`. */
  focused: boolean;
  value: string | undefined;
  /** The label of the active (focused) row of the list, if any. */
  activeLabel: string | undefined;
}

export async function paletteState(page: Page): Promise<PaletteState> {
  return page.evaluate(() => {
    const widget = document.querySelector<HTMLElement>('.quick-input-widget');
    const visible = !!widget && widget.style.display !== 'none' && widget.offsetParent !== null;
    const input = widget?.querySelector<HTMLInputElement>('.quick-input-box input');
    const row = widget?.querySelector<HTMLElement>('.quick-input-list .monaco-list-row.focused');
    const label = row?.querySelector<HTMLElement>('.label-name') ?? row ?? undefined;
    return {
      focused: visible && !!input && document.activeElement === input,
      value: visible ? input?.value : undefined,
      activeLabel: label?.textContent?.replace(/\s+/g, ' ').trim() ?? undefined,
    };
  });
}

/** Polls the palette until `accept` holds or the time is up; returns the last state seen. */
async function pollPalette(page: Page, accept: (state: PaletteState) => boolean, timeoutMs: number): Promise<{ ok: boolean; state: PaletteState }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await paletteState(page);
    if (accept(state)) return { ok: true, state };
    if (Date.now() >= deadline) return { ok: false, state };
    await page.waitForTimeout(POLL_MS);
  }
}

/** Closes whatever quick input is showing, so the next attempt starts from a known state. */
export async function closeQuickInput(page: Page): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  if (!(await widget.isVisible())) return;
  await page.keyboard.press('Escape');
  await widget.waitFor({ state: 'hidden', timeout: CLOSE_TIMEOUT_MS }).catch(() => undefined);
}

/**
 * Opens the palette with F1 until its text box has the focus (not merely is visible), then types
 * `value` into it. Throws after OPEN_ATTEMPTS attempts, saying where the focus was.
 */
export async function openPaletteWithRetry(page: Page, value: string): Promise<void> {
  let last: PaletteState | undefined;
  for (let attempt = 1; attempt <= OPEN_ATTEMPTS; attempt++) {
    await page.keyboard.press('F1');
    const opened = await pollPalette(page, (s) => s.focused, OPEN_FOCUS_TIMEOUT_MS);
    // fill() focuses the box itself and replaces its text in one input event; the palette can
    // still close under it (a document opening takes the focus), which is one more retry.
    if (opened.ok && (await page.locator('.quick-input-widget .quick-input-box input').fill(value, { timeout: OPEN_FOCUS_TIMEOUT_MS }).then(() => true, () => false))) return;
    last = opened.state;
    console.log(`      quick access: the palette did not get the focus (${JSON.stringify(last)}), reopening`);
    await closeQuickInput(page);
  }
  const where = await page.evaluate(() => `${document.activeElement?.tagName ?? 'nothing'}.${document.activeElement?.className ?? ''}`);
  throw new Error(`the command palette never got the keyboard focus in ${OPEN_ATTEMPTS} attempts (focus was on ${where}; last state ${JSON.stringify(last)})`);
}

/** The row of `title` counts as active when its label is exactly the title (or, without a label element, contains it). */
function isActiveRow(state: PaletteState, title: string, typed: string): boolean {
  return state.focused && state.value === typed && state.activeLabel !== undefined && (state.activeLabel === title || state.activeLabel.startsWith(title));
}

/** Waits until the quick input has the focus and its active row's label contains `text`. */
export async function waitForActiveRow(page: Page, text: string, timeoutMs: number): Promise<void> {
  const seen = await pollPalette(page, (s) => s.focused && (s.activeLabel?.includes(text) ?? false), timeoutMs);
  if (!seen.ok) throw new Error(`"${text}" never became the active row of a focused quick input (last state ${JSON.stringify(seen.state)})`);
}

export interface SelectResult {
  /** Which attempt pressed Enter (1 when nothing had to be retried). */
  attempts: number;
}

/**
 * Opens the palette, types `>title`, and presses Enter only when the palette's box has the focus
 * and `title` is the active row; otherwise closes the palette and runs the whole sequence again.
 * `landed` says whether the Enter reached the palette (e.g. the command's own input box showed);
 * when it says no and the palette still shows the typed command, the command did not run and
 * the sequence is retried too (and also when the palette went away, if `rerunnable` says running
 * the command twice is harmless, as for one that only opens its own picker). Throws after SELECT_ATTEMPTS attempts or `timeoutMs`, whichever
 * comes later, with what the palette showed.
 */
export async function selectCommand(
  page: Page,
  title: string,
  options: { timeoutMs: number; landed: () => Promise<boolean>; rerunnable?: boolean },
): Promise<SelectResult> {
  const typed = `>${title}`;
  const deadline = Date.now() + options.timeoutMs;
  let last: PaletteState | undefined;
  for (let attempt = 1; ; attempt++) {
    await openPaletteWithRetry(page, typed);
    const ready = await pollPalette(page, (s) => isActiveRow(s, title, typed), ACTIVE_ROW_TIMEOUT_MS);
    last = ready.state;
    if (ready.ok) {
      // Pressed on the box itself: if the focus moved in the last instant, Playwright puts it back.
      await page.locator('.quick-input-widget .quick-input-box input').press('Enter');
      if (await options.landed()) return { attempts: attempt };
      last = await paletteState(page);
      // The palette still shows the typed command: Enter never reached it, the command did not run.
      // Otherwise it may have run, and only a command that merely opens its own picker is rerun.
      if (last.value !== typed && !options.rerunnable) throw new Error(`"${title}" was selected but its result never showed (palette state ${JSON.stringify(last)})`);
    }
    console.log(`      quick access: "${title}" was not selected on attempt ${attempt} (${JSON.stringify(last)}), retrying`);
    await closeQuickInput(page);
    if (attempt >= SELECT_ATTEMPTS && Date.now() >= deadline) {
      throw new Error(`could not select "${title}" in the command palette after ${attempt} attempts (last state ${JSON.stringify(last)})`);
    }
  }
}

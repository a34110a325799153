/**
 * Polls until a condition holds. For extension-host tests: many workbench effects (a tab opening
 * after a command, a setting reaching the extension) arrive asynchronously in the extension host,
 * after the command's promise resolved. Plain Node, no vscode import, usable anywhere.
 */

/** Fast enough that waiting costs ~nothing, slow enough not to busy the 2-core CI machine. */
const POLL_INTERVAL_MS = 25;
const DEFAULT_TIMEOUT_MS = 5_000;

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  description: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

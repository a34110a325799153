/**
 * Answers the quick picks a command shows, from the extension host, without sleeping: a quick
 * pick opens some time after its command started (often after an HTTP round trip), and a
 * `workbench.action.*QuickOpen*` command sent before it is shown does nothing, so the answer is
 * repeated until the command has finished. Each repeat answers whichever pick is showing, so a
 * command with several picks in a row (choose a model, then an action) gets each one answered.
 */
import * as vscode from 'vscode';
import { waitFor } from '../../harness/waitFor';

export type QuickPickAnswer = 'workbench.action.closeQuickOpen' | 'workbench.action.acceptSelectedQuickOpenItem';

export async function runAnsweringQuickPicks<T>(command: string, answer: QuickPickAnswer, ...args: unknown[]): Promise<T> {
  let done = false;
  const result = Promise.resolve(vscode.commands.executeCommand<T>(command, ...args)).finally(() => (done = true));
  await waitFor(async () => {
    if (done) return true;
    await vscode.commands.executeCommand(answer);
    return done;
  }, `${command} to finish after ${answer}`);
  return result;
}

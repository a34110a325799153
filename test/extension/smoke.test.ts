/**
 * First extension-host suite: Switchyard loads in a real VS Code, its command opens the panel,
 * and its status bar item is shown and wired to a command. Runs inside the extension host (see index.ts).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../harness/waitFor';

const EXTENSION_ID = 'switchyard-dev.switchyard';
const PANEL_VIEW_TYPE = 'switchyard.panel';

function switchyardWebviewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    // VS Code prefixes webview view types internally ("mainThreadWebview-…"), hence endsWith.
    .filter((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(PANEL_VIEW_TYPE));
}

describe('Switchyard in the extension host', () => {
  it('is installed from the development path and activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers switchyard.openPanel', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('switchyard.openPanel'));
  });

  it('opens exactly one webview panel, also when the command runs twice', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(switchyardWebviewTabs().length, 0);
    await vscode.commands.executeCommand('switchyard.openPanel');
    await waitFor(() => switchyardWebviewTabs().length === 1, 'the Switchyard panel tab');
    await vscode.commands.executeCommand('switchyard.openPanel');
    // A round trip through the workbench: tab events of anything the second run opened arrive
    // before the answer to a later command (the extension host's RPC channel is ordered).
    await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
    const tabs = switchyardWebviewTabs();
    assert.equal(tabs.length, 1, 'the second run should reveal the panel, not open another');
    assert.equal(tabs[0]?.label, 'Switchyard');
  });

  it('shows its status bar item, bound to one of its registered commands', async () => {
    const api = vscode.extensions.getExtension(EXTENSION_ID)?.exports as
      | { statusBarItem?: vscode.StatusBarItem }
      | undefined;
    const item = api?.statusBarItem;
    assert.ok(item, 'activate() should return { statusBarItem } (SwitchyardExtensionApi) for tests');
    assert.equal(item.id, 'switchyard.status');
    assert.match(item.text, /\S/, 'the item shows some text');
    const command = typeof item.command === 'string' ? item.command : item.command?.command;
    assert.ok(command, 'clicking the item should run a command');
    assert.ok(command.startsWith('switchyard.'), `clicking runs a Switchyard command, not ${command}`);
    assert.ok((await vscode.commands.getCommands(true)).includes(command), `${command} is registered`);
  });
});

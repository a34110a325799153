/**
 * A setting that fails closed, in a real VS Code: while the user's global daily cap cannot be
 * read, the panel refuses cloud calls with the setting's name and an "Open Setting" button, and
 * local answers go on. And a rejected key still gets its "Set API Key" button (the core's typed
 * fix, not its prose).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../harness/waitFor';
import { CLOUD_MODEL, GROQ_KEY, chatRequests, settings, startSwitchyardEnv, type SwitchyardEnv } from './support/switchyardEnv';

describe('Switchyard settings that fail closed (extension host)', function () {
  this.timeout(30_000);
  let env: SwitchyardEnv;

  before(async () => {
    env = await startSwitchyardEnv();
  });
  after(async () => {
    await settings().update('budget.globalDailyLimit', undefined, vscode.ConfigurationTarget.Global).then(undefined, () => undefined);
    await env?.close();
  });

  it('an unreadable budget cap refuses cloud calls with "Open Setting"; local answers go on', async () => {
    await settings().update('budget.globalDailyLimit', -1, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.api.services.config().refuseCloud !== undefined, 'the extension to read the invalid cap');
    const cloudBefore = chatRequests(env.groq).length;

    const refused: any = await env.api.session.ask({ prompt: 'hello cloud', pinned: `groq/${CLOUD_MODEL}` });
    assert.equal(refused.error?.kind, 'config_invalid', JSON.stringify(refused.error));
    assert.match(refused.error.message, /switchyard\.budget\.globalDailyLimit/);
    assert.deepEqual(refused.error.actions, [{ label: 'Open Setting', command: 'switchyard.openSettings', setting: 'switchyard.budget.globalDailyLimit' }]);
    assert.equal(chatRequests(env.groq).length, cloudBefore, 'nothing was sent to the cloud');

    const local: any = await env.api.session.ask({ prompt: 'hello local' });
    assert.equal(local.error, undefined, JSON.stringify(local.error));
    assert.equal(local.answers.at(-1).locality, 'local');
    assert.equal(chatRequests(env.groq).length, cloudBefore);

    // The button opens the Settings UI (at that setting).
    await vscode.commands.executeCommand(refused.error.actions[0].command, refused.error.actions[0].setting);
    await waitFor(() => /settings/i.test(vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? ''), 'the Settings editor to open');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');

    await settings().update('budget.globalDailyLimit', undefined, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.api.services.config().refuseCloud === undefined, 'the fixed setting to be read');
    const fixed: any = await env.api.session.ask({ prompt: 'hello cloud', pinned: `groq/${CLOUD_MODEL}` });
    assert.equal(fixed.error, undefined, JSON.stringify(fixed.error));
    assert.equal(chatRequests(env.groq).length, cloudBefore + 1);
  });

  it('a rejected key still offers Set API Key', async () => {
    await env.api.services.keys.setKey('groq', env.groqOrigin, 'gsk_wrong_key_0000000000');
    try {
      const turn: any = await env.api.session.ask({ prompt: 'hello cloud', pinned: `groq/${CLOUD_MODEL}` });
      assert.equal(turn.error?.kind, 'auth', JSON.stringify(turn.error));
      assert.equal(turn.error.actions[0].command, 'switchyard.setApiKey');
      assert.doesNotMatch(turn.error.message, /Switchyard: Set API Key/);
    } finally {
      await env.api.services.keys.setKey('groq', env.groqOrigin, GROQ_KEY);
    }
  });
});

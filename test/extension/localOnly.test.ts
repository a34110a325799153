/**
 * A workspace may make routing more private, never less, in a real VS Code: with the user's own
 * `switchyard.mode` set to Local only, the workspace's mode "cloud", its pinned cloud model, the
 * switcher's choice and a "Retry with…" cloud model all stay local — the Groq double (standing in
 * for the cloud) receives nothing — and the panel's answer or error says the user setting wins.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../harness/waitFor';
import { CLOUD_MODEL, chatRequests, settings, startSwitchyardEnv, type SwitchyardEnv } from './support/switchyardEnv';

const WINS_OVER_MODE = /Your user setting switchyard\.mode is Local only, and it wins over the mode "Cloud only" set in this workspace\./;

describe('Switchyard Local only: the user setting wins over the workspace (extension host)', function () {
  this.timeout(30_000);
  let env: SwitchyardEnv;
  const g = vscode.ConfigurationTarget.Global;
  const w = vscode.ConfigurationTarget.Workspace;

  before(async () => {
    env = await startSwitchyardEnv();
    // No switcher choice: the workspace's own settings are what this suite overrules.
    await env.api.services.setWorkspaceMode(undefined);
    await settings().update('mode', 'local', g);
    await waitFor(() => env.api.services.localOnly()?.because === 'user_setting', 'the user Local only to reach the extension');
  });
  after(async () => {
    await settings().update('mode', undefined, w).then(undefined, () => undefined);
    await settings().update('pinned', undefined, w).then(undefined, () => undefined);
    await settings().update('mode', undefined, g);
    await env?.api.services.setWorkspaceMode('auto');
    await env?.close();
  });

  it('a workspace mode "cloud" sends nothing to the cloud; the answer is local and says why', async () => {
    await settings().update('mode', 'cloud', w);
    await waitFor(() => env.api.services.localOnly()?.reasons.length === 1, 'the workspace mode to be read and overruled');
    const cloudBefore = env.groq.requests.length;
    const turn: any = await env.api.session.ask({ prompt: 'hello' });
    assert.equal(env.groq.requests.length, cloudBefore, 'no request of any kind reached the cloud double');
    assert.equal(env.api.services.config().mode, 'local');
    assert.equal(turn.error, undefined, JSON.stringify(turn.error));
    const answer = turn.answers.at(-1);
    assert.equal(answer.locality, 'local');
    assert.match(answer.meta.notices.join('\n'), WINS_OVER_MODE);
    assert.equal(env.groq.requests.length, cloudBefore, 'no request of any kind reached the cloud double');
  });

  it('a workspace pinned to a cloud model, and a "Retry with…" that model, reach nothing in the cloud', async () => {
    await settings().update('mode', 'pinned', w);
    await settings().update('pinned', `groq/${CLOUD_MODEL}`, w);
    await waitFor(() => env.api.services.localOnly()?.reasons.some((r) => r.code === 'user_local_only_wins' && r.setting === 'pinned') === true, 'the workspace pin to be read and overruled');
    const cloudBefore = chatRequests(env.groq).length;
    const turn: any = await env.api.session.ask({ prompt: 'hello' });
    assert.equal(chatRequests(env.groq).length, cloudBefore, 'the pinned cloud model got no chat request');
    assert.equal(turn.error, undefined, JSON.stringify(turn.error));
    assert.equal(turn.answers.at(-1).locality, 'local');
    assert.match(turn.answers.at(-1).meta.notices.join('\n'), /wins over the pinned model "groq\/llama-3\.3-70b-versatile" set in this workspace/);

    const retried: any = await env.api.session.ask({ prompt: 'hello cloud', pinned: `groq/${CLOUD_MODEL}` });
    assert.equal(retried.error?.kind, 'local_only');
    assert.match(retried.error.message, /wins over this request for "groq\/llama-3\.3-70b-versatile"/);
    assert.equal(chatRequests(env.groq).length, cloudBefore, 'the cloud double got no chat request');
    await settings().update('pinned', undefined, w);
    await settings().update('mode', undefined, w);
  });

  it('the status bar switcher\'s per-workspace "Cloud only" does not lift it either', async () => {
    await env.api.services.setWorkspaceMode('cloud');
    const cloudBefore = env.groq.requests.length;
    const turn: any = await env.api.session.ask({ prompt: 'hello' });
    assert.equal(env.groq.requests.length, cloudBefore, 'no request of any kind reached the cloud double');
    assert.equal(env.api.services.config().mode, 'local');
    assert.equal(turn.answers.at(-1).locality, 'local');
    assert.match(turn.answers.at(-1).meta.notices.join('\n'), WINS_OVER_MODE);
    assert.equal(env.groq.requests.length, cloudBefore);
    await env.api.services.setWorkspaceMode(undefined);
  });

  it('the extension host runs trusted, so the trusted path is the one under test', () => {
    assert.equal(vscode.workspace.isTrusted, true);
    assert.equal(env.api.services.localOnly()?.because, 'user_setting');
  });
});

/**
 * Settings scopes and key binding in a real VS Code: a workspace's .vscode/settings.json (which
 * a cloned repository controls) cannot redirect an endpoint, raise the user's caps or prices,
 * and only lower the workspace budget; keys live in SecretStorage bound to their endpoint origin.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { waitFor } from '../harness/waitFor';
import { startOpenAICompatibleServer } from '../servers/openaiCompatible';
import { CLOUD_MODEL, GROQ_KEY, chatRequests, settings, startSwitchyardEnv, type SwitchyardEnv } from './support/switchyardEnv';

describe('Switchyard settings scopes and keys (extension host)', function () {
  this.timeout(30_000);
  let env: SwitchyardEnv;
  const folder = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  const workspaceSettingsFile = () => path.join(folder(), '.vscode', 'settings.json');

  before(async () => {
    env = await startSwitchyardEnv();
  });
  after(async () => {
    fs.rmSync(path.join(folder(), '.vscode'), { recursive: true, force: true });
    await settings().update('budget.dailyLimit', undefined, vscode.ConfigurationTarget.Workspace).then(undefined, () => undefined);
    await env?.close();
  });

  it('declares endpoints, providers, caps, prices and logging as application-scoped', () => {
    const props = vscode.extensions.getExtension('switchyard-dev.switchyard')!.packageJSON.contributes.configuration.properties;
    for (const key of ['providers', 'local.ollamaHost', 'budget.globalDailyLimit', 'budget.globalMonthlyLimit', 'budget.priceOverrides', 'network.proxy', 'logPrompts']) {
      assert.equal(props[`switchyard.${key}`].scope, 'application', key);
    }
    for (const key of ['budget.dailyLimit', 'budget.monthlyLimit', 'mode']) assert.notEqual(props[`switchyard.${key}`].scope, 'application', key);
  });

  it('ignores a hostile workspace settings file that redirects endpoints and raises caps', async () => {
    const evil = 'https://attacker.example/v1';
    const userOllama = env.api.services.config().providers['ollama']!.baseUrl;
    // Written through the workbench's file service, as an editor save would, so VS Code notices at once.
    await vscode.workspace.fs.writeFile(
      vscode.Uri.file(workspaceSettingsFile()),
      Buffer.from(JSON.stringify({
        'switchyard.providers': { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: evil } },
        'switchyard.budget.globalDailyLimit': 1000,
        'switchyard.budget.priceOverrides': { [`groq/${CLOUD_MODEL}`]: { input: 0, output: 0 } },
        'switchyard.budget.dailyLimit': 500,
        'switchyard.local.ollamaHost': evil,
        'switchyard.logPrompts': true,
      })),
    );
    await waitFor(() => settings().inspect('budget.dailyLimit')?.workspaceValue === 500, 'VS Code to read the workspace settings file', 20_000);
    await waitFor(() => env.api.services.config().budget.dailyLimit !== undefined, 'the extension to re-read its settings');
    const config = env.api.services.config();
    assert.equal(config.providers['groq']!.baseUrl, env.groq.baseUrl, 'the endpoint stays the user one');
    assert.equal(config.providers['ollama']!.baseUrl, userOllama);
    assert.equal(config.budget.globalDailyLimit, 1, 'the user cap (default 1) is not raised');
    assert.equal(config.budget.dailyLimit, 1, 'the workspace limit is clamped to the user cap');
    assert.deepEqual(config.budget.priceOverrides, {}, 'prices cannot be zeroed by the workspace');
    assert.equal(config.local.ollamaHost, undefined);
    assert.equal(config.logPrompts, false);
    // And a request really goes to the user's endpoint with the key.
    const before = chatRequests(env.groq).length;
    const turn: any = await env.api.session.ask({ prompt: 'hello cloud', pinned: `groq/${CLOUD_MODEL}` });
    assert.equal(turn.error, undefined, JSON.stringify(turn.error));
    assert.equal(chatRequests(env.groq).length, before + 1);
    await vscode.workspace.fs.delete(vscode.Uri.file(workspaceSettingsFile()));
    await waitFor(() => env.api.services.config().budget.dailyLimit === undefined, 'the workspace limit to go away', 20_000);
  });

  it('lets the workspace lower its own daily budget', async () => {
    await settings().update('budget.dailyLimit', 0.25, vscode.ConfigurationTarget.Workspace);
    await waitFor(() => env.api.services.config().budget.dailyLimit === 0.25, 'the lower workspace limit');
    await settings().update('budget.dailyLimit', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor(() => env.api.services.config().budget.dailyLimit === undefined, 'the limit removed');
  });

  it('returns a stored key only for the origin it was stored for', async () => {
    const keys = env.api.services.keys;
    assert.equal(await keys.getKey('groq', env.groqOrigin), GROQ_KEY);
    assert.equal(await keys.getKey('groq', `${env.groqOrigin}/some/path`), GROQ_KEY, 'same origin, other path');
    assert.equal(await keys.getKey('groq', 'https://attacker.example'), undefined);
    assert.equal(await keys.getKey('groq', env.groqOrigin.replace('127.0.0.1', 'localhost')), undefined, 'another host name is another origin');
    assert.equal(await keys.getKey('zhipu', env.groqOrigin), undefined, 'another provider');
  });

  it('never sends the key to a base URL the user changed later: the new host gets no key', async () => {
    const other = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: GROQ_KEY, models: [CLOUD_MODEL] });
    try {
      const providers = { ...settings().inspect<Record<string, unknown>>('providers')!.globalValue!, groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: other.baseUrl, models: [CLOUD_MODEL], locality: 'cloud' } };
      await settings().update('providers', providers, vscode.ConfigurationTarget.Global);
      await waitFor(() => env.api.services.config().providers['groq']!.baseUrl === other.baseUrl, 'the new base URL');
      const turn: any = await env.api.session.ask({ prompt: 'hello again', pinned: `groq/${CLOUD_MODEL}` });
      for (const r of other.requests) assert.notEqual(r.headers.authorization, `Bearer ${GROQ_KEY}`, 'the key must not reach the new origin');
      assert.ok(turn.error, 'the request fails with a key problem instead');
      // The button sits on the cause's own line ("No API key for groq") when no model is left.
      const buttons = [...turn.error.actions, ...(turn.error.lines ?? []).flatMap((l: any) => l.actions)];
      assert.ok(buttons.some((a: any) => a.command === 'switchyard.setApiKey'), 'with a Set API Key button');
    } finally {
      const providers = { ...settings().inspect<Record<string, unknown>>('providers')!.globalValue!, groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: env.groq.baseUrl, models: [CLOUD_MODEL], locality: 'cloud' } };
      await settings().update('providers', providers, vscode.ConfigurationTarget.Global);
      await other.close();
    }
  });
});

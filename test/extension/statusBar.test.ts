/**
 * The status bar item in a real VS Code: mode or pinned provider, today's spend against the cap,
 * warning colour near the cap and error colour at it (driven by real, expensive-priced requests
 * to the Groq double), and the budget-reached state in the conversation with its fixing buttons.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../harness/waitFor';
import { CLOUD_MODEL, settings, startSwitchyardEnv, type SwitchyardEnv } from './support/switchyardEnv';

describe('Switchyard status bar (extension host)', function () {
  this.timeout(40_000);
  let env: SwitchyardEnv;
  const item = () => env.api.statusBarItem;
  const g = vscode.ConfigurationTarget.Global;

  before(async () => {
    env = await startSwitchyardEnv();
  });
  after(async () => {
    await env.api.services.setWorkspaceMode('auto');
    await env?.close();
  });

  it('shows the mode, and clicking it opens the switcher', async () => {
    await env.api.statusBar.refresh();
    assert.match(item().text, /Auto/);
    assert.equal((item().command as string | undefined) ?? '', 'switchyard.switchMode');
  });

  it('shows Local only / Cloud only / the pinned provider chosen for this workspace', async () => {
    await env.api.services.setWorkspaceMode('local');
    await waitFor(() => /Local only/.test(item().text), 'Local only');
    assert.match(item().text, /\$\(lock\)/);
    await env.api.services.setWorkspaceMode('pinned', `groq/${CLOUD_MODEL}`);
    await waitFor(() => item().text.includes(`groq/${CLOUD_MODEL}`), 'the pinned model');
    assert.equal(env.api.services.config().mode, 'pinned');
    await env.api.services.setWorkspaceMode('cloud');
    await waitFor(() => /Cloud only/.test(item().text), 'Cloud only');
    await env.api.services.setWorkspaceMode('auto');
    await waitFor(() => /Auto/.test(item().text), 'Auto again');
  });

  it('Local only mode never calls the cloud, even when asked to escalate', async () => {
    await env.api.services.setWorkspaceMode('local');
    const before = env.groq.requests.length;
    await vscode.commands.executeCommand('switchyard.ask', 'Say hello');
    const turn: any = await vscode.commands.executeCommand('switchyard.escalateLast');
    assert.equal(env.groq.requests.length, before, 'no request reached the cloud double');
    assert.ok(turn.error, 'escalation is refused with an error state');
    await env.api.services.setWorkspaceMode('auto');
  });

  it('turns warning-coloured near the daily cap and error-coloured at it; then the budget state has fixing buttons', async () => {
    const cost = env.api.services.cost();
    const spentBefore = (await cost.summary(env.api.services.workspaceId)).today.spent;
    // Price the cloud model so that one 10,000-token prompt costs $1 (user setting: workspace cannot do this).
    await settings().update('budget.priceOverrides', { [`groq/${CLOUD_MODEL}`]: { input: 100, output: 100 } }, g);
    // A cap with room for the first request's worst case, which then brings spend to ~85 %.
    const cap = spentBefore + 1.2;
    await settings().update('budget.globalDailyLimit', cap, g);
    await waitFor(() => env.api.services.config().budget.globalDailyLimit === cap, 'the cap');
    env.groq.setReply({ text: 'ok', promptTokens: 10_000 });
    const first: any = await env.api.session.ask({ prompt: 'expensive', pinned: `groq/${CLOUD_MODEL}` });
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    await env.api.statusBar.refresh();
    assert.equal(env.api.statusBar.level, 'near', `spent ${(await cost.summary(env.api.services.workspaceId)).today.spent} of ${cap}`);
    assert.deepEqual(item().backgroundColor, new vscode.ThemeColor('statusBarItem.warningBackground'));

    // Lower the cap below what is spent: reached.
    await settings().update('budget.globalDailyLimit', spentBefore + 0.9, g);
    await waitFor(() => env.api.services.config().budget.globalDailyLimit === spentBefore + 0.9, 'the lower cap');
    await env.api.statusBar.refresh();
    assert.equal(env.api.statusBar.level, 'reached');
    assert.deepEqual(item().backgroundColor, new vscode.ThemeColor('statusBarItem.errorBackground'));

    const before = env.groq.requests.length;
    const refused: any = await env.api.session.ask({ prompt: 'one more', pinned: `groq/${CLOUD_MODEL}` });
    assert.equal(env.groq.requests.length, before, 'nothing was sent past the budget');
    assert.equal(refused.error?.kind, 'budget', JSON.stringify(refused.error));
    assert.deepEqual(
      refused.error.actions.map((a: any) => a.command).slice(0, 2),
      ['switchyard.setBudget', 'switchyard.showUsage'],
    );
    const tooltip = item().tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /Budget reached/);
    env.groq.setReply({ text: 'Hello from the cloud model.' });
  });

  it('says the last request\'s model in the tooltip', async () => {
    await settings().update('budget.globalDailyLimit', undefined, g);
    await settings().update('budget.priceOverrides', undefined, g);
    await vscode.commands.executeCommand('switchyard.ask', 'Say hello');
    await env.api.statusBar.refresh();
    const tooltip = item().tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /ollama\/qwen2\\?\.5:7b/);
  });

  it('says in the tooltip when the preferred (pinned) provider is not healthy in the machine\'s reliability state', async () => {
    await env.api.services.setWorkspaceMode('pinned', `groq/${CLOUD_MODEL}`);
    const guard = env.api.services.reliability().reliability;
    // An answer refused for its key, as the router would settle it: groq needs a key now.
    const admission = guard.admit({ ref: { provider: 'groq', model: CLOUD_MODEL }, locality: 'cloud' }, 100);
    assert.ok(admission.ok);
    guard.settle(admission.lease, { ok: false, error: { kind: 'auth', message: 'Groq rejected the API key (401).', retryable: false, status: 401 } });
    await env.api.statusBar.refresh();
    assert.match((item().tooltip as vscode.MarkdownString).value, /Preferred provider groq is needs key/);
    guard.resetProvider('groq');
    await env.api.statusBar.refresh();
    // Set API Key / Remove API Key call this: the key mark is gone (earlier files' groq errors may still leave it degraded).
    assert.doesNotMatch((item().tooltip as vscode.MarkdownString).value, /needs key/);
    await env.api.services.setWorkspaceMode('auto');
  });
});

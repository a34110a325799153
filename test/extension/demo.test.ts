/**
 * Demo mode in a real VS Code (issue 16 point 3): with real providers configured (the Ollama and
 * Groq doubles), prompts go to them until the user runs "Switchyard: Try the Demo"; then the
 * next prompt is answered by the demo local model with the demo label, the hard sample escalates
 * to the demo cloud model with a cost, the status bar and usage report say demo, and the real
 * ledger's spend does not move. "Leave the Demo" gives the real providers back.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../harness/waitFor';
import { DEMO_CLOUD_MODEL, DEMO_CLOUD_PROVIDER, DEMO_LOCAL_MODEL, DEMO_LOCAL_PROVIDER } from '../../src/core/demo';
import { startSwitchyardEnv, type SwitchyardEnv } from './support/switchyardEnv';

describe('Switchyard demo mode (extension host)', function () {
  this.timeout(40_000);
  let env: SwitchyardEnv;

  before(async () => {
    env = await startSwitchyardEnv();
  });
  after(async () => {
    await vscode.commands.executeCommand('switchyard.stopDemo');
    await env?.close();
  });

  it('is not used while real providers are there, until Try the Demo; then answers and escalates as demo, off the real ledger', async () => {
    const services = env.api.services;
    const real: any = await env.api.session.ask({ prompt: 'Say hello' });
    assert.equal(real.answers.at(-1).provider, 'ollama', 'a real provider answers before the demo is picked');
    const realSpent = (await services.cost().summary(services.workspaceId)).globalToday.spent;
    const ollamaCalls = env.ollama.requests.length;
    const groqCalls = env.groq.requests.length;

    const easy: any = await vscode.commands.executeCommand('switchyard.tryDemo', 'easy');
    const easyAnswer = easy.turn.answers.at(-1);
    assert.equal(easyAnswer.provider, DEMO_LOCAL_PROVIDER);
    assert.equal(easyAnswer.model, DEMO_LOCAL_MODEL);
    assert.equal(easyAnswer.locality, 'local');
    assert.match(easyAnswer.text, /^\[demo\]/);
    assert.ok(easyAnswer.meta.notices.some((n: string) => /^demo: /.test(n)), JSON.stringify(easyAnswer.meta.notices));
    await env.api.statusBar.refresh();
    assert.match(env.api.statusBarItem.text, /Demo/);

    const hard: any = await vscode.commands.executeCommand('switchyard.tryDemo', 'hard');
    assert.equal(hard.turn.error, undefined, JSON.stringify(hard.turn.error));
    const final = hard.turn.answers.at(-1);
    assert.equal(final.provider, DEMO_CLOUD_PROVIDER);
    assert.equal(final.model, DEMO_CLOUD_MODEL);
    assert.ok(final.meta.costTotal > 0, `the escalation has a cost: ${JSON.stringify(final.meta)}`);
    assert.ok(final.meta.notices.some((n: string) => /^demo: /.test(n)));
    assert.ok(hard.turn.answers.some((a: any) => a.provider === DEMO_LOCAL_PROVIDER && a.status === 'escalated'), 'the local demo answer was escalated');
    assert.ok((await services.cost().summary(services.workspaceId)).today.spent > 0, 'the demo ledger has the demo spend');

    const report = await vscode.commands.executeCommand<vscode.TextDocument>('switchyard.showUsage');
    assert.match(report.getText(), /DEMO/);
    assert.match(report.getText(), /demo-cloud\/demo\/cloud-large/);

    assert.equal(env.ollama.requests.length, ollamaCalls, 'the real local provider got nothing in demo mode');
    assert.equal(env.groq.requests.length, groqCalls, 'the real cloud provider got nothing in demo mode');

    await vscode.commands.executeCommand('switchyard.stopDemo');
    await waitFor(() => services.demo() === undefined, 'demo off');
    assert.equal((await services.cost().summary(services.workspaceId)).globalToday.spent, realSpent, 'the real budget did not move');
    const after: any = await env.api.session.ask({ prompt: 'Say hello' });
    assert.equal(after.answers.at(-1).provider, 'ollama', 'real providers again after Leave the Demo');
    await env.api.statusBar.refresh();
    assert.doesNotMatch(env.api.statusBarItem.text, /Demo/);
  });
});

/**
 * Every Switchyard palette command in a real extension host, against the local test servers:
 * each is registered with a "Switchyard" category title, the ask commands route with the right
 * task and stream an answer into the conversation, Stop closes the socket, Continue/Escalate build
 * on the last answer, and the key/usage/log/conversation commands do what they say.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../harness/waitFor';
import { runAnsweringQuickPicks } from './support/quickPick';
import { CLOUD_MODEL, GROQ_KEY, LOCAL_MODEL, chatRequests, startSwitchyardEnv, type SwitchyardEnv } from './support/switchyardEnv';

describe('Switchyard commands (extension host)', function () {
  this.timeout(30_000);
  let env: SwitchyardEnv;

  before(async () => {
    env = await startSwitchyardEnv();
  });
  after(async () => {
    await env?.close();
  });
  beforeEach(async () => {
    await vscode.commands.executeCommand('switchyard.newConversation');
    env.ollama.setReply({ text: 'Hello from the local model.' });
  });

  it('registers every contributed command, each titled in the Switchyard category', async () => {
    const pkg = vscode.extensions.getExtension('switchyard-dev.switchyard')!.packageJSON;
    const registered = await vscode.commands.getCommands(true);
    const contributed = pkg.contributes.commands as { command: string; category: string; title: string }[];
    assert.ok(contributed.length >= 16);
    for (const c of contributed) {
      assert.ok(registered.includes(c.command), `${c.command} is registered`);
      assert.equal(c.category, 'Switchyard', c.command);
      // VS Code has already replaced the %key% placeholders from package.nls*.json here.
      assert.ok(c.title && !c.title.includes('%'), `${c.command} has a resolved, localized title: ${c.title}`);
    }
    const menus = pkg.contributes.menus['editor/context'] as { command: string; when: string }[];
    assert.deepEqual(
      menus.map((m) => m.command).sort(),
      ['switchyard.askSelection', 'switchyard.explain', 'switchyard.fix', 'switchyard.writeTests'],
    );
  });

  it('Make Provider Primary: the chosen provider answers first (ahead of local), kept in the shared state dir; No primary restores local first', async () => {
    const file = require('node:path').join(process.env.SWITCHYARD_STATE_DIR!, 'primary.json');
    try {
      const set: any = await vscode.commands.executeCommand('switchyard.makePrimary', 'groq');
      assert.deepEqual(set, { primary: 'groq' });
      assert.equal(JSON.parse(require('node:fs').readFileSync(file, 'utf8')).provider, 'groq', 'every window and the CLI read this file');
      const turn: any = await vscode.commands.executeCommand('switchyard.ask', 'Say hello to me');
      assert.equal(turn.answers.at(-1).provider, 'groq', JSON.stringify(turn.error));
    } finally {
      await vscode.commands.executeCommand('switchyard.makePrimary', '');
    }
    assert.equal(require('node:fs').existsSync(file), false);
    const turn: any = await vscode.commands.executeCommand('switchyard.ask', 'Say hello to me');
    assert.equal(turn.answers.at(-1).provider, 'ollama');
  });

  it('Ask streams the local answer into the panel conversation with its metadata', async () => {
    const before = chatRequests(env.ollama).length;
    const turn: any = await vscode.commands.executeCommand('switchyard.ask', 'Say hello to me');
    assert.ok(turn, 'the command resolves with the turn');
    assert.equal(turn.done, true);
    assert.equal(turn.error, undefined, JSON.stringify(turn.error));
    const answer = turn.answers.at(-1);
    assert.equal(answer.provider, 'ollama');
    assert.equal(answer.model, LOCAL_MODEL);
    assert.equal(answer.locality, 'local');
    assert.equal(answer.status, 'done');
    assert.equal(answer.text, 'Hello from the local model.');
    assert.ok(answer.meta.outputTokens > 0, 'tokens are shown');
    assert.ok(answer.meta.ttftMs !== undefined, 'time to first token is shown');
    assert.ok(answer.meta.task, 'the task is shown');
    assert.equal(chatRequests(env.ollama).length, before + 1);
    assert.ok(env.api.panel(), 'the panel is open');
    assert.equal(env.api.session.store.last(), turn, 'the turn is in the workspace conversation');
  });

  for (const command of ['switchyard.explain', 'switchyard.fix', 'switchyard.writeTests', 'switchyard.askSelection']) {
    it(`${command} sends the selection as a code task`, async () => {
      const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'def add(a, b):\n    return a - b\n' });
      const editor = await vscode.window.showTextDocument(doc);
      editor.selection = new vscode.Selection(0, 0, 1, 16);
      const before = chatRequests(env.ollama).length;
      const turn: any = await vscode.commands.executeCommand(command, command === 'switchyard.askSelection' ? 'Is this right?' : undefined);
      assert.ok(turn, `${command} ran`);
      assert.equal(turn.answers.at(-1).meta.task, 'code');
      const sent = chatRequests(env.ollama).slice(before);
      assert.equal(sent.length, 1);
      const userMessage = sent[0]!.body.messages.at(-1).content as string;
      assert.match(userMessage, /```python\ndef add\(a, b\):\n    return a - b\n```/);
      if (command === 'switchyard.askSelection') assert.match(userMessage, /^Is this right\?/);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });
  }

  it('Continue Last Answer sends the earlier exchange as context', async () => {
    await vscode.commands.executeCommand('switchyard.ask', 'Tell me a story');
    const before = chatRequests(env.ollama).length;
    await vscode.commands.executeCommand('switchyard.continueLast');
    const sent = chatRequests(env.ollama).slice(before)[0]!;
    const roles = (sent.body.messages as { role: string; content: string }[]).filter((m) => m.role !== 'system');
    assert.deepEqual(roles.map((m) => m.role), ['user', 'assistant', 'user']);
    assert.equal(roles[0]!.content, 'Tell me a story');
    assert.equal(roles[1]!.content, 'Hello from the local model.');
    assert.match(roles[2]!.content, /^Continue/);
  });

  it('Escalate Last Answer asks the cloud model, keeping the local answer collapsed with the reason', async () => {
    await vscode.commands.executeCommand('switchyard.ask', 'Say hello to me');
    const before = chatRequests(env.groq).length;
    const turn: any = await vscode.commands.executeCommand('switchyard.escalateLast');
    assert.equal(turn.error, undefined, JSON.stringify(turn.error));
    assert.equal(turn.answers.length, 2);
    assert.equal(turn.answers[0].status, 'escalated');
    assert.ok(turn.answers[0].meta.supersededBecause, 'the local answer says why it was superseded');
    const cloud = turn.answers[1];
    assert.equal(cloud.provider, 'groq');
    assert.equal(cloud.model, CLOUD_MODEL);
    assert.equal(cloud.text, 'Hello from the cloud model.');
    assert.ok(cloud.meta.costTotal > 0, 'the cloud answer has a cost');
    const sent = chatRequests(env.groq).slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.headers.authorization, 'Bearer gsk_test_key_0123456789', 'the stored key went to its own origin');
  });

  it('escalates automatically when the local model says UNCERTAIN, and streams the cloud answer after it', async () => {
    env.ollama.setReply({ text: 'UNCERTAIN' });
    const turn: any = await vscode.commands.executeCommand('switchyard.ask', 'Say hello to me please');
    assert.deepEqual(turn.answers.map((a: any) => [a.provider, a.status]), [['ollama', 'escalated'], ['groq', 'done']]);
    assert.match(turn.answers[1].meta.escalationReason, /marker/);
  });

  it('Stop cancels mid-stream and closes the connection to the model', async () => {
    const words = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    env.ollama.setReply({ text: words, chunking: { delayMs: 20 } });
    const index = env.ollama.requests.length;
    const running = vscode.commands.executeCommand('switchyard.ask', 'Write a very long text') as Thenable<any>;
    await waitFor(() => (env.api.session.turns.at(-1)?.answers[0]?.text.length ?? 0) > 20, 'the first tokens');
    assert.equal(env.api.session.streaming, true);
    await vscode.commands.executeCommand('switchyard.stop');
    const turn = await running;
    assert.equal(env.api.session.streaming, false);
    assert.equal(turn.answers[0].status, 'cancelled');
    assert.ok(turn.answers[0].text.length < words.length, 'the answer stopped part-way');
    const chat = env.ollama.requests.slice(index).findIndex((r) => r.path === '/api/chat');
    const settled = await env.ollama.settled(index + chat, 5_000);
    assert.equal(settled.aborted, true, 'the socket was closed by the client');
  });

  it('New Conversation clears the workspace conversation', async () => {
    await vscode.commands.executeCommand('switchyard.ask', 'Say hello to me');
    assert.ok(env.api.session.store.turns.length > 0);
    await vscode.commands.executeCommand('switchyard.newConversation');
    assert.equal(env.api.session.store.turns.length, 0);
  });

  it('Show Usage Report opens a Markdown report of this month with the budget', async () => {
    const doc: vscode.TextDocument = await vscode.commands.executeCommand('switchyard.showUsage');
    assert.equal(doc.languageId, 'markdown');
    const text = doc.getText();
    assert.match(text, /^# Switchyard usage — \d{4}-\d{2}/);
    assert.match(text, new RegExp(`groq/${CLOUD_MODEL.replace(/\./g, '\\.')}`), 'the cloud model used earlier is listed');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Show Provider Status opens a read-only Markdown document of the machine\'s provider status, with the provider just used', async () => {
    const sy = await env.api.services.switchyard();
    for await (const ev of sy.stream({ messages: [{ role: 'user', content: 'hi' }], mode: 'pinned', pinned: `groq/${CLOUD_MODEL}`, workspaceId: 'status-test', signal: new AbortController().signal })) void ev;
    const doc: vscode.TextDocument = await vscode.commands.executeCommand('switchyard.showProviderStatus');
    assert.equal(doc.languageId, 'markdown');
    const text = doc.getText();
    assert.match(text, /^# Switchyard provider status — \d{4}-\d{2}-\d{2}T/);
    assert.match(text, /^\| groq \| healthy \| \d+ ms \/ \d+ ms \|/m, text);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('Show Usage Report marks estimated costs: a cut cloud stream is counted and its cost named', async () => {
    const services = env.api.services;
    const r = await services.cost().reserve({ workspaceId: services.workspaceId, task: 'chat', ref: { provider: 'groq', model: CLOUD_MODEL }, locality: 'cloud', inputTokensEstimate: 100, maxTokens: 500 });
    await r.settle({ finish: 'error', latencyMs: 1, outputText: 'a partial answer cut off by the network' });
    const doc: vscode.TextDocument = await vscode.commands.executeCommand('switchyard.showUsage');
    assert.match(doc.getText(), /\(1 estimated: [^)]*\d[^)]*\)/, 'the estimated record and its cost are shown');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  /**
   * The command wrapper (`register` in src/vscode/commands.ts) catches every error, logs
   * `command.failed` and shows a message, so executeCommand never rejects: "ran without error"
   * is read from the log, and each command's effect is checked.
   */
  function failedCommands(): { commands: string[]; restore(): void } {
    const logger = env.api.services.logger;
    const original = logger.error;
    const commands: string[] = [];
    logger.error = (event: string, fields?: Record<string, unknown>) => {
      if (event === 'command.failed') commands.push(String(fields?.command));
      original.call(logger, event, fields);
    };
    return { commands, restore: () => (logger.error = original) };
  }

  it('Show Log, Open Settings and Open Panel run without error and do what they say', async () => {
    const failed = failedCommands();
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('switchyard.showLog');
      await vscode.commands.executeCommand('switchyard.openSettings');
      await waitFor(() => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label === 'Settings')), 'the Settings editor to open');
      await vscode.commands.executeCommand('switchyard.openPanel');
      await waitFor(() => env.api.panel(), 'the Switchyard panel to open');
      assert.deepEqual(failed.commands, []);
    } finally {
      failed.restore();
    }
  });

  it('Remove API Key with nothing chosen changes nothing; the KeyStore lists no key values', async () => {
    const failed = failedCommands();
    try {
      const before = env.api.services.keys.list();
      assert.deepEqual(before.filter((k) => k.provider === 'groq'), [{ provider: 'groq', origin: env.groqOrigin }]);
      assert.equal(JSON.stringify(before).includes('gsk_'), false);
      const removed = await runAnsweringQuickPicks<unknown>('switchyard.removeApiKey', 'workbench.action.closeQuickOpen');
      assert.equal(removed, undefined);
      assert.deepEqual(env.api.services.keys.list(), before);
      assert.deepEqual(failed.commands, []);
    } finally {
      failed.restore();
    }
  });

  it('Remove API Key removes the chosen key, and only it', async () => {
    const before = env.api.services.keys.list();
    const removed = await runAnsweringQuickPicks<{ provider: string; origin: string }>('switchyard.removeApiKey', 'workbench.action.acceptSelectedQuickOpenItem');
    try {
      assert.ok(removed, 'a key was removed');
      assert.deepEqual(env.api.services.keys.list(), before.filter((k) => !(k.provider === removed.provider && k.origin === removed.origin)));
      assert.equal(env.api.services.keys.list().length, before.length - 1);
    } finally {
      if (removed?.provider === 'groq') await env.api.services.keys.setKey('groq', env.groqOrigin, GROQ_KEY);
    }
  });
});

/**
 * Inline completion in a real extension host, against the Ollama double running inside the
 * host: typing shows ghost text from the local server and accepting it (what Tab runs) inserts
 * it; typing past a stale request aborts it at the socket (the server sees the connection
 * close); a retyped position is answered from the cache without a request.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { waitFor } from '../harness/waitFor';
import { startOllamaServer, type OllamaServer } from '../servers/ollama';
import type { SwitchyardExtensionApi } from '../../src/extension';

const EXTENSION_ID = 'switchyard-dev.switchyard';
const CODER = { name: 'qwen2.5-coder:1.5b', capabilities: ['completion', 'insert'] };

describe('Inline completion (extension host)', function () {
  this.timeout(120_000);
  let server: OllamaServer;
  let api: SwitchyardExtensionApi;
  let editor: vscode.TextEditor;
  const settings = () => vscode.workspace.getConfiguration('switchyard');
  const generates = () => server.requests.filter((r) => r.path === '/api/generate');

  /** Replaces the document with `text` (cursor at the "|" marker) and waits for the editor to show it. */
  async function setText(withBar: string): Promise<void> {
    const text = withBar.replace('|', '');
    const offset = withBar.indexOf('|');
    await editor.edit((b) => b.replace(new vscode.Range(0, 0, editor.document.lineCount, 0), text));
    const pos = editor.document.positionAt(offset);
    editor.selection = new vscode.Selection(pos, pos);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.hide');
  }

  async function type(text: string): Promise<void> {
    for (const ch of text) await vscode.commands.executeCommand('type', { text: ch });
  }

  /** Accepts the ghost text the way Tab does, retrying until one is shown and the document has `expected`. */
  async function acceptUntil(expected: string): Promise<void> {
    await waitFor(
      async () => {
        await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
        await new Promise((r) => setTimeout(r, 100));
        await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
        return editor.document.getText() === expected;
      },
      `the ghost text to be accepted into ${JSON.stringify(expected)}`,
      // The first completion loads the engine and the tokenizer, on a busy 2-core machine.
      40_000,
    ).catch((e: Error) => {
      const stats = JSON.stringify(api.inlineCompletion.engine()?.stats);
      throw new Error(`${e.message}; document ${JSON.stringify(editor.document.getText())}; ${generates().length} generate request(s); engine stats ${stats}`);
    });
  }

  before(async () => {
    server = await startOllamaServer({ models: [CODER] });
    const g = vscode.ConfigurationTarget.Global;
    await settings().update('local.manageOllama', false, g);
    await settings().update('providers', { ollama: { kind: 'ollama', baseUrl: server.url } }, g);
    await settings().update('completion.model', 'ollama/qwen2.5-coder:1.5b', g);
    await waitFor(() => settings().get<{ ollama?: { baseUrl?: string } }>('providers')?.ollama?.baseUrl === server.url, 'the settings to arrive');
    api = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as SwitchyardExtensionApi;
    // Completion warms up (engine loaded) a few seconds after activation. When an earlier suite
    // activated the extension, that warm-up listed another suite's server, so wait for the engine
    // itself, not for a request to this server: the settings change above makes the engine
    // re-list models on the next completion.
    await waitFor(() => api.inlineCompletion.engine() !== undefined, 'the completion warm-up', 90_000);
    const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content: '' });
    editor = await vscode.window.showTextDocument(doc);
  });

  after(async () => {
    const g = vscode.ConfigurationTarget.Global;
    await settings().update('providers', undefined, g);
    await settings().update('completion.model', undefined, g);
    await settings().update('local.manageOllama', undefined, g);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await server.close();
  });

  it('shows ghost text from the local model and accepting it inserts it', async () => {
    server.setReply({ text: ['items', '.length', ';', '\n', 'return', ' n', ';'] });
    await setText('function count(items: string[]) {\n  const n = |\n}\n');
    await type(' ');
    await acceptUntil('function count(items: string[]) {\n  const n =  items.length;\n}\n');
    const req = generates().at(-1)!;
    assert.equal(req.body.model, 'qwen2.5-coder:1.5b');
    assert.ok(String(req.body.prompt).endsWith('const n =  '), 'the prefix ends at the cursor');
    assert.equal(req.body.suffix, '\n}\n');
  });

  it('shows the completion model in its status bar item', () => {
    assert.match(api.inlineCompletion.statusText(), /qwen2\.5-coder:1\.5b/);
  });

  it('aborts the stale request at the socket when typing goes elsewhere', async () => {
    // First token at once, then a slow stream: the prediction is known and the request still open.
    server.setReply({ text: ['zeta', 'Value', '();'], chunking: { delayMs: 3_000 } });
    await setText('let total = |;\n');
    const before = generates().length;
    await type('a');
    const stale = await waitFor(() => {
      const r = generates()[before];
      return r && r.chunksWritten >= 1 ? r : undefined;
    }, 'the request and its first token');
    server.setReply({ text: ['mount'] });
    await type('m'); // "am…" is not what the model predicted ("zeta…")
    const settled = await server.settled(server.requests.indexOf(stale), 5_000);
    assert.equal(settled.aborted, true, 'the server saw the stale request aborted');
    assert.equal(settled.completed, false);
  });

  it('answers a retyped position from the cache, without a request', async () => {
    server.setReply({ text: ['count', ' +', ' 1', ';'] });
    await setText('const next = |\n');
    await type(' ');
    await acceptUntil('const next =  count + 1;\n');
    // Requests for this very position (VS Code also asks at other positions, e.g. after the accept).
    const atPosition = () => generates().filter((r) => r.body.prompt === 'const next =  ').length;
    assert.equal(atPosition(), 1);
    // Back to the same position: undo the acceptance, then ask again.
    await vscode.commands.executeCommand('undo');
    await waitFor(() => editor.document.getText() === 'const next =  \n', 'the undo');
    await acceptUntil('const next =  count + 1;\n');
    assert.equal(atPosition(), 1, 'no new request for a position answered before');
  });

  it('turns completion off and on again for the active language', async () => {
    const disabled = () => settings().get<string[]>('completion.disabledLanguages') ?? [];
    await vscode.commands.executeCommand('switchyard.completion.toggleLanguage');
    await waitFor(() => disabled().includes('typescript'), 'typescript to be disabled');
    await vscode.commands.executeCommand('switchyard.completion.toggleLanguage');
    await waitFor(() => !disabled().includes('typescript'), 'typescript to be enabled again');
    await settings().update('completion.disabledLanguages', undefined, vscode.ConfigurationTarget.Global);
  });
});

/**
 * "Switchyard: Manage Local Models" in a real extension host, against the Ollama double running
 * inside the same host: the command is registered, its scripted actions pull / warm up / delete
 * for real over HTTP, and the quick pick is driven through the workbench's own quick-open commands.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { runAnsweringQuickPicks } from './support/quickPick';
import { waitFor } from '../harness/waitFor';
import { startOllamaServer, type OllamaServer } from '../servers/ollama';
import { buildLocalModelItems } from '../../src/vscode/local/localModels';

const EXTENSION_ID = 'switchyard-dev.switchyard';
const COMMAND = 'switchyard.manageLocalModels';
const MODELS = [
  { name: 'qwen2.5-coder:1.5b', capabilities: ['completion', 'insert'], sizeBytes: 986_000_000, parameterSize: '1.5B' },
  { name: 'qwen2.5:7b', capabilities: ['completion', 'tools'], sizeBytes: 4_700_000_000 },
];

describe('Manage Local Models (extension host)', function () {
  this.timeout(30_000);
  let server: OllamaServer;
  const settings = () => vscode.workspace.getConfiguration('switchyard');

  before(async () => {
    server = await startOllamaServer({ models: MODELS, pull: { progressSteps: 3 } });
    // Point the extension at the double; never start a real `ollama serve` from a test.
    await settings().update('local.manageOllama', false, vscode.ConfigurationTarget.Global);
    await settings().update('local.ollamaHost', server.url, vscode.ConfigurationTarget.Global);
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await settings().update('local.ollamaHost', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('local.manageOllama', undefined, vscode.ConfigurationTarget.Global);
    await server.close();
  });

  it('is registered', async () => {
    assert.ok((await vscode.commands.getCommands(true)).includes(COMMAND));
  });

  it('warms a model up: an empty-messages load request reaches Ollama', async () => {
    await waitFor(() => settings().get('local.ollamaHost') === server.url, 'the setting to arrive');
    await vscode.commands.executeCommand(COMMAND, { action: 'warmUp', model: 'qwen2.5-coder:1.5b' });
    const load = server.requests.find((r) => r.path === '/api/chat');
    assert.ok(load, 'a load request was sent');
    assert.deepEqual(load.body.messages, []);
    assert.equal(load.body.keep_alive, '30m', 'the default switchyard.local.keepAlive');
    assert.deepEqual(server.loaded(), ['qwen2.5-coder:1.5b']);
  });

  it('pulls a model with a progress notification, then deletes it', async () => {
    await vscode.commands.executeCommand(COMMAND, { action: 'pull', model: 'qwen3:4b' });
    assert.ok(server.models.some((m) => m.name === 'qwen3:4b'), 'installed after the pull');
    const pull = server.requests.find((r) => r.path === '/api/pull')!;
    assert.equal(pull.completed, true);
    await vscode.commands.executeCommand(COMMAND, { action: 'delete', model: 'qwen3:4b' });
    assert.ok(!server.models.some((m) => m.name === 'qwen3:4b'), 'gone after the delete');
  });

  it('rejects a bad model name instead of sending it', async () => {
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand(COMMAND, { action: 'pull', model: '../../etc' })), /not an Ollama model name/);
  });

  it('lists installed models with task and size, and recommendations', () => {
    const items = buildLocalModelItems({
      installed: [{ name: 'qwen2.5-coder:1.5b', sizeBytes: 986_000_000, family: 'qwen2', parameterSize: '1.5B', quantization: 'Q4_K_M', contextLength: 32_768, capabilities: ['completion', 'insert'] }],
      loaded: [],
      recommendations: [
        { task: 'chat', model: 'llama3.2:3b', sizeBytes: 2e9, fits: true, installed: false, why: 'largest chat model that fits' },
        { task: 'completion', model: 'qwen2.5-coder:1.5b', sizeBytes: 986e6, fits: true, installed: true, why: '' },
      ],
    });
    const coder = items.find((i) => i.label.endsWith('qwen2.5-coder:1.5b'))!;
    assert.match(coder.description!, /completion · 940 MB/);
    assert.match(coder.detail!, /qwen2 · 1\.5B · Q4_K_M/);
    const rec = items.find((i) => i.label.endsWith('llama3.2:3b'))!;
    assert.match(rec.description!, /chat · 1\.9 GB/);
    assert.ok(!items.some((i) => i.label.includes('cloud-download') && i.label.endsWith('qwen2.5-coder:1.5b')), 'installed recommendations are not offered again');
  });

  it('the quick pick lists the models, and choosing one then "Warm up" loads it', async () => {
    await vscode.commands.executeCommand(COMMAND, { action: 'warmUp', model: 'qwen2.5-coder:1.5b' });
    const before = server.requests.length;
    // Accepting the first item of each pick as it shows: the first installed model, then "Warm up",
    // the first action of its list.
    await runAnsweringQuickPicks(COMMAND, 'workbench.action.acceptSelectedQuickOpenItem');
    assert.ok(server.requests.slice(before).some((r) => r.path === '/api/ps'), 'the list read the loaded models');
    const loads = server.requests.slice(before).filter((r) => r.path === '/api/chat');
    assert.equal(loads.length, 1, 'one warm-up through the UI');
    assert.equal(loads[0]!.body.model, 'qwen2.5-coder:1.5b');
  });
});

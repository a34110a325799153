/**
 * The Local API Server started from VS Code (src/vscode/gateway/): Start by command, the status
 * bar item while it runs, "Copy Base URL and Token" read back from the clipboard and used by the
 * real `openai` SDK, a routed answer from the doubles — the local one for "auto", and the Groq
 * double's for a cloud model whose key exists only in SecretStorage (relayed over IPC; the host
 * has no GROQ_API_KEY) and gone once removed there — a taken port refused with the setting named, and Stop closing the port.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import OpenAI from 'openai';
import * as vscode from 'vscode';
import { parseConnectionText } from '../../src/vscode/gateway/connectionText';
import { CLOUD_MODEL, GROQ_KEY, chatRequests, settings, startSwitchyardEnv, type SwitchyardEnv } from './support/switchyardEnv';
import { waitFor } from '../harness/waitFor';

/** A port free right now (listen on 0, read it, close). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether something accepts connections on the port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('Local API Server from VS Code (extension host)', function () {
  this.timeout(60_000);
  let env: SwitchyardEnv;
  const g = vscode.ConfigurationTarget.Global;

  before(async () => {
    assert.equal(process.env.GROQ_API_KEY, undefined, 'the cloud key must come from SecretStorage alone');
    env = await startSwitchyardEnv();
  });
  after(async () => {
    await vscode.commands.executeCommand('switchyard.gateway.stop');
    await settings().update('gateway.port', undefined, g);
    await env?.close();
  });

  it('starts by command, shows the status bar item, answers the openai SDK with the copied URL and token, and Stop closes the port', async () => {
    const port = await freePort();
    await settings().update('gateway.port', port, g);
    await waitFor(() => env.api.services.config().gateway.port === port, 'the port setting to reach the extension');

    const url = await vscode.commands.executeCommand<string | undefined>('switchyard.gateway.start');
    assert.equal(url, `http://127.0.0.1:${port}`);
    assert.equal(env.api.gateway.url(), url);
    assert.match(env.api.gateway.statusBarItem.text, new RegExp(`API :${port}$`));

    await vscode.env.clipboard.writeText('');
    assert.equal(await vscode.commands.executeCommand('switchyard.gateway.copy'), url);
    const copied = parseConnectionText(await vscode.env.clipboard.readText());
    assert.ok(copied, 'the clipboard holds OPENAI_BASE_URL and OPENAI_API_KEY lines');
    assert.equal(copied.baseURL, `${url}/v1`);
    assert.match(copied.apiKey, /^sy-/);

    const client = new OpenAI({ baseURL: copied.baseURL, apiKey: copied.apiKey, maxRetries: 0 });
    env.ollama.setReply({ text: 'Hello from the local model.' });
    const local = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'Say hello' }] });
    assert.equal(local.choices[0]?.message.content, 'Hello from the local model.');

    // The Groq key is only in SecretStorage: the answer proves the relay, bound to the double's origin.
    const groqBefore = chatRequests(env.groq).length;
    const cloud = await client.chat.completions.create({ model: `groq/${CLOUD_MODEL}`, messages: [{ role: 'user', content: 'Say hello' }] });
    assert.equal(cloud.choices[0]?.message.content, 'Hello from the cloud model.');
    assert.equal(chatRequests(env.groq).length, groqBefore + 1);

    // A key removed in VS Code while the server runs is gone there at once (the set is relayed again), and a stored one is back.
    await env.api.services.keys.removeKey('groq', env.groqOrigin);
    const refused = (e: { status?: number }) => e.status === 503;
    const ask = () => client.chat.completions.create({ model: `groq/${CLOUD_MODEL}`, messages: [{ role: 'user', content: 'Say hello' }] });
    await waitFor(() => ask().then(() => false, refused), 'the removed key to stop being served');
    assert.equal(chatRequests(env.groq).length, groqBefore + 1, 'no request reached the cloud without its key');
    await env.api.services.keys.setKey('groq', env.groqOrigin, GROQ_KEY);
    await waitFor(() => ask().then((r) => r.choices[0]?.message.content === 'Hello from the cloud model.', () => false), 'the stored key to be served again');

    // A wrong token is refused.
    const wrong = new OpenAI({ baseURL: copied.baseURL, apiKey: 'sy-wrong', maxRetries: 0 });
    await assert.rejects(wrong.models.list(), (err: { status?: number }) => err.status === 401);

    await vscode.commands.executeCommand('switchyard.gateway.stop');
    assert.equal(env.api.gateway.url(), undefined);
    assert.equal(await accepts(port), false, 'Stop closes the port');
  });

  it('a taken port is refused with the setting named, and nothing runs', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await settings().update('gateway.port', port, g);
      await waitFor(() => env.api.services.config().gateway.port === port, 'the port setting to reach the extension');
      const url = await vscode.commands.executeCommand<string | undefined>('switchyard.gateway.start');
      assert.equal(url, undefined);
      assert.equal(env.api.gateway.url(), undefined);
      const failure = env.api.gateway.lastError();
      assert.ok(failure?.includes(String(port)) && failure.includes('switchyard.gateway.port'), `the error names the port and the setting: ${failure}`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('Rotate Token: the running server refuses the old token at once and takes the new one', async () => {
    const port = await freePort();
    await settings().update('gateway.port', port, g);
    await waitFor(() => env.api.services.config().gateway.port === port, 'the port setting to reach the extension');
    await vscode.commands.executeCommand('switchyard.gateway.copy');
    const before = parseConnectionText(await vscode.env.clipboard.readText())!;
    await vscode.commands.executeCommand('switchyard.gateway.rotateToken');
    await vscode.commands.executeCommand('switchyard.gateway.copy');
    const after = parseConnectionText(await vscode.env.clipboard.readText())!;
    assert.notEqual(after.apiKey, before.apiKey);
    const oldClient = new OpenAI({ baseURL: before.baseURL, apiKey: before.apiKey, maxRetries: 0 });
    const newClient = new OpenAI({ baseURL: after.baseURL, apiKey: after.apiKey, maxRetries: 0 });
    // The server applies the new file when its watch fires: wait for that event's effect, not a time.
    await waitFor(async () => (await oldClient.models.list().then(() => false, (e: { status?: number }) => e.status === 401)), 'the old token to be refused');
    assert.ok((await newClient.models.list()).data.length > 0);
    await vscode.commands.executeCommand('switchyard.gateway.stop');
  });
});

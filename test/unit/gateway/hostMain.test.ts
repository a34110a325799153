/**
 * dist/gateway.js as VS Code forks it (src/gateway/hostMain.ts), in a real child process over
 * IPC: started with the extension's settings and a relayed key it answers on its port with the
 * machine's token; a taken port is reported as `portInUse` (the extension names the setting);
 * and when its parent goes away (the extension host ended, a window closed) it stops and exits
 * by itself, freeing the port.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../../src/core/config';
import type { FromGateway, ToGateway } from '../../../src/gateway/hostProtocol';
import { BundledChildren } from '../../harness/bundledChildren';
import { type OllamaServer, startOllamaServer } from '../../servers/ollama';

const MODEL = 'qwen2.5:7b';

function next<T extends FromGateway['type']>(child: ChildProcess, type: T): Promise<Extract<FromGateway, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromGateway) => {
      if (m.type === type) {
        child.off('message', onMessage);
        resolve(m as Extract<FromGateway, { type: T }>);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`gateway exited (${code}) before "${type}"`)));
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('gateway process forked by VS Code (hostMain, IPC)', function () {
  this.timeout(60_000);
  const children = new BundledChildren(path.resolve(__dirname, '../../../src/gateway/hostMain.ts'));
  let ollama: OllamaServer;
  let scratch: string;
  const saved = { state: process.env.SWITCHYARD_STATE_DIR, xdg: process.env.XDG_CONFIG_HOME };

  before(async () => {
    await children.build();
    ollama = await startOllamaServer({ models: [MODEL], reply: { text: 'Hello from the local model.' } });
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-hostmain-'));
    // The child inherits these: its ledger, token and settings file stay in this test's folder.
    process.env.SWITCHYARD_STATE_DIR = path.join(scratch, 'state');
    process.env.XDG_CONFIG_HOME = path.join(scratch, 'config');
  });
  afterEach(() => children.killAll());
  after(async () => {
    for (const [name, value] of [['SWITCHYARD_STATE_DIR', saved.state], ['XDG_CONFIG_HOME', saved.xdg]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await ollama?.close();
    children.remove();
    await fs.rm(scratch, { recursive: true, force: true });
  });

  const startMessage = (port: number): ToGateway => ({
    type: 'start',
    config: parseConfig({ providers: { ollama: { kind: 'ollama', baseUrl: ollama.url } }, local: { manageOllama: false } }).config,
    keys: [{ provider: 'groq', origin: 'https://api.groq.com', key: 'gsk_relayed' }],
    host: '127.0.0.1',
    port,
    workspaceId: 'gateway',
    locale: 'en',
  });

  it('answers on its port with the token file, and stops by itself when its parent goes away', async () => {
    const child = children.spawn([]);
    child.send(startMessage(0));
    const listening = await next(child, 'listening');
    const token = (await fs.readFile(listening.tokenFile, 'utf8')).trim();
    const response = await fetch(`${listening.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content, 'Hello from the local model.');

    const exited = once(child, 'exit');
    child.disconnect();
    const [code] = await exited;
    assert.equal(code, 0, 'a clean stop, not a crash');
    assert.equal(await accepts(listening.port), false, 'the port is free');
  });

  it('reports a taken port as portInUse and exits', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const child = children.spawn([]);
      const exited = once(child, 'exit');
      child.send(startMessage(port));
      const failed = await next(child, 'failed');
      assert.equal(failed.reason, 'portInUse');
      assert.equal(failed.port, port);
      assert.equal((await exited)[0], 1, 'a failed start exits non-zero');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

/**
 * Networks users really have: a proxy for cloud traffic (never for loopback), NO_PROXY,
 * extra CA certificates, and keys that only ever go to the origin they were stored for.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startOllamaServer } from '../../servers/ollama';
import { startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import { bypassesProxy, createNetwork, isLoopbackHost, localityOf, originBoundFetch, redactProxy } from '../../../src/core/net';
import { createProvider } from '../../../src/core/providers';
import type { Network } from '../../../src/core/net';
import { drain, providerConfig, recordingKeys, request } from './helpers';

/** A tiny forward proxy: CONNECT tunnels (what undici's ProxyAgent uses) to 127.0.0.1, whatever the host. */
async function startProxy() {
  const connects: string[] = [];
  const server = http.createServer((_req, res) => {
    res.writeHead(501).end('only CONNECT');
  });
  server.on('connect', (req, client: net.Socket, head: Buffer) => {
    connects.push(String(req.url));
    const port = Number(String(req.url).split(':').pop());
    const upstream = net.connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connects,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('net: locality', () => {
  it('only loopback is local', () => {
    for (const u of ['http://127.0.0.1:11434', 'http://127.8.9.10', 'http://localhost:1234/v1', 'http://api.localhost', 'http://[::1]:8000', 'http://[::ffff:127.0.0.1]:80']) {
      assert.equal(localityOf(u), 'local', u);
    }
    for (const u of ['https://api.groq.com/openai/v1', 'http://192.168.1.20:11434', 'http://10.0.0.5', 'http://[::2]', 'not a url', 'http://localhost.evil.com']) {
      assert.equal(localityOf(u), 'cloud', u);
    }
    assert.equal(isLoopbackHost('LOCALHOST'), true);
  });
});

describe('net: proxy routing', () => {
  it('NO_PROXY rules in curl style, loopback always direct', () => {
    const rules = ['internal.corp', '.example.com', '*.dev.test', 'gpu-box:8000', '10.0.0.0/8'];
    const bypass = (u: string) => bypassesProxy(new URL(u), rules);
    assert.equal(bypass('https://internal.corp/x'), true);
    assert.equal(bypass('https://api.internal.corp/x'), true);
    assert.equal(bypass('https://example.com'), true);
    assert.equal(bypass('https://a.b.example.com'), true);
    assert.equal(bypass('https://notexample.com'), false);
    assert.equal(bypass('https://x.dev.test'), true);
    assert.equal(bypass('http://gpu-box:8000/v1'), true);
    assert.equal(bypass('http://gpu-box:9000/v1'), false);
    assert.equal(bypass('http://10.1.2.3'), true);
    assert.equal(bypass('http://11.1.2.3'), false);
    assert.equal(bypass('http://127.0.0.1:11434'), true);
    assert.equal(bypass('https://api.groq.com'), false);
    assert.equal(bypassesProxy(new URL('https://api.groq.com'), ['*']), true);
  });

  it('reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment, settings win, credentials hidden', () => {
    const fromEnv = createNetwork({ env: { HTTPS_PROXY: 'http://user:pw@proxy.corp:3128', NO_PROXY: 'open.bigmodel.cn' } });
    assert.deepEqual(fromEnv.routeFor('https://api.groq.com/openai/v1'), { via: 'proxy', proxy: 'http://user:***@proxy.corp:3128/' });
    assert.deepEqual(fromEnv.routeFor('https://open.bigmodel.cn/api/paas/v4'), { via: 'direct' });
    assert.deepEqual(fromEnv.routeFor('http://127.0.0.1:11434'), { via: 'direct' });
    assert.deepEqual(fromEnv.routeFor('http://plain.example.com'), { via: 'direct' }, 'HTTPS_PROXY is for https URLs');
    const fromSettings = createNetwork({ proxy: 'http://settings-proxy:8080', env: { HTTPS_PROXY: 'http://env-proxy:3128' } });
    assert.deepEqual(fromSettings.routeFor('https://api.openai.com/v1'), { via: 'proxy', proxy: 'http://settings-proxy:8080/' });
    assert.equal(redactProxy('http://u:secret@p:1'), 'http://u:***@p:1');
    const bad = createNetwork({ proxy: 'http://[broken' });
    assert.deepEqual(bad.routeFor('https://api.openai.com/v1'), { via: 'direct' });
    assert.match(bad.problems[0]!, /not a URL/);
  });

  it('cloud traffic goes through the proxy (CONNECT), loopback traffic does not', async () => {
    const proxy = await startProxy();
    const cloud = await startOpenAICompatibleServer({ vendor: 'openai', apiKey: 'sk-proxy-test-key' });
    const ollama = await startOllamaServer({ models: ['llama3.2'] });
    const network = createNetwork({ proxy: proxy.url });
    try {
      // A host name only the proxy can reach: without the proxy this request could not resolve at all.
      const base = `http://api.vendor.test:${cloud.port}/v1`;
      const keys = recordingKeys({ [`openai http://api.vendor.test:${cloud.port}`]: 'sk-proxy-test-key' });
      const viaProxy = createProvider('openai', providerConfig({ kind: 'openai-compatible', vendor: 'openai', baseUrl: base }), { keys, network });
      assert.equal(viaProxy.locality, 'cloud');
      const out = await drain(viaProxy.stream(request({ model: 'gpt-4o-mini' })));
      assert.equal(out.error, undefined, out.error?.message);
      assert.deepEqual(proxy.connects, [`api.vendor.test:${cloud.port}`]);
      assert.equal(cloud.requests[0]!.headers.host, `api.vendor.test:${cloud.port}`);

      const local = createProvider('ollama', providerConfig({ kind: 'ollama', baseUrl: ollama.url }), { keys, network });
      const localOut = await drain(local.stream(request({ model: 'llama3.2' })));
      assert.equal(localOut.error, undefined);
      assert.deepEqual(proxy.connects, [`api.vendor.test:${cloud.port}`], 'no CONNECT for loopback');
    } finally {
      await network.close();
      await Promise.all([proxy.close(), cloud.close(), ollama.close()]);
    }
  });

  it('a LAN host confirmed in trustedLocalHosts goes direct; a bare "local" label on it is ignored and proxied', async () => {
    const used: string[] = [];
    // No request leaves the test: both routes are fakes that only record which one was taken.
    const fake: Network = {
      fetch: async () => {
        used.push('proxied');
        return new Response('{}', { status: 500 });
      },
      directFetch: async () => {
        used.push('direct');
        return new Response('{"error":"nope"}', { status: 500, headers: { 'content-type': 'application/json' } });
      },
      routeFor: () => ({ via: 'direct' }),
      problems: [],
      close: async () => undefined,
    };
    const lan = providerConfig({ kind: 'openai-compatible', vendor: 'custom', baseUrl: 'http://192.168.77.1:8000/v1', locality: 'local' });
    const labelled = createProvider('lan', lan, { keys: recordingKeys({ 'lan http://192.168.77.1:8000': 'sk-lan' }), network: fake });
    assert.equal(labelled.locality, 'cloud', 'the label alone does not make a LAN address local');
    await drain(labelled.stream(request({ model: 'x' })));
    assert.deepEqual(used, ['proxied']);
    used.length = 0;
    const confirmed = createProvider('lan', lan, { keys: recordingKeys({}), network: fake, trustedLocalHosts: ['192.168.77.1'] });
    assert.equal(confirmed.locality, 'local');
    await drain(confirmed.stream(request({ model: 'x' })));
    assert.deepEqual(used, ['direct']);
  });
});

describe('net: extra CA certificates', function () {
  this.timeout(20_000);
  let dir: string;
  let server: https.Server;
  let url: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-ca-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a server signed by a private CA is refused without the CA and reached with it', async () => {
    const without = createNetwork({});
    await assert.rejects(without.fetch(url));
    const withCa = createNetwork({ caCertPaths: [path.join(dir, 'cert.pem')] });
    const res = await withCa.fetch(url);
    assert.deepEqual(await res.json(), { ok: true });
    await Promise.all([without.close(), withCa.close()]);
  });

  it('an unreadable CA file is reported as a problem, not a crash', () => {
    const n = createNetwork({ caCertPaths: [path.join(dir, 'missing.pem')] });
    assert.match(n.problems[0]!, /Cannot read the CA certificate file .*missing\.pem.*ENOENT/);
  });
});

describe('net: keys stay with their origin', () => {
  it('a redirect to another origin is refused: the other server never sees the request or the key', async () => {
    const other = await startOpenAICompatibleServer({ vendor: 'openai', apiKey: null });
    const server = await startOpenAICompatibleServer({ vendor: 'openai', apiKey: 'sk-origin-bound-key', reply: { error: { status: 307, body: '', headers: { location: `${other.baseUrl}/chat/completions` } } } });
    try {
      const keys = recordingKeys({ [`openai ${server.url}`]: 'sk-origin-bound-key' });
      const provider = createProvider('openai', providerConfig({ kind: 'openai-compatible', vendor: 'openai', baseUrl: server.baseUrl, locality: 'cloud' }), { keys, network: createNetwork({}) });
      const out = await drain(provider.stream(request({ model: 'gpt-4o-mini' })));
      assert.equal(out.error?.kind, 'bad_response');
      assert.match(out.error!.message, /redirect/);
      assert.equal(other.requests.length, 0);
      assert.equal(server.requests[0]!.headers.authorization, 'Bearer sk-origin-bound-key');
    } finally {
      await Promise.all([server.close(), other.close()]);
    }
  });

  it('originBoundFetch refuses any URL outside its origin', async () => {
    const calls: string[] = [];
    const bound = originBoundFetch(async (input) => {
      calls.push(String(input));
      return new Response('ok');
    }, 'https://api.groq.com');
    await bound('https://api.groq.com/openai/v1/models');
    await assert.rejects(bound('https://evil.example/openai/v1/models'), /keys are bound to their endpoint/);
    await assert.rejects(bound('http://api.groq.com/openai/v1/models'), /keys are bound/);
    assert.deepEqual(calls, ['https://api.groq.com/openai/v1/models']);
  });

  it('asks the key store for the exact origin of the configured base URL (region by name)', async () => {
    const keys = recordingKeys({});
    const zai = createProvider('zhipu', providerConfig({ kind: 'openai-compatible', vendor: 'zhipu', region: 'zai' }), { keys, network: createNetwork({}) });
    const ac = new AbortController();
    const out = await drain(zai.stream(request({ model: 'glm-4-flash', signal: ac.signal })));
    assert.equal(out.error?.kind, 'auth', 'no key for api.z.ai: fails before any byte is sent');
    assert.deepEqual(keys.lookups, ['zhipu https://api.z.ai']);
  });
});

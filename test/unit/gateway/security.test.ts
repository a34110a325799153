/**
 * The gateway's gate and its limits, with raw HTTP (fetch, node:http, a raw socket) so every
 * header is exactly what a hostile client would send: missing/invalid token, wrong Host (DNS
 * rebinding), hostile Origin, malformed and oversized bodies, a slow client, a client that
 * disconnects mid-stream. Each refusal has the design note's code, nothing reaches a model or
 * the ledger, and the server keeps serving others throughout.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { rotateToken } from '../../../src/gateway/token';
import { CLOUD, type Harness, startHarness, sseEvents } from './harness';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http, because fetch will not send a forged Host header. */
function raw(url: string, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Raw> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: opts.method ?? 'POST', path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const chat = JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] });

describe('gateway: security and bad input', function () {
  this.timeout(30_000);
  let h: Harness;
  let auth: Record<string, string>;

  beforeEach(async () => {
    h = await startHarness({ gateway: { allowedOrigins: ['http://localhost:3000'] }, limits: { headersTimeoutMs: 500 } });
    auth = { authorization: `Bearer ${h.token}`, 'content-type': 'application/json', host: `127.0.0.1:${h.gw.port}` };
  });
  afterEach(async () => {
    await h.close();
  });

  /** A good request still works: the server keeps serving others. */
  async function stillServes(): Promise<void> {
    const ok = await raw(h.url, { path: '/v1/chat/completions', headers: auth, body: chat });
    assert.equal(ok.status, 200, ok.body);
  }

  async function usageRows(): Promise<number> {
    await h.core.ledger!.flush();
    return h.core.ledger!.report('model').total.requests;
  }

  it('the token file is 0600 and holds at least 32 random bytes', async () => {
    const { promises: fs } = await import('node:fs');
    const st = await fs.stat(h.tokenFile);
    if (process.platform !== 'win32') assert.equal(st.mode & 0o777, 0o600);
    assert.ok(Buffer.from(h.token.slice('sy-'.length), 'base64url').length >= 32);
  });

  it('no token, a wrong token, a token in another header: 401 UNAUTHORIZED in the design envelope, the token never echoed; X-API-Key works', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer sy-wrong' }, { authorization: h.token }, { 'x-api-key': `${h.token}x` }];
    for (const headers of attempts) {
      const res = await raw(h.url, { path: '/api/llm/generate', headers: { ...headers, 'content-type': 'application/json' }, body: chat });
      assert.equal(res.status, 401, JSON.stringify(headers));
      const body = JSON.parse(res.body);
      assert.equal(body.error.code, 'UNAUTHORIZED');
      assert.equal(body.error.details.reason, 'invalid_token');
      assert.match(body.error.request_id, /^req_/);
      assert.ok(!res.body.includes(h.token));
    }
    const viaKey = await raw(h.url, { path: '/api/llm/generate', headers: { 'x-api-key': h.token, 'content-type': 'application/json' }, body: chat });
    assert.equal(viaKey.status, 200, viaKey.body);
  });

  it('/health answers without the token; every other route needs it', async () => {
    for (const path of ['/health', '/api/llm/health', '/api/v1/llm/health']) {
      const res = await raw(h.url, { method: 'GET', path });
      assert.equal(res.status, 200, path);
    }
    for (const path of ['/v1/models', '/api/llm/models', '/api/llm/stats/usage', '/api/llm/stats/performance']) {
      assert.equal((await raw(h.url, { method: 'GET', path })).status, 401, path);
    }
  });

  it('a rotated token applies at once: the old one is refused', async () => {

    const next = await rotateToken(h.tokenFile);
    assert.notEqual(next, h.token);
    h.gw.setToken(next);
    assert.equal((await raw(h.url, { method: 'GET', path: '/v1/models', headers: { authorization: `Bearer ${h.token}` } })).status, 401);
    assert.equal((await raw(h.url, { method: 'GET', path: '/v1/models', headers: { authorization: `Bearer ${next}` } })).status, 200);
  });

  it('a Host that is not loopback with our port is refused before auth (DNS rebinding), even with the token', async () => {
    for (const host of ['evil.example', `evil.example:${h.gw.port}`, `127.0.0.1:${h.gw.port + 1}`, `192.168.1.5:${h.gw.port}`]) {
      const res = await raw(h.url, { path: '/v1/chat/completions', headers: { ...auth, host }, body: chat });
      assert.equal(res.status, 400, host);
      const body = JSON.parse(res.body);
      assert.equal(body.error.code, 'invalid_request');
      assert.equal(body.error.switchyard.details.reason, 'host_not_allowed');
    }
    for (const host of [`localhost:${h.gw.port}`, `[::1]:${h.gw.port}`]) {
      assert.equal((await raw(h.url, { path: '/v1/chat/completions', headers: { ...auth, host }, body: chat })).status, 200, host);
    }
    assert.equal(await usageRows(), 2);
  });

  it('a hostile browser Origin is refused with no CORS header; an allowed one gets CORS and its preflight', async () => {
    const hostile = await raw(h.url, { path: '/v1/chat/completions', headers: { ...auth, origin: 'https://evil.example' }, body: chat });
    assert.equal(hostile.status, 401);
    assert.equal(JSON.parse(hostile.body).error.switchyard.details.reason, 'origin_not_allowed');
    assert.equal(hostile.headers['access-control-allow-origin'], undefined);
    const nullOrigin = await raw(h.url, { path: '/api/llm/generate', headers: { ...auth, origin: 'null' }, body: chat });
    assert.equal(nullOrigin.status, 401);
    assert.equal(JSON.parse(nullOrigin.body).error.code, 'UNAUTHORIZED');
    const preflight = await raw(h.url, { method: 'OPTIONS', path: '/v1/chat/completions', headers: { host: auth.host!, origin: 'http://localhost:3000', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'http://localhost:3000');
    const allowed = await raw(h.url, { path: '/v1/chat/completions', headers: { ...auth, origin: 'http://localhost:3000' }, body: chat });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers['access-control-allow-origin'], 'http://localhost:3000');
    assert.equal(h.modelCalls(), 1);
  });

  it('bad input gets INVALID_REQUEST (413 for 5 MB), reaches no model, writes nothing to the ledger, and others are served throughout', async () => {
    const cases: { name: string; body: string | Buffer; status: number; reason: string; headers?: Record<string, string> }[] = [
      { name: 'malformed JSON', body: '{"model": "auto", "messages": [', status: 400, reason: 'malformed_json' },
      { name: 'empty body', body: '', status: 400, reason: 'empty_body' },
      { name: 'wrong types', body: JSON.stringify({ model: 'auto', messages: 'hi' }), status: 400, reason: 'invalid_field' },
      { name: 'missing messages', body: JSON.stringify({ model: 'auto' }), status: 400, reason: 'invalid_field' },
      { name: 'empty messages', body: JSON.stringify({ model: 'auto', messages: [] }), status: 400, reason: 'invalid_field' },
      { name: 'a JSON array', body: '[1,2]', status: 400, reason: 'invalid_body' },
      { name: 'unknown role', body: JSON.stringify({ model: 'auto', messages: [{ role: 'root', content: 'x' }] }), status: 400, reason: 'invalid_field' },
      { name: '5 MB body', body: Buffer.alloc(5 * 1024 * 1024, 'a'), status: 413, reason: 'body_too_large' },
      { name: 'not JSON at all', body: 'hello', status: 415, reason: 'unsupported_media_type', headers: { 'content-type': 'text/plain' } },
    ];
    for (const api of ['/api/llm/generate', '/v1/chat/completions']) {
      for (const c of cases) {
        const res = await raw(h.url, { path: api, headers: { ...auth, ...c.headers }, body: c.body });
        assert.equal(res.status, c.status, `${api} ${c.name}: ${res.body}`);
        const err = JSON.parse(res.body).error;
        if (api.startsWith('/api')) {
          assert.equal(err.code, 'INVALID_REQUEST', c.name);
          assert.equal(err.details.reason, c.reason, c.name);
        } else {
          assert.equal(err.type, 'invalid_request_error', c.name);
          assert.equal(err.switchyard.details.reason, c.reason, c.name);
        }
        await stillServes();
      }
    }
    // A malformed body that holds a secret: the error says where it broke, never what it holds.
    const secret = 'sk-live-should-never-come-back';
    const leaky = await raw(h.url, { path: '/v1/chat/completions', headers: auth, body: `{"model": "auto", "api_key": ${secret}}` });
    assert.equal(leaky.status, 400);
    assert.ok(!leaky.body.includes(secret), leaky.body);
    const unknown = await raw(h.url, { path: '/api/llm/generate', headers: auth, body: JSON.stringify({ model: 'gpt-17', messages: [{ role: 'user', content: 'hi' }] }) });
    assert.equal(unknown.status, 404);
    assert.equal(JSON.parse(unknown.body).error.code, 'MODEL_NOT_FOUND');
    // Only the stillServes() requests reached a model and the ledger.
    const good = 2 * cases.length;
    assert.equal(h.modelCalls(), good);
    assert.equal(await usageRows(), good);
  });

  it('a slow client (headers never finished) is cut off by the header timeout while others are served', async () => {
    const socket = net.connect(h.gw.port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    // Read what the server sends (its 408), so its FIN is seen and 'close' fires.
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${h.gw.port}\r\nX-Slow: `);
    await stillServes();
    await closed;
    assert.match(answer, /^HTTP\/1\.1 408 /);
    await stillServes();
    assert.equal(h.modelCalls(), 2);
  });

  it('a client that disconnects mid-stream aborts the upstream stream at once and is charged only for what was served', async () => {
    const tokens = Array.from({ length: 400 }, (_, i) => `w${i} `);
    h.groq.setReply({ text: tokens, chunking: { delayMs: 20 } });
    const controller = new AbortController();
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: CLOUD, messages: [{ role: 'user', content: 'count' }], stream: true }),
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let seen = '';
    while (!seen.includes('w3 ')) seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const upstream = await h.groq.settled(h.groq.requests.findIndex((r) => r.path.endsWith('/chat/completions')));
    assert.equal(upstream.aborted, true, 'the upstream stream was closed by the gateway');
    assert.ok(upstream.chunksWritten < tokens.length / 2, `${upstream.chunksWritten} chunks written`);
    // The router settles the reservation on cancel; the request is out of flight after that.
    await h.gw.idle();
    await h.core.ledger!.flush();
    const row = h.core.ledger!.report('model').rows.find((r) => r.key === CLOUD);
    assert.ok(row, 'the cancelled attempt is in the ledger');
    assert.ok(row.outputTokens < tokens.length / 2, `charged ${row.outputTokens} output tokens of ${tokens.length}`);
    await stillServes();
  });

  it('stopping the gateway aborts a stream still running after the grace period, settles it, and refuses new connections', async () => {
    h.groq.setReply({ text: Array.from({ length: 400 }, (_, i) => `w${i} `), chunking: { delayMs: 20 } });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: CLOUD, messages: [{ role: 'user', content: 'count' }], stream: true }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    assert.equal(h.gw.inFlight(), 1);
    await h.gw.close(0);
    assert.equal(h.gw.inFlight(), 0, 'close() returns once the request is settled');
    const upstream = await h.groq.settled(h.groq.requests.findIndex((r) => r.path.endsWith('/chat/completions')));
    assert.equal(upstream.aborted, true);
    // The client's stream ends (the socket is closed), it does not hang.
    for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) break;
    await assert.rejects(fetch(`${h.url}/health`));
  });

  it('streams SSE that a raw client can read, ending with [DONE]', async () => {
    const res = await raw(h.url, { path: '/v1/chat/completions', headers: auth, body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], stream: true }) });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    const events = sseEvents(res.body);
    assert.equal(events.at(-1), '[DONE]');
  });
});

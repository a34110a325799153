/**
 * The fault plan of the OpenAI-compatible double (issue 18's additions), against the real HTTP
 * server through fetch and the openai SDK: live x-ratelimit-* counters on successful answers in
 * each vendor's names and formats, a scripted per-minute quota on an injected clock that answers
 * the vendor's own 429 (retry-after, Gemini's RetryInfo in its array body), balance-exhausted
 * bodies, 5xx spells, and streams dropped or stalled after a given answer token.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import OpenAI from 'openai';
import { type OpenAICompatibleServer, type OpenAICompatibleServerOptions, formatGoDuration, startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import { parseDuration } from '../../../src/core/providers/retryAfter';

const servers: OpenAICompatibleServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: OpenAICompatibleServerOptions): Promise<OpenAICompatibleServer> {
  const s = await startOpenAICompatibleServer(options);
  servers.push(s);
  return s;
}

/** A clock the test moves by hand. */
function fakeClock(start = 1_800_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function chat(server: OpenAICompatibleServer, body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${server.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' },
    body: JSON.stringify({ model: server.models[0], messages: [{ role: 'user', content: 'hi there' }], ...body }),
  });
}

/** A streamed chat over node:http, read to the end or to the broken connection, keeping every byte that came. */
function rawStream(server: OpenAICompatibleServer): Promise<{ status: number; text: string; error?: Error }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.baseUrl}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
      res.on('error', (error) => resolve({ status: res.statusCode!, text, error }));
      res.on('aborted', () => resolve({ status: res.statusCode!, text, error: new Error('aborted') }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ model: server.models[0], messages: [{ role: 'user', content: 'hi there' }], stream: true }));
  });
}

/** "hi there" is 2 prompt tokens (8 characters / 4) and the default answer 5 tokens: 7 a request. */
const TOKENS_PER_DEFAULT_REQUEST = 7;

describe('doubles: fault plan (issue 18)', () => {
  describe('rate-limit counters on successful answers', () => {
    it("Groq: requests per day and tokens per minute count down, resets in Go's duration format to 10 ms", async () => {
      const clock = fakeClock();
      const server = await start({ vendor: 'groq', quota: { requestsPerDay: 1000, tokensPerMinute: 12_000 }, clock: clock.now });
      const first = await chat(server);
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('x-ratelimit-limit-requests'), '1000');
      assert.equal(first.headers.get('x-ratelimit-remaining-requests'), '999');
      assert.equal(first.headers.get('x-ratelimit-limit-tokens'), '12000');
      assert.equal(first.headers.get('x-ratelimit-remaining-tokens'), String(12_000 - TOKENS_PER_DEFAULT_REQUEST));
      assert.equal(first.headers.get('x-ratelimit-reset-requests'), '24h0m0s');
      assert.equal(first.headers.get('x-ratelimit-reset-tokens'), '1m0s');
      assert.equal(first.headers.get('retry-after'), null, 'Groq sends retry-after only on 429');
      clock.advance(180_440); // 3 min 0.44 s later
      const second = await chat(server, { stream: true });
      await second.text();
      assert.equal(second.headers.get('x-ratelimit-remaining-requests'), '998');
      assert.equal(second.headers.get('x-ratelimit-reset-requests'), '23h56m59.56s');
      // The minute window closed: a new one opened with this request.
      assert.equal(second.headers.get('x-ratelimit-remaining-tokens'), String(12_000 - TOKENS_PER_DEFAULT_REQUEST));
      assert.equal(parseDuration(second.headers.get('x-ratelimit-reset-requests')!), 86_219_560, 'the core reads the format back');
    });

    it('OpenAI: requests and tokens per minute, resets to the millisecond ("12ms", "6m0s")', async () => {
      const clock = fakeClock();
      const server = await start({ vendor: 'openai', quota: { requestsPerMinute: 500, tokensPerMinute: 200_000 }, clock: clock.now });
      await (await chat(server)).text();
      clock.advance(59_988);
      const res = await chat(server);
      assert.equal(res.headers.get('x-ratelimit-limit-requests'), '500');
      assert.equal(res.headers.get('x-ratelimit-remaining-requests'), '498');
      assert.equal(res.headers.get('x-ratelimit-remaining-tokens'), String(200_000 - 2 * TOKENS_PER_DEFAULT_REQUEST));
      assert.equal(res.headers.get('x-ratelimit-reset-requests'), '12ms');
      assert.ok(res.headers.get('x-request-id'), 'its other headers stay');
      assert.deepEqual(
        [0, 12, 1000, 7660, 360_000, 179_560, 3_723_500].map((ms) => formatGoDuration(ms)),
        ['0s', '12ms', '1s', '7.66s', '6m0s', '2m59.56s', '1h2m3.5s'],
      );
    });

    it('vendors that send no counters (DashScope, Zhipu, Gemini) still send none with a quota', async () => {
      for (const vendor of ['dashscope', 'zhipu', 'gemini'] as const) {
        const server = await start({ vendor, quota: { requestsPerMinute: 10 } });
        const res = await chat(server);
        assert.equal(res.status, 200);
        assert.deepEqual([...res.headers.keys()].filter((k) => k.startsWith('x-ratelimit')), [], vendor);
      }
    });
  });

  describe('scripted per-minute quota', () => {
    it("Groq: the request over its minute gets Groq's 429 with retry-after, the exhausted counter and the wait in its message; the next minute serves again", async () => {
      const clock = fakeClock();
      const server = await start({ vendor: 'groq', quota: { requestsPerMinute: 2, tokensPerMinute: 30_000, requestsPerDay: 1000 }, clock: clock.now });
      assert.equal((await chat(server)).status, 200);
      clock.advance(47_660);
      assert.equal((await chat(server)).status, 200);
      const over = await chat(server);
      assert.equal(over.status, 429);
      assert.equal(over.headers.get('retry-after'), '13', 'seconds, rounded up: 12.34 s are left of the minute');
      const body = (await over.json()) as { error: { message: string; type: string; code: string } };
      assert.equal(body.error.code, 'rate_limit_exceeded');
      assert.equal(body.error.type, 'requests');
      assert.match(body.error.message, /on requests per minute \(RPM\): Limit 2, Used 2, Requested 1\. Please try again in 12\.34s\./);
      assert.equal(over.headers.get('x-ratelimit-remaining-requests'), '998', 'the per-day counter, which Groq reports, is not charged for a refused request');
      clock.advance(12_340);
      assert.equal((await chat(server)).status, 200);
    });

    it('counts tokens: a request whose prompt and answer would pass the minute is refused, a smaller one later is served', async () => {
      const clock = fakeClock();
      const server = await start({ vendor: 'groq', quota: { tokensPerMinute: 10 }, clock: clock.now });
      assert.equal((await chat(server)).status, 200); // 7 of 10
      const over = await chat(server);
      assert.equal(over.status, 429);
      const body = (await over.json()) as { error: { message: string; type: string } };
      assert.equal(body.error.type, 'tokens');
      assert.match(body.error.message, /tokens per minute \(TPM\): Limit 10, Used 7, Requested 7\./);
      assert.equal(over.headers.get('x-ratelimit-remaining-tokens'), '3');
      server.enqueue({ text: 'ok' }); // 2 prompt + 1 answer token: fits the 3 left
      assert.equal((await chat(server)).status, 200);
      assert.equal((await chat(server)).status, 429);
    });

    it("Gemini: the 429 is its JSON array body with RetryInfo's retryDelay and no retry-after header", async () => {
      const clock = fakeClock();
      const server = await start({ vendor: 'gemini', quota: { requestsPerMinute: 1 }, clock: clock.now });
      assert.equal((await chat(server)).status, 200);
      clock.advance(28_000);
      const over = await chat(server);
      assert.equal(over.status, 429);
      assert.equal(over.headers.get('retry-after'), null);
      const body = (await over.json()) as { error: { code: number; status: string; details: Array<Record<string, any>> } }[];
      assert.ok(Array.isArray(body));
      assert.equal(body[0]!.error.status, 'RESOURCE_EXHAUSTED');
      const retry = body[0]!.error.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
      assert.equal(retry?.retryDelay, '32s');
      const failure = body[0]!.error.details.find((d) => d['@type'] === 'type.googleapis.com/google.rpc.QuotaFailure');
      assert.equal(failure?.violations[0].quotaId, 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier');
      assert.equal(failure?.violations[0].quotaValue, '1');
    });

    it('Zhipu and DashScope answer their own rate-limit bodies (1302, limit_requests) without retry-after', async () => {
      const zhipu = await start({ vendor: 'zhipu', quota: { requestsPerMinute: 1 } });
      await chat(zhipu);
      const z = await chat(zhipu);
      assert.equal(z.status, 429);
      assert.equal(((await z.json()) as any).error.code, '1302');
      assert.equal(z.headers.get('retry-after'), null);
      const ds = await start({ vendor: 'dashscope', quota: { requestsPerMinute: 1 } });
      await chat(ds);
      const d = await chat(ds);
      assert.equal(d.status, 429);
      assert.equal(((await d.json()) as any).error.code, 'limit_requests');
    });

    it('concurrent requests: with glm-4.7-flash\'s one at a time, a second request while the first streams gets Zhipu 1302; after it ends one is served again', async () => {
      const server = await start({ vendor: 'zhipu', models: ['glm-4.7-flash'], quota: { concurrentRequests: 1 } });
      server.enqueue({ text: 'one two', stallAfterTokens: 1 });
      const first = await chat(server, { stream: true });
      const reader = first.body!.getReader();
      await reader.read();
      const second = await chat(server);
      assert.equal(second.status, 429);
      assert.equal(((await second.json()) as any).error.code, '1302');
      await reader.cancel();
      await server.settled(0);
      assert.equal((await chat(server)).status, 200);
      assert.equal((await chat(server)).status, 200, 'a finished answer frees its slot too');
    });

    it('the openai SDK sees a RateLimitError with the retry-after header (SDK retries off)', async () => {
      const server = await start({ vendor: 'openai', quota: { requestsPerMinute: 1 }, clock: fakeClock().now });
      const client = new OpenAI({ apiKey: 'test-key', baseURL: server.baseUrl, maxRetries: 0 });
      await client.chat.completions.create({ model: server.models[0]!, messages: [{ role: 'user', content: 'hi' }] });
      await assert.rejects(client.chat.completions.create({ model: server.models[0]!, messages: [{ role: 'user', content: 'hi' }] }), (err: any) => {
        assert.equal(err.status, 429);
        assert.equal(err.code, 'rate_limit_exceeded');
        assert.equal(err.headers.get('retry-after'), '60');
        assert.equal(err.headers.get('x-ratelimit-remaining-requests'), '0');
        return true;
      });
      assert.equal(server.requests.length, 2);
    });
  });

  describe('balance exhausted (the "quota" preset): never worth a retry', () => {
    it('Zhipu 1113 with HTTP 429 and DashScope Arrearage with 400, through the openai SDK', async () => {
      const zhipu = await start({ vendor: 'zhipu', reply: { error: 'quota' } });
      const zc = new OpenAI({ apiKey: 'test-key', baseURL: zhipu.baseUrl, maxRetries: 0 });
      await assert.rejects(zc.chat.completions.create({ model: zhipu.models[0]!, messages: [{ role: 'user', content: 'hi' }] }), (err: any) => {
        assert.equal(err.status, 429);
        assert.equal(err.code, '1113');
        assert.match(err.message, /欠费/);
        return true;
      });
      const ds = await start({ vendor: 'dashscope', reply: { error: 'quota' } });
      const dc = new OpenAI({ apiKey: 'test-key', baseURL: ds.baseUrl, maxRetries: 0 });
      await assert.rejects(dc.chat.completions.create({ model: ds.models[0]!, messages: [{ role: 'user', content: 'hi' }] }), (err: any) => {
        assert.equal(err.status, 400);
        assert.equal(err.code, 'Arrearage');
        assert.equal(err.type, 'Arrearage');
        return true;
      });
    });
  });

  describe('5xx spells', () => {
    it('the next n requests fail with the vendor 5xx, then queued replies and the default resume', async () => {
      const server = await start({ vendor: 'openai' });
      server.enqueue({ text: 'after the spell' });
      server.spell({ requests: 3 });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await chat(server)).status);
      assert.deepEqual(statuses, [500, 500, 500]);
      const ok = await chat(server);
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as any).choices[0].message.content, 'after the spell');
    });

    it("a spell for a span of the server's clock: Gemini's 503 UNAVAILABLE array body until it is over", async () => {
      const clock = fakeClock();
      const server = await start({ vendor: 'gemini', clock: clock.now });
      server.spell({ error: 'overloaded', forMs: 30_000 });
      const during = await chat(server);
      assert.equal(during.status, 503);
      assert.equal(((await during.json()) as any)[0].error.status, 'UNAVAILABLE');
      clock.advance(29_999);
      assert.equal((await chat(server)).status, 503);
      clock.advance(1);
      assert.equal((await chat(server)).status, 200);
    });
  });

  describe('streams cut or stalled after a given answer token', () => {
    it('dropAfterTokens: the socket is destroyed after the n-th token; the served log counts n', async () => {
      const server = await start({ vendor: 'groq', reply: { text: 'one two three four five', dropAfterTokens: 2 } });
      const { status, text, error } = await rawStream(server);
      assert.equal(status, 200);
      assert.ok(error, 'the connection ends in an error, not a clean end');
      const contents = [...text.matchAll(/"content":"([^"]*)"/g)].map((m) => m[1]);
      assert.deepEqual(contents, ['', 'one', ' two']);
      assert.doesNotMatch(text, /\[DONE\]|finish_reason":"stop/);
      const rec = await server.settled(0);
      assert.equal(rec.broken, true);
      assert.deepEqual(rec.served, { promptTokens: 2, outputTokens: 2 });
    });

    it('stallAfterTokens: the stream stops after the n-th token and stays open until the client gives up', async () => {
      const server = await start({ vendor: 'openai', reply: { text: 'one two three', stallAfterTokens: 1 } });
      const res = await chat(server, { stream: true });
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('"one"')) text += Buffer.from((await reader.read()).value!).toString('utf8');
      // The stall is an event of the double: wait for it, then for the client's own give-up.
      while (server.requests[0]!.stalledAt === undefined) await new Promise((r) => setImmediate(r));
      assert.equal(server.requests[0]!.completed, false);
      assert.equal(server.requests[0]!.aborted, false);
      await reader.cancel();
      const rec = await server.settled(0);
      assert.equal(rec.aborted, true);
      assert.doesNotMatch(text, /two/);
    });
  });
});

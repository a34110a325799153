/**
 * Every vendor's real error reply, sent by the double over HTTP and read through the provider,
 * must come out as the right kind, status, vendor code, retry-after and retryability — and the
 * message must never contain the key.
 */
import assert from 'node:assert/strict';
import { type ErrorPreset, type VendorName, startOpenAICompatibleServer } from '../../servers/openaiCompatible';
import type { ErrorKind } from '../../../src/core/types';
import { parseDuration, retryAfterFromMessage, retryAfterMs } from '../../../src/core/providers/retryAfter';
import { classifyError } from '../../../src/core/providers/errors';
import { drain, makeProvider, recordingKeys, request } from './helpers';

const KEY = 'sk-secret-abcdefghijklmnop';

interface Case {
  vendor: VendorName;
  preset: ErrorPreset;
  kind: ErrorKind;
  status: number;
  code?: string;
  retryAfterMs?: number;
  retryable: boolean;
}

const CASES: Case[] = [
  // OpenAI
  { vendor: 'openai', preset: 'rate_limit', kind: 'rate_limit', status: 429, code: 'rate_limit_exceeded', retryAfterMs: 210, retryable: true },
  { vendor: 'openai', preset: 'quota', kind: 'quota', status: 429, code: 'insufficient_quota', retryable: false },
  { vendor: 'openai', preset: 'model_not_found', kind: 'model_not_found', status: 404, code: 'model_not_found', retryable: false },
  { vendor: 'openai', preset: 'context_length', kind: 'context_length', status: 400, code: 'context_length_exceeded', retryable: false },
  { vendor: 'openai', preset: 'content_filter', kind: 'content_filter', status: 400, retryable: false },
  { vendor: 'openai', preset: 'overloaded', kind: 'overloaded', status: 503, retryable: true },
  { vendor: 'openai', preset: 'server', kind: 'server', status: 500, retryable: true },
  // Groq: retry-after header only on 429; 498 capacity_exceeded on the flex tier.
  { vendor: 'groq', preset: 'rate_limit', kind: 'rate_limit', status: 429, code: 'rate_limit_exceeded', retryAfterMs: 8000, retryable: true },
  { vendor: 'groq', preset: 'daily_limit', kind: 'rate_limit', status: 429, code: 'rate_limit_exceeded', retryAfterMs: 87_000, retryable: true },
  { vendor: 'groq', preset: 'overloaded', kind: 'overloaded', status: 498, code: 'capacity_exceeded', retryable: true },
  { vendor: 'groq', preset: 'context_length', kind: 'context_length', status: 400, retryable: false },
  // DashScope
  { vendor: 'dashscope', preset: 'rate_limit', kind: 'rate_limit', status: 429, code: 'limit_requests', retryable: true },
  { vendor: 'dashscope', preset: 'quota', kind: 'quota', status: 400, code: 'Arrearage', retryable: false },
  { vendor: 'dashscope', preset: 'model_not_found', kind: 'model_not_found', status: 404, retryable: false },
  { vendor: 'dashscope', preset: 'content_filter', kind: 'content_filter', status: 400, code: 'data_inspection_failed', retryable: false },
  { vendor: 'dashscope', preset: 'context_length', kind: 'context_length', status: 400, retryable: false },
  // Zhipu: numeric-string business codes decide, not the HTTP status.
  { vendor: 'zhipu', preset: 'rate_limit', kind: 'rate_limit', status: 429, code: '1302', retryable: true },
  { vendor: 'zhipu', preset: 'quota', kind: 'quota', status: 429, code: '1113', retryable: false },
  { vendor: 'zhipu', preset: 'daily_limit', kind: 'quota', status: 429, code: '1304', retryable: false },
  { vendor: 'zhipu', preset: 'overloaded', kind: 'overloaded', status: 429, code: '1305', retryable: true },
  { vendor: 'zhipu', preset: 'content_filter', kind: 'content_filter', status: 400, code: '1301', retryable: false },
  { vendor: 'zhipu', preset: 'model_not_found', kind: 'model_not_found', status: 400, code: '1211', retryable: false },
  { vendor: 'zhipu', preset: 'context_length', kind: 'context_length', status: 400, code: '1261', retryable: false },
  // Gemini: JSON array bodies, RetryInfo instead of retry-after.
  { vendor: 'gemini', preset: 'rate_limit', kind: 'rate_limit', status: 429, code: 'RESOURCE_EXHAUSTED', retryAfterMs: 32_000, retryable: true },
  { vendor: 'gemini', preset: 'daily_limit', kind: 'quota', status: 429, code: 'RESOURCE_EXHAUSTED', retryAfterMs: 32_000, retryable: false },
  { vendor: 'gemini', preset: 'model_not_found', kind: 'model_not_found', status: 404, code: 'NOT_FOUND', retryable: false },
  { vendor: 'gemini', preset: 'overloaded', kind: 'overloaded', status: 503, code: 'UNAVAILABLE', retryable: true },
  { vendor: 'gemini', preset: 'context_length', kind: 'context_length', status: 400, code: 'INVALID_ARGUMENT', retryable: false },
  { vendor: 'gemini', preset: 'server', kind: 'server', status: 500, code: 'INTERNAL', retryable: true },
  // vLLM-style top-level error objects
  { vendor: 'custom', preset: 'model_not_found', kind: 'model_not_found', status: 404, retryable: false },
  { vendor: 'custom', preset: 'context_length', kind: 'context_length', status: 400, retryable: false },
];

const AUTH: { vendor: VendorName; status: number; says: RegExp }[] = [
  { vendor: 'openai', status: 401, says: /Incorrect API key/ },
  { vendor: 'groq', status: 401, says: /Invalid API Key/ },
  { vendor: 'dashscope', status: 401, says: /Incorrect API key/ },
  { vendor: 'zhipu', status: 401, says: /令牌已过期或验证不正确/ },
  // Gemini says 400 INVALID_ARGUMENT with reason API_KEY_INVALID, in an array.
  { vendor: 'gemini', status: 400, says: /API key not valid/ },
];

describe('providers/errors: every vendor error body, over HTTP', () => {
  for (const c of CASES) {
    it(`${c.vendor} ${c.preset} → ${c.kind}${c.retryAfterMs !== undefined ? ` after ${c.retryAfterMs} ms` : ''}`, async () => {
      const server = await startOpenAICompatibleServer({ vendor: c.vendor, apiKey: KEY, reply: { error: c.preset } });
      try {
        const keys = recordingKeys({ [`${c.vendor} ${server.url}`]: KEY });
        const provider = makeProvider(c.vendor, { kind: 'openai-compatible', vendor: c.vendor, baseUrl: server.baseUrl, locality: 'cloud' }, keys);
        const out = await drain(provider.stream(request({ model: server.models[0]! })));
        assert.equal(out.raw, undefined, 'providers throw only SwitchyardError');
        const e = out.error!;
        assert.equal(e.kind, c.kind, e.message);
        assert.equal(e.status, c.status);
        if (c.code) assert.equal(e.providerCode, c.code);
        assert.equal(e.retryAfterMs, c.retryAfterMs);
        assert.equal(e.retryable, c.retryable);
        assert.equal(e.provider, c.vendor);
        assert.ok(!e.message.includes(KEY));
        assert.equal(server.requests.length, 1, 'no SDK retries: the router owns retrying');
      } finally {
        await server.close();
      }
    });
  }

  for (const a of AUTH) {
    it(`${a.vendor} wrong key → auth with the vendor's words, an actionable hint, and no key in the message`, async () => {
      const server = await startOpenAICompatibleServer({ vendor: a.vendor, apiKey: 'the-right-key' });
      try {
        const keys = recordingKeys({ [`${a.vendor} ${server.url}`]: KEY });
        const provider = makeProvider(a.vendor, { kind: 'openai-compatible', vendor: a.vendor, baseUrl: server.baseUrl, locality: 'cloud' }, keys);
        const out = await drain(provider.stream(request({ model: server.models[0]! })));
        assert.equal(out.error?.kind, 'auth');
        assert.equal(out.error?.status, a.status);
        assert.equal(out.error?.retryable, false);
        assert.match(out.error!.message, a.says);
        // The fix is data (each surface words it); no core message names a VS Code command.
        assert.deepEqual(out.error?.fix, { action: 'set_key', provider: a.vendor, origin: server.url });
        assert.doesNotMatch(out.error!.message, /Switchyard: Set API Key/);
        assert.ok(!out.error!.message.includes(KEY), out.error!.message);
      } finally {
        await server.close();
      }
    });
  }

  it('a key echoed back by a server is redacted', () => {
    const e = classifyError({ status: 401, headers: new Headers(), error: { message: `bad key ${KEY} and Bearer abcdefghijklmn` } }, {
      providerId: 'x',
      label: 'X',
      vendor: 'openai',
      local: false,
      secrets: [KEY],
    });
    assert.ok(!e.message.includes(KEY));
    assert.ok(!e.message.includes('abcdefghijklmn'));
  });

  it('connection refused on a cloud endpoint points at network and proxy settings', async () => {
    const server = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: KEY });
    const base = server.baseUrl;
    const origin = server.url;
    await server.close();
    const provider = makeProvider('groq', { kind: 'openai-compatible', vendor: 'groq', baseUrl: base, locality: 'cloud' }, recordingKeys({ [`groq ${origin}`]: KEY }));
    const out = await drain(provider.stream(request({ model: 'llama-3.3-70b-versatile' })));
    assert.equal(out.error?.kind, 'network');
    assert.match(out.error!.message, /connection refused/);
    assert.match(out.error!.message, /proxy/);
  });
});

describe('providers/retryAfter', () => {
  it('parses Go-style durations', () => {
    assert.equal(parseDuration('7.66s'), 7660);
    assert.equal(parseDuration('2m59.56s'), 179_560);
    assert.equal(parseDuration('6m0s'), 360_000);
    assert.equal(parseDuration('12ms'), 12);
    assert.equal(parseDuration('1h2m'), 3_720_000);
    assert.equal(parseDuration('soon'), undefined);
  });

  it('reads waits out of messages', () => {
    assert.equal(retryAfterFromMessage('Please try again in 7.66s. Need more tokens?'), 7660);
    assert.equal(retryAfterFromMessage('Please try again in 1m26.4s.'), 86_400);
    assert.equal(retryAfterFromMessage('Please try again in 210ms.'), 210);
    assert.equal(retryAfterFromMessage('please retry after 20 seconds'), 20_000);
    assert.equal(retryAfterFromMessage('no hint here'), undefined);
  });

  it('prefers retry-after-ms, then retry-after (seconds or date), then body hints, then an exhausted x-ratelimit-reset', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), {}, now), 1500);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '9' }), { message: 'try again in 1s' }, now), 9000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Wed, 25 Nov 2026 10:00:30 GMT' }), {}, now), 30_000);
    assert.equal(retryAfterMs(new Headers(), { geminiDetails: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }] }, now), 1500);
    assert.equal(retryAfterMs(new Headers({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2m59.56s', 'x-ratelimit-reset-tokens': '1s' }), {}, now), 179_560);
    assert.equal(retryAfterMs(new Headers({ 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '300ms' }), {}, now), 300);
    // Counters sent on every answer, none exhausted: no wait implied.
    assert.equal(retryAfterMs(new Headers({ 'x-ratelimit-reset-requests': '6ms', 'x-ratelimit-reset-tokens': '300ms' }), {}, now), undefined);
    assert.equal(retryAfterMs(new Headers(), {}, now), undefined);
  });
});

/**
 * Local only trusts the network, not a label: a provider labelled `locality: "local"` on a LAN
 * address is cloud unless the user confirmed the host in `network.trustedLocalHosts`.
 *
 * The machine has no LAN, and no real traffic may go to a non-loopback address: the provider is
 * configured at http://192.168.77.1:8000 and an injected fetch routes exactly that origin to the
 * OpenAI-compatible double on 127.0.0.1 (recording each call); any other URL fails the test.
 */
import { strict as assert } from 'node:assert';
import { parseConfig } from '../../../src/core/config';
import { isTrustedLocalHost, resolveLocality } from '../../../src/core/net/locality';
import { createSwitchyard } from '../../../src/core/switchyard';
import type { Logger, StreamEvent } from '../../../src/core/types';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../../servers/openaiCompatible';

const LAN_ORIGIN = 'http://192.168.77.1:8000';
const MODEL = 'qwen2.5-7b-instruct';

interface LogLine {
  level: 'info' | 'warn' | 'error';
  event: string;
  fields?: Record<string, unknown>;
}

function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (event, fields) => lines.push({ level: 'info', event, fields }),
    warn: (event, fields) => lines.push({ level: 'warn', event, fields }),
    error: (event, fields) => lines.push({ level: 'error', event, fields }),
  };
}

describe('net: a "local" label on a LAN address is not trusted', function () {
  this.timeout(20_000);
  let server: OpenAICompatibleServer;
  /** Every URL the providers fetched, before rewriting. */
  let fetched: string[];
  let escaped: string[];

  /** Routes the LAN origin to the double on loopback; anything else is refused and recorded. */
  const lanFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    fetched.push(url);
    if (!url.startsWith(`${LAN_ORIGIN}/`)) {
      escaped.push(url);
      throw new Error(`test fetch: refused ${url}`);
    }
    return fetch(new URL(server.baseUrl).origin + url.slice(LAN_ORIGIN.length), init);
  }) as typeof fetch;

  beforeEach(async () => {
    fetched = [];
    escaped = [];
    server = await startOpenAICompatibleServer({ vendor: 'custom', apiKey: null, models: [MODEL], reply: { text: 'Hello from the LAN box.' } });
    assert.equal(new URL(server.baseUrl).pathname, '/v1', 'the double serves under /v1, as the provider URL says');
  });
  afterEach(async () => {
    await server.close();
  });

  async function ask(trustedLocalHosts: string[]): Promise<{ events: StreamEvent[]; logs: LogLine[] }> {
    const { config, problems } = parseConfig({
      mode: 'local',
      providers: { lan: { kind: 'openai-compatible', vendor: 'custom', baseUrl: `${LAN_ORIGIN}/v1`, locality: 'local', models: [MODEL] } },
      network: { trustedLocalHosts },
    });
    assert.deepEqual(problems, []);
    const logger = recordingLogger();
    const sy = createSwitchyard({ config, keys: { getKey: async () => 'sk-lan' }, logger, fetch: lanFetch, env: {} });
    const events: StreamEvent[] = [];
    try {
      for await (const ev of sy.stream({ messages: [{ role: 'user', content: 'hello' }], workspaceId: 'w', signal: new AbortController().signal })) events.push(ev);
    } finally {
      sy.dispose();
    }
    return { events, logs: logger.lines };
  }

  it('Local only sends nothing to an unconfirmed LAN host labelled local, and logs why the label was ignored', async () => {
    const { events, logs } = await ask([]);
    assert.equal(server.requests.length, 0, 'no request reached the LAN double');
    assert.deepEqual(fetched, [], 'not even a model listing was attempted');
    const error = events.find((e) => e.type === 'error');
    assert.equal(error?.type === 'error' && error.error.kind, 'local_only');
    const ignored = logs.find((l) => l.event === 'provider.locality_label_ignored');
    assert.equal(ignored?.level, 'warn');
    assert.equal(ignored?.fields?.['provider'], 'lan');
    assert.match(String(ignored?.fields?.['because']), /192\.168\.77\.1:8000 is not a loopback address and is not in switchyard\.network\.trustedLocalHosts/);
  });

  it('a host the user confirmed counts as local: Local only answers from it, directly', async () => {
    const { events } = await ask(['192.168.77.1:8000']);
    const chats = server.requests.filter((r) => r.path === '/v1/chat/completions');
    assert.equal(chats.length, 1, 'the confirmed LAN host got the request');
    const start = events.find((e) => e.type === 'start');
    assert.equal(start?.type === 'start' && start.locality, 'local');
    assert.equal(events.filter((e) => e.type === 'text').map((e) => (e.type === 'text' ? e.text : '')).join(''), 'Hello from the LAN box.');
    assert.deepEqual(escaped, []);
  });

  it('in auto mode with no key, the exclusion says the host is not confirmed as local (not only "no API key") and points at the setting', async () => {
    const { config } = parseConfig({
      providers: { lan: { kind: 'openai-compatible', vendor: 'custom', baseUrl: `${LAN_ORIGIN}/v1`, locality: 'local', models: [MODEL] } },
      tasks: { chat: [`lan/${MODEL}`] },
    });
    const sy = createSwitchyard({ config, keys: { getKey: async () => undefined }, fetch: lanFetch, env: {} });
    try {
      const decision = await sy.plan({ messages: [{ role: 'user', content: 'hello' }], task: 'chat', workspaceId: 'w', signal: new AbortController().signal });
      const out = decision.excluded.find((e) => e.ref.startsWith('lan/'));
      assert.match(out?.why ?? '', /192\.168\.77\.1:8000 is not a loopback address and not in network\.trustedLocalHosts/);
      assert.deepEqual(out?.fix, { action: 'fix_setting', setting: 'network.trustedLocalHosts' });
      assert.equal(server.requests.length, 0);
    } finally {
      sy.dispose();
    }
  });

  it('a confirmation for another port of the same host does not count', async () => {
    const { events } = await ask(['192.168.77.1:9000']);
    assert.equal(server.requests.length, 0);
    assert.ok(events.some((e) => e.type === 'error' && e.error.kind === 'local_only'));
  });
});

describe('net: resolveLocality', () => {
  it('keeps loopback local and a "cloud" label cloud; a "local" label elsewhere needs a confirmed host', () => {
    assert.deepEqual(resolveLocality('http://127.0.0.1:11434', undefined), { locality: 'local' });
    assert.deepEqual(resolveLocality('http://127.0.0.1:11434', 'cloud'), { locality: 'cloud' });
    assert.deepEqual(resolveLocality('https://api.groq.com/openai/v1', undefined), { locality: 'cloud' });
    const lan = resolveLocality('http://10.0.0.5:8000/v1', 'local');
    assert.equal(lan.locality, 'cloud');
    assert.match(lan.labelIgnored ?? '', /10\.0\.0\.5:8000 is not a loopback address/);
    assert.deepEqual(resolveLocality('http://10.0.0.5:8000/v1', 'local', ['10.0.0.5']), { locality: 'local' });
    assert.deepEqual(resolveLocality('http://10.0.0.5:8000/v1', undefined, ['10.0.0.5']), { locality: 'local' }, 'a confirmed host needs no label');
    assert.deepEqual(resolveLocality('http://10.0.0.5:8000/v1', 'cloud', ['10.0.0.5']), { locality: 'cloud' }, 'more private is kept');
  });

  it('matches confirmed hosts exactly: name or address, optional port, URL form, IPv6 in brackets', () => {
    assert.equal(isTrustedLocalHost('http://GPU-Box.lan:8000/v1', ['gpu-box.lan']), true);
    assert.equal(isTrustedLocalHost('http://gpu-box.lan:8000/v1', ['gpu-box.lan:8000']), true);
    assert.equal(isTrustedLocalHost('http://gpu-box.lan:8001/v1', ['gpu-box.lan:8000']), false);
    assert.equal(isTrustedLocalHost('http://gpu-box.lan/v1', ['gpu-box.lan:80']), true, 'the default port is port 80');
    assert.equal(isTrustedLocalHost('http://gpu-box.lan.evil.example/v1', ['gpu-box.lan']), false);
    assert.equal(isTrustedLocalHost('http://evil-gpu-box.lan/v1', ['gpu-box.lan']), false);
    assert.equal(isTrustedLocalHost('http://[fe80::1]:8000/', ['[fe80::1]']), true);
    assert.equal(isTrustedLocalHost('http://192.168.1.20:8000/', ['http://192.168.1.20:8000']), true);
    assert.equal(isTrustedLocalHost('http://192.168.1.20:8000/', ['', '   ', 'not a host']), false);
  });
});

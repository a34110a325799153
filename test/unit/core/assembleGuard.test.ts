/**
 * The reliability guard is part of the one wiring (issue 18): every surface that assembles its
 * core through assembleCore gets it, over the machine's guard log in the state directory, with
 * the `reliability` settings in force. Against the real Groq double: a user's quota is honoured
 * by two cores of two surfaces together, a 401 marks the provider "needs key" until the key
 * changes, and an invalid setting names itself while the defaults stay in force.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assembleCore } from '../../../src/core/assemble';
import { parseConfig } from '../../../src/core/config';
import { DEFAULT_WAIT_FOR_SLOT_MS } from '../../../src/core/reliability';
import { type KeyStore, type StreamEvent, silentLogger } from '../../../src/core/types';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';

const MODEL = 'llama-3.3-70b-versatile';

async function ask(core: ReturnType<typeof assembleCore>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const ev of core.switchyard.stream({ messages: [{ role: 'user', content: 'hi' }], workspaceId: 'w', pinned: `groq/${MODEL}`, signal: new AbortController().signal } as never)) events.push(ev);
  return events;
}

describe('assembleCore wires the reliability guard by default', function () {
  this.timeout(30_000);
  let dir: string;
  let groq: OpenAICompatibleServer;
  let key = 'gsk-one';
  const keys: KeyStore = { getKey: async () => key };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-assemble-guard-'));
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: 'gsk-one', models: [MODEL], reply: { text: 'cloud answer' } });
    key = 'gsk-one';
  });
  afterEach(async () => {
    await groq.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function core(reliability: Record<string, unknown> = {}) {
    const { config, problems } = parseConfig({
      mode: 'cloud',
      providers: { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: [MODEL] } },
      reliability: { waitForSlotMs: 0, ...reliability },
    });
    assert.deepEqual(problems, []);
    return assembleCore({ config }, { keys, logger: silentLogger, env: { SWITCHYARD_STATE_DIR: dir }, spendGuard: null, local: null, escalate: false });
  }

  it("two surfaces' cores share one quota from the settings: the third request of a 2-a-minute quota is refused before it is sent", async () => {
    const panel = core({ quotas: { groq: { requestsPerMinute: 2 } } });
    const cli = core({ quotas: { groq: { requestsPerMinute: 2 } } });
    try {
      assert.ok(panel.providerGuard, 'a guard by default');
      assert.equal((await ask(panel)).find((e) => e.type === 'error'), undefined);
      assert.equal((await ask(cli)).find((e) => e.type === 'error'), undefined);
      const third = await ask(panel);
      const error = third.find((e) => e.type === 'error');
      assert.ok(error && error.type === 'error');
      assert.match(error.error.message, /2\/2 requests this minute, next slot in \d+ s/);
      assert.equal(groq.requests.filter((r) => r.path.endsWith('/chat/completions')).length, 2, 'the double saw two requests, never the third');
    } finally {
      await Promise.all([panel.dispose(), cli.dispose()]);
    }
  });

  it('a rejected key marks the provider "needs key": skipped without a request until the key changes', async () => {
    key = 'gsk-wrong';
    const c = core();
    try {
      const first = await ask(c);
      assert.equal(first.find((e) => e.type === 'error')?.type === 'error' && (first.find((e) => e.type === 'error') as Extract<StreamEvent, { type: 'error' }>).error.kind, 'auth');
      const sent = groq.requests.length;
      await ask(c);
      assert.equal(groq.requests.length, sent, 'the marked provider was not called again');
      key = 'gsk-one';
      const fixed = await ask(c);
      assert.equal(fixed.find((e) => e.type === 'error'), undefined, 'a new key lifts the mark');
    } finally {
      await c.dispose();
    }
  });

  it('an invalid reliability setting is named, and its default stays in force', () => {
    const { config, problems } = parseConfig({ reliability: { waitForSlotMs: -5, quotas: { groq: { requestsPerMinute: 'many' } } } });
    assert.deepEqual(problems.map((p) => [p.path, p.effect]).sort(), [['reliability.quotas.groq.requestsPerMinute', 'default'], ['reliability.waitForSlotMs', 'default']]);
    assert.equal(config.reliability.waitForSlotMs, DEFAULT_WAIT_FOR_SLOT_MS);
    assert.equal(config.reliability.quotas.groq?.requestsPerMinute, undefined);
  });

  it('a host can turn the guard off (a dry-run plan)', async () => {
    const { config } = parseConfig({});
    const c = assembleCore({ config }, { keys, logger: silentLogger, env: { SWITCHYARD_STATE_DIR: dir }, spendGuard: null, local: null, escalate: false, providerGuard: null });
    assert.equal(c.providerGuard, undefined);
    await c.dispose();
  });
});

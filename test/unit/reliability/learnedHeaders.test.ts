/**
 * Providers pass their answers' rate-limit headers to the guard's settle, so a quota the user never
 * configured is learned from real answers: against the Groq double with a scripted quota of 3
 * requests a day (Groq reports its requests counter per day), the guard, wired by assembleCore as
 * for every surface, skips groq after the 3rd answer instead of sending the 4th into the double's 429.
 * The error side: a 429's retry-after is learned too, so the next request is not sent into it.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assembleCore } from '../../../src/core/assemble';
import { parseConfig } from '../../../src/core/config';
import { silentLogger, type StreamEvent } from '../../../src/core/types';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';

const KEY = 'gsk-learn';
const MODEL = 'llama-3.3-70b-versatile';

describe('reliability: rate-limit headers of real answers reach the guard', function () {
  this.timeout(20_000);
  let dir: string;
  let groq: OpenAICompatibleServer;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-learn-'));
  });
  afterEach(async () => {
    await groq?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  function core() {
    const { config } = parseConfig({
      providers: { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: [MODEL] } },
      // No waiting: a skipped last candidate fails at once with the time its slot comes.
      reliability: { waitForSlotMs: 0, retry: { maxAttempts: 1 } },
    });
    return assembleCore({ config }, { keys: { getKey: async (id) => (id === 'groq' ? KEY : undefined) }, logger: silentLogger, env: { SWITCHYARD_STATE_DIR: dir }, spendGuard: null, local: null, escalate: false });
  }

  async function ask(c: ReturnType<typeof core>): Promise<StreamEvent[]> {
    const events: StreamEvent[] = [];
    for await (const ev of c.switchyard.stream({ messages: [{ role: 'user', content: 'hi' }], mode: 'pinned', pinned: `groq/${MODEL}`, maxTokens: 50, workspaceId: 'w', signal: new AbortController().signal })) events.push(ev);
    return events;
  }
  const chats = () => groq.requests.filter((r) => r.path.endsWith('/chat/completions')).length;

  it('after 3 answers whose x-ratelimit-remaining-requests reaches 0, the 4th request is skipped by the guard, never sent', async () => {
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: KEY, models: [MODEL], reply: { text: 'ok' }, quota: { requestsPerDay: 3 } });
    const c = core();
    try {
      for (let i = 0; i < 3; i++) {
        const events = await ask(c);
        assert.ok(!events.some((e) => e.type === 'error'), JSON.stringify(events));
      }
      assert.equal(chats(), 3);
      const fourth = await ask(c);
      const error = fourth.find((e) => e.type === 'error');
      assert.ok(error && error.type === 'error', JSON.stringify(fourth));
      assert.equal(error.error.kind, 'rate_limit');
      assert.match(error.error.message, /rate-limit headers|no requests left/, error.error.message);
      assert.equal(chats(), 3, "the double's 429 was never asked for");
    } finally {
      await c.dispose();
    }
  });

  it("a 429's retry-after is learned from the error answer (held already through error.retryAfterMs; pinned with the headers now passed too): the next request is not sent into it", async () => {
    groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: KEY, models: [MODEL], reply: { text: 'ok' }, quota: { requestsPerMinute: 1 } });
    const c = core();
    try {
      await ask(c);
      const second = await ask(c);
      assert.equal(second.find((e) => e.type === 'error')?.type, 'error');
      assert.equal(chats(), 2, 'the second one met the double’s 429');
      const third = await ask(c);
      assert.equal(third.find((e) => e.type === 'error')?.type, 'error', JSON.stringify(third));
      assert.equal(chats(), 2, 'the third was held back by what the 429 said');
    } finally {
      await c.dispose();
    }
  });
});

/**
 * The completion engine over the real stack — createSwitchyard() (router + Ollama provider) —
 * against the protocol-faithful Ollama double: what reaches the wire, and that stale requests
 * are aborted at the socket (the server sees the connection close).
 */
import { strict as assert } from 'node:assert';
import { CompletionEngine, type CompletionSettings } from '../../../src/core/completion/completionEngine';
import { completionConfigSchema, parseConfig } from '../../../src/core/config';
import { createSwitchyard } from '../../../src/core/switchyard';
import { silentLogger } from '../../../src/core/types';
import { startOllamaServer, type OllamaServer } from '../../servers/ollama';
import { cursor as cursorAt, live } from './helpers';

const SETTINGS: CompletionSettings = { ...completionConfigSchema.parse({}), minDelayMs: 0, maxDelayMs: 0, contextTokens: 0 };
const CODER = { name: 'qwen2.5-coder:1.5b', capabilities: ['completion', 'insert'] };

const cursor = (docWithBar: string) => cursorAt(docWithBar, 'file:///w/a.ts');

const generates = (server: OllamaServer) => server.requests.filter((r) => r.path === '/api/generate');

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), `timed out waiting for ${what}`);
}

describe('completion engine over createSwitchyard and the Ollama double', () => {
  let server: OllamaServer;
  let engine: CompletionEngine;
  let dispose: () => void;

  async function setup(models: { name: string; capabilities: string[] }[], settings: Partial<CompletionSettings> = {}) {
    server = await startOllamaServer({ models });
    const { config } = parseConfig({ providers: { ollama: { kind: 'ollama', baseUrl: server.url } } });
    const switchyard = createSwitchyard({ config, keys: { getKey: async () => undefined } });
    dispose = () => switchyard.dispose();
    engine = new CompletionEngine({
      stream: (req) => switchyard.stream(req),
      listModels: (signal) => switchyard.listModels(signal),
      settings: () => ({ ...SETTINGS, ...settings }),
      logger: silentLogger,
      workspaceId: 'test',
    });
  }

  afterEach(async () => {
    dispose?.();
    await server?.close();
  });

  it('sends prefix and suffix to /api/generate and stops at the end of the line, closing the socket', async () => {
    await setup([CODER]);
    server.enqueue({ text: ['items', '.length', ';', '\n', 'const', ' more', ' =', ' 1', ';', '\n'], chunking: { delayMs: 30 } });
    const out = await engine.complete(cursor('const n = |\nlog(n);'), live());
    assert.deepEqual(out.kind === 'suggestion' && [out.text, out.source], ['items.length;', 'model']);
    const [rec] = generates(server);
    assert.equal(rec!.body.prompt, 'const n = ');
    assert.equal(rec!.body.suffix, '\nlog(n);');
    assert.equal(rec!.body.model, 'qwen2.5-coder:1.5b');
    assert.equal(rec!.body.options.num_predict, 128);
    const settled = await server.settled(server.requests.indexOf(rec!));
    assert.equal(settled.aborted, true, 'early stop closes the connection');
  });

  it('aborts the stale request at the socket when the user types something it does not predict', async () => {
    await setup([CODER]);
    server.enqueue({ text: ['alpha', '()', ';'], chunking: { headersDelayMs: 300, delayMs: 50 } });
    const first = new AbortController();
    const pending = engine.complete(cursor('x = |'), first.signal);
    await until('the request to reach the server', () => generates(server).length === 1);
    server.enqueue({ text: ['eta', ';'] });
    // "b": the stream has not predicted anything yet — it stays until its first token disagrees.
    const typed = cursor('x = b|');
    engine.noteChange(typed, true);
    first.abort();
    const second = await engine.complete(typed, live());
    assert.equal(second.kind === 'suggestion' && second.text, 'eta;');
    const stale = await server.settled(server.requests.indexOf(generates(server)[0]!));
    assert.equal(stale.aborted, true, 'the server saw the stale request aborted');
    assert.equal(((await pending) as { reason: string }).reason, 'superseded');
  });

  it('aborts at once when the cursor moves to another line', async () => {
    await setup([CODER]);
    server.enqueue({ text: ['1', ';'], chunking: { headersDelayMs: 1000 } });
    const pending = engine.complete(cursor('let a = |;\nlet b = 2;'), live());
    await until('the request to reach the server', () => generates(server).length === 1);
    engine.noteChange(cursor('let a = ;\nlet b = |2;'), false);
    const rec = await server.settled(server.requests.indexOf(generates(server)[0]!));
    assert.equal(rec.aborted, true);
    assert.equal(((await pending) as { reason: string }).reason, 'superseded');
  });

  it('reuses the stream in flight when the user types what it predicts (one request)', async () => {
    await setup([CODER]);
    server.enqueue({ text: ['count', ' +', ' 1', ';'], chunking: { delayMs: 80 } });
    const first = new AbortController();
    void engine.complete(cursor('y = |'), first.signal);
    await until('the first token', () => (generates(server)[0]?.chunksWritten ?? 0) >= 1);
    const typed = cursor('y = co|');
    engine.noteChange(typed, true);
    first.abort();
    const out = await engine.complete(typed, live());
    assert.deepEqual(out.kind === 'suggestion' && [out.text, out.source], ['unt + 1;', 'reuse']);
    assert.equal(generates(server).length, 1);
  });

  it('answers a retyped position and a backspace from the cache, without a request', async () => {
    await setup([CODER]);
    server.enqueue({ text: ['Math', '.PI', ' *', ' r', ' *', ' r', ';'] });
    const first = await engine.complete(cursor('const area = |'), live());
    assert.equal(first.kind === 'suggestion' && first.text, 'Math.PI * r * r;');
    const typedInto = await engine.complete(cursor('const area = Math.P|'), live());
    const backspaced = await engine.complete(cursor('const area = Ma|'), live());
    const retyped = await engine.complete(cursor('const area = |'), live());
    assert.deepEqual(
      [typedInto, backspaced, retyped].map((o) => o.kind === 'suggestion' && [o.text, o.source]),
      [
        ['I * r * r;', 'cache'],
        ['th.PI * r * r;', 'cache'],
        ['Math.PI * r * r;', 'cache'],
      ],
    );
    assert.equal(generates(server).length, 1);
  });

  it('says "no local model" with the pull command when the model is not installed, and sends nothing', async () => {
    await setup([{ name: 'llama3.2:3b', capabilities: ['completion'] }]);
    const out = await engine.complete(cursor('z = |'), live());
    assert.equal(out.kind === 'none' && out.reason, 'no-local-model');
    assert.match(out.kind === 'none' ? out.detail : '', /ollama pull qwen2\.5-coder:1\.5b/);
    assert.equal(generates(server).length, 0);
  });

  it('says "model without FIM" for a chat model without the insert capability', async () => {
    await setup([{ name: 'llama3.2:3b', capabilities: ['completion'] }], { model: 'ollama/llama3.2:3b' });
    const out = await engine.complete(cursor('z = |'), live());
    assert.equal(out.kind === 'none' && out.reason, 'model-without-fim');
    assert.equal(generates(server).length, 0);
  });
});

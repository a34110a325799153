/** The simple NPU provider against the NPU double. */
import assert from 'node:assert/strict';
import { type NpuServer, startNpuServer } from '../../servers/npu';
import { flattenMessages } from '../../../src/core/providers';
import { drain, lastOf, makeProvider, recordingKeys, request } from './helpers';

describe('providers/npuSimple', () => {
  let server: NpuServer;
  beforeEach(async () => {
    server = await startNpuServer({ token: 'npu-secret-token' });
  });
  afterEach(() => server.close());

  const provider = (token?: string) =>
    makeProvider('npu', { kind: 'npu-simple', baseUrl: server.url }, recordingKeys(token ? { [`npu ${server.url}`]: token } : {}));

  it('sends {prompt, max_tokens, temperature} with the token and yields one text event with estimated usage', async () => {
    server.enqueue({ result: '本地 NPU 的回答。', chunking: { chunkBytes: 2 } });
    const out = await drain(provider('npu-secret-token').stream(request({ model: 'Qwen2-7B-NPU', maxTokens: 128, temperature: 0.3, messages: [{ role: 'user', content: '你好' }] })));
    assert.equal(out.error, undefined);
    assert.equal(out.text, '本地 NPU 的回答。');
    assert.deepEqual(out.events.map((e) => e.type), ['text', 'usage', 'finish']);
    const usage = lastOf(out.events, 'usage')!.usage;
    assert.equal(usage.estimated, true);
    assert.ok(usage.outputTokens > 0 && usage.inputTokens > 0);
    const rec = server.requests[0]!;
    assert.deepEqual(rec.body, { prompt: '你好', max_tokens: 128, temperature: 0.3 });
    assert.equal(rec.headers.authorization, 'Bearer npu-secret-token');
    assert.equal(provider().locality, 'local');
    assert.equal(provider().capabilities.streaming, false);
  });

  it('a model listing that fails never quotes the token, even when the service echoes it', async () => {
    await server.close();
    server = await startNpuServer({ token: 'npu-secret-token', healthError: { status: 503, body: { success: false, error: 'device busy, token npu-secret-token refused' } } });
    const err = await provider('npu-secret-token').listModels().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.ok(err, 'listModels rejects');
    assert.match(err.message, /device busy/);
    assert.doesNotMatch(err.message, /npu-secret-token/);
  });

  it('a wrong or missing token is auth, worded for a local service', async () => {
    const out = await drain(provider().stream(request({ model: 'Qwen2-7B-NPU' })));
    assert.equal(out.error?.kind, 'auth');
    assert.equal(out.error?.status, 401);
    assert.match(out.error!.message, /token/);
  });

  it('{success:false} and 5xx bodies become server errors with the service\'s words', async () => {
    server.enqueue({ error: { status: 500, body: { success: false, error: 'NPU device busy' } } });
    const out = await drain(provider('npu-secret-token').stream(request({ model: 'Qwen2-7B-NPU' })));
    assert.equal(out.error?.kind, 'server');
    assert.match(out.error!.message, /NPU device busy/);
  });

  it('a body that is not JSON is bad_response', async () => {
    server.enqueue({ error: { status: 200, body: '<html>proxy login</html>' } });
    const out = await drain(provider('npu-secret-token').stream(request({ model: 'Qwen2-7B-NPU' })));
    assert.equal(out.error?.kind, 'bad_response');
  });

  it('lists the model named by the health endpoint', async () => {
    const models = await provider('npu-secret-token').listModels();
    assert.deepEqual(models.map((m) => [m.ref.provider, m.ref.model, m.locality]), [['npu', 'Qwen2-7B-NPU', 'local']]);
  });

  it('flattens a conversation into one role-labelled prompt', () => {
    assert.equal(flattenMessages([{ role: 'user', content: 'hi' }]), 'hi');
    assert.equal(
      flattenMessages([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: '2+2?' },
      ]),
      'System: Be brief.\n\nUser: 2+2?\n\nAssistant:',
    );
  });
});

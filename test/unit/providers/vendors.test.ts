import assert from 'node:assert/strict';
import { createProvider, providerBaseUrl, resolveBaseUrl, VENDORS } from '../../../src/core/providers';
import { directNetwork, providerConfig, recordingKeys } from './helpers';

describe('providers/vendors', () => {
  it('resolves named regional endpoints; an explicit baseUrl wins', () => {
    assert.equal(resolveBaseUrl({ vendor: 'dashscope', region: undefined, baseUrl: undefined }), 'https://dashscope.aliyuncs.com/compatible-mode/v1');
    assert.equal(resolveBaseUrl({ vendor: 'dashscope', region: 'singapore', baseUrl: undefined }), 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1');
    assert.equal(resolveBaseUrl({ vendor: 'dashscope', region: 'us', baseUrl: undefined }), 'https://dashscope-us.aliyuncs.com/compatible-mode/v1');
    assert.equal(resolveBaseUrl({ vendor: 'zhipu', region: undefined, baseUrl: undefined }), 'https://open.bigmodel.cn/api/paas/v4');
    assert.equal(resolveBaseUrl({ vendor: 'zhipu', region: 'zai', baseUrl: undefined }), 'https://api.z.ai/api/paas/v4');
    assert.equal(resolveBaseUrl({ vendor: 'gemini', region: undefined, baseUrl: undefined }), 'https://generativelanguage.googleapis.com/v1beta/openai');
    assert.equal(resolveBaseUrl({ vendor: 'groq', region: undefined, baseUrl: undefined }), 'https://api.groq.com/openai/v1');
    assert.equal(resolveBaseUrl({ vendor: 'groq', region: 'anything', baseUrl: 'https://proxy.example/groq/' }), 'https://proxy.example/groq');
  });

  it('an unknown region names the valid ones', () => {
    assert.throws(() => resolveBaseUrl({ vendor: 'dashscope', region: 'hangzhou', baseUrl: undefined }), /"beijing", "singapore", "us"/);
  });

  it('createProvider derives locality from the URL unless settings say otherwise, and declares capabilities', () => {
    const keys = recordingKeys({});
    const groq = createProvider('groq', providerConfig({ kind: 'openai-compatible', vendor: 'groq' }), { keys, network: directNetwork });
    assert.equal(groq.locality, 'cloud');
    assert.deepEqual(groq.capabilities, { streaming: true, thinking: true, logprobs: false, fim: false, embeddings: false, usageInStream: true });
    const lm = createProvider('lmstudio', providerConfig({ kind: 'openai-compatible', vendor: 'custom' }), { keys, network: directNetwork });
    assert.equal(lm.locality, 'local');
    assert.equal(lm.capabilities.fim, true);
    const ollama = createProvider('ollama', providerConfig({ kind: 'ollama' }), { keys, network: directNetwork });
    assert.equal(ollama.kind, 'ollama');
    assert.equal(ollama.locality, 'local');
    assert.throws(() => providerBaseUrl('npu', providerConfig({ kind: 'npu-simple' })), /needs a baseUrl/);
    for (const v of Object.values(VENDORS)) for (const url of Object.values(v.regions)) assert.doesNotThrow(() => new URL(url));
  });
});

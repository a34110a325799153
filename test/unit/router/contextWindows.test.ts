import { strict as assert } from 'node:assert';
import { UNKNOWN_MODEL_CONTEXT_WINDOW, contextWindowOf } from '../../../src/core/router/contextWindows';
import { MIN_NUM_CTX, numCtxFor } from '../../../src/core/providers/ollamaContext';

describe('context windows and num_ctx', () => {
  it('takes what the provider reported, then the vendor table, then the family default, then the named default', () => {
    assert.deepEqual(contextWindowOf({ ref: { provider: 'ollama', model: 'qwen2.5:7b' }, reported: 32_768 }), { tokens: 32_768, source: 'reported by ollama' });
    // A provider the user named "my-groq" still finds Groq's models by vendor; a dated snapshot holds what its base model holds.
    assert.equal(contextWindowOf({ ref: { provider: 'my-groq', model: 'llama-3.1-8b-instant' }, vendor: 'groq' }).tokens, 131_072);
    assert.equal(contextWindowOf({ ref: { provider: 'openai', model: 'gpt-4o-mini-2024-07-18' }, vendor: 'openai' }).tokens, 128_000);
    assert.equal(contextWindowOf({ ref: { provider: 'gemini', model: 'models/gemini-2.5-flash' }, vendor: 'gemini' }).tokens, 1_048_576);
    assert.deepEqual(contextWindowOf({ ref: { provider: 'lmstudio', model: 'lmstudio-community/qwen2.5-coder-7b-instruct' } }), { tokens: 32_768, source: 'qwen2.5-coder family default' });
    assert.deepEqual(contextWindowOf({ ref: { provider: 'npu', model: 'Mystery-7B-NPU' } }), { tokens: UNKNOWN_MODEL_CONTEXT_WINDOW, source: 'default for an unknown model' });
  });

  it('num_ctx: prompt + answer rounded up to a power of two, at least Ollama\'s default, at most the model\'s length', () => {
    assert.equal(numCtxFor(100, 32_768), MIN_NUM_CTX);
    assert.equal(numCtxFor(4_097, 32_768), 8_192);
    assert.equal(numCtxFor(20_000, 32_768), 32_768);
    assert.equal(numCtxFor(20_000, 24_000), 24_000);
    assert.equal(numCtxFor(100_000, undefined), 131_072);
  });
});

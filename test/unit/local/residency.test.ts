import * as assert from 'node:assert/strict';
import type { Hardware } from '../../../src/core/local/hardware';
import { usableModelMemory } from '../../../src/core/local/memory';
import { planResidency, type ResidencyInput } from '../../../src/core/local/residency';

const GB = 1e9;
const GIB = 1024 ** 3;
// Sizes as /api/tags reports them for the default quantisations.
const models = {
  'qwen2.5-coder:1.5b': { fileBytes: 0.986 * GB, capabilities: ['completion', 'insert'] },
  'qwen2.5-coder:7b': { fileBytes: 4.7 * GB, capabilities: ['completion', 'insert', 'tools'] },
  'qwen2.5:7b': { fileBytes: 4.7 * GB, capabilities: ['completion', 'tools'] },
  'llama3.2:3b': { fileBytes: 2.0 * GB, capabilities: ['completion', 'tools'] },
};
const roles = (chat: string) => [
  { role: 'completion', model: 'qwen2.5-coder:1.5b', needs: ['insert'] },
  { role: 'chat', model: chat },
];
function input(hw: Hardware, chat = 'qwen2.5:7b', extra: Partial<ResidencyInput> = {}): ResidencyInput {
  return { roles: roles(chat), models, usableBytes: usableModelMemory(hw), maxLoadedModels: 3, numParallel: 1, keepAlive: '30m', loaded: [], ...extra };
}

describe('planResidency', () => {
  it('32 GB CPU: completion and chat models both stay loaded', () => {
    const plan = planResidency(input({ totalMemoryBytes: 32 * GIB }));
    assert.equal(plan.strategy, 'separate');
    assert.deepEqual(plan.assignments, { completion: 'qwen2.5-coder:1.5b', chat: 'qwen2.5:7b' });
    assert.deepEqual(plan.keepAlive, { 'qwen2.5-coder:1.5b': '30m', 'qwen2.5:7b': '30m' });
    assert.equal(plan.resident.length, 2);
  });

  it('16 GB CPU: still fits side by side (12 GB usable)', () => {
    assert.equal(planResidency(input({ totalMemoryBytes: 16 * GIB })).strategy, 'separate');
  });

  it('8 GB CPU: too little for both, so the FIM-capable coder model serves both tasks', () => {
    const plan = planResidency(input({ totalMemoryBytes: 8 * GIB }));
    assert.equal(plan.strategy, 'shared');
    assert.deepEqual(plan.assignments, { completion: 'qwen2.5-coder:1.5b', chat: 'qwen2.5-coder:1.5b' });
    assert.deepEqual(plan.resident.map((r) => r.model), ['qwen2.5-coder:1.5b']);
    assert.match(plan.reasons.join('\n'), /only 5\.0 GB is usable/);
  });

  it('8 GB GPU with a coder chat model: shares the larger model that can do both', () => {
    const plan = planResidency(input({ totalMemoryBytes: 16 * GIB, gpu: { kind: 'nvidia', name: 'RTX', vramBytes: 8 * GIB } }, 'qwen2.5-coder:7b'));
    assert.equal(plan.strategy, 'shared');
    assert.deepEqual(plan.assignments, { completion: 'qwen2.5-coder:7b', chat: 'qwen2.5-coder:7b' });
  });

  it('4 GB: even the completion model alone is too big, and the plan says to choose a smaller one', () => {
    const plan = planResidency(input({ totalMemoryBytes: 4 * GIB }));
    assert.equal(plan.strategy, 'priority');
    assert.deepEqual(plan.resident, []);
    assert.match(plan.reasons.at(-1)!, /choose a smaller model/);
  });

  it('keeps the completion model and unloads chat after each answer when no model serves both', () => {
    // The only candidates: a chat model without FIM and a completion model too large to be shared.
    const plan = planResidency({
      ...input({ totalMemoryBytes: 8 * GIB }),
      models: { ...models, 'qwen2.5-coder:1.5b': { fileBytes: 0.986 * GB, capabilities: ['insert'] } },
      roles: [
        { role: 'completion', model: 'qwen2.5-coder:1.5b', needs: ['insert'] },
        { role: 'chat', model: 'qwen2.5:7b', needs: ['tools'] },
      ],
    });
    assert.equal(plan.strategy, 'priority');
    assert.deepEqual(plan.keepAlive, { 'qwen2.5-coder:1.5b': '30m', 'qwen2.5:7b': 0 });
  });

  it('OLLAMA_MAX_LOADED_MODELS=1 forces one shared model even with plenty of memory', () => {
    const plan = planResidency(input({ totalMemoryBytes: 64 * GIB }, 'qwen2.5:7b', { maxLoadedModels: 1 }));
    assert.equal(plan.strategy, 'shared');
    assert.match(plan.reasons[0]!, /at most 1 model/);
  });

  it('parallel slots grow the KV cache: what fits with 1 slot does not with 8', () => {
    const hw = { totalMemoryBytes: 12 * GIB }; // 9 GiB usable
    assert.equal(planResidency(input(hw, 'qwen2.5:7b', { numParallel: 1 })).strategy, 'separate');
    assert.equal(planResidency(input(hw, 'qwen2.5:7b', { numParallel: 8 })).strategy, 'shared');
  });

  it('prefers the real resident size from /api/ps over the estimate', () => {
    const hw = { totalMemoryBytes: 16 * GIB };
    const plan = planResidency(input(hw, 'qwen2.5:7b', { models: { ...models, 'qwen2.5:7b': { ...models['qwen2.5:7b'], loadedBytes: 12 * GB } } }));
    assert.equal(plan.strategy, 'shared');
  });

  it('lists other loaded models that Ollama will have to evict', () => {
    const plan = planResidency(input({ totalMemoryBytes: 16 * GIB }, 'qwen2.5:7b', { loaded: [{ model: 'llama3.2:3b', sizeBytes: 6 * GB }, { model: 'qwen2.5:7b', sizeBytes: 6 * GB }] }));
    assert.deepEqual(plan.wouldEvict, ['llama3.2:3b']);
  });
});

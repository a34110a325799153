import * as assert from 'node:assert/strict';
import { recommendModels } from '../../../src/core/local/catalogue';
import { detectHardware, parseNvidiaSmi } from '../../../src/core/local/hardware';

const GIB = 1024 ** 3;
const pick = (recs: ReturnType<typeof recommendModels>) => Object.fromEntries(recs.map((r) => [r.task, r.model]));

describe('recommendModels', () => {
  it('8 GB RAM, no GPU: small models (the requirements name llama3.2:3b for this machine)', () => {
    assert.deepEqual(pick(recommendModels({ totalMemoryBytes: 8 * GIB })), {
      completion: 'qwen2.5-coder:1.5b',
      code: 'qwen2.5-coder:3b',
      chat: 'llama3.2:3b',
      math: 'qwen2-math:1.5b',
      reasoning: 'qwen3:4b',
    });
  });

  it('32 GB RAM, no GPU: capped by CPU speed, not memory', () => {
    const recs = pick(recommendModels({ totalMemoryBytes: 32 * GIB }));
    assert.equal(recs.completion, 'qwen2.5-coder:3b');
    assert.equal(recs.chat, 'qwen2.5:7b');
    assert.equal(recs.reasoning, 'qwen3:8b');
  });

  it('a 24 GB GPU gets the large models', () => {
    const recs = pick(recommendModels({ totalMemoryBytes: 64 * GIB, gpu: { kind: 'nvidia', name: 'RTX 4090', vramBytes: 24 * GIB } }));
    assert.equal(recs.completion, 'qwen2.5-coder:7b');
    assert.equal(recs.code, 'qwen2.5-coder:14b');
    assert.equal(recs.chat, 'qwen2.5:14b');
  });

  it('a tiny machine still gets the smallest model, marked as not fitting', () => {
    const recs = recommendModels({ totalMemoryBytes: 2 * GIB });
    assert.ok(recs.every((r) => !r.fits));
    assert.match(recs[0]!.why, /below its comfortable size/);
  });

  it('marks installed recommendations', () => {
    const recs = recommendModels({ totalMemoryBytes: 8 * GIB }, new Set(['llama3.2:3b']));
    assert.deepEqual(recs.filter((r) => r.installed).map((r) => r.task), ['chat']);
  });
});

describe('hardware detection', () => {
  it('parses nvidia-smi and takes the largest card', () => {
    assert.deepEqual(parseNvidiaSmi('NVIDIA GeForce RTX 3060, 12288\nNVIDIA RTX A6000, 49140\n'), { kind: 'nvidia', name: 'NVIDIA RTX A6000', vramBytes: 49140 * 1024 * 1024 });
    assert.equal(parseNvidiaSmi(''), undefined);
  });

  it('degrades to CPU-only when nvidia-smi is absent, and treats Apple silicon as unified memory', async () => {
    const base = { totalmem: () => 16 * GIB, arch: 'x64', nvidiaSmi: async () => undefined };
    assert.deepEqual(await detectHardware({ ...base, platform: 'linux' }), { totalMemoryBytes: 16 * GIB });
    const mac = await detectHardware({ ...base, platform: 'darwin', arch: 'arm64' });
    assert.equal(mac.gpu?.kind, 'apple');
  });

  it('really runs on this machine without a GPU tool', async () => {
    const hw = await detectHardware();
    assert.ok(hw.totalMemoryBytes > 0);
  });
});

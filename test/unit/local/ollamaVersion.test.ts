import * as assert from 'node:assert/strict';
import { compareVersions, featuresForModel, featuresForVersion, parseVersion } from '../../../src/core/local/ollamaVersion';

describe('Ollama version gating', () => {
  it('parses and orders versions, pre-releases before releases', () => {
    const v = (s: string) => parseVersion(s)!;
    assert.ok(compareVersions(v('0.12.11'), v('0.12.9')) > 0);
    assert.ok(compareVersions(v('0.13.0-rc1'), v('0.13.0')) < 0);
    assert.ok(compareVersions(v('v0.9.0'), v('0.9')) === 0);
    assert.equal(parseVersion('garbage'), undefined);
  });

  it('gives each feature from its first version on', () => {
    assert.deepEqual(featuresForVersion('0.2.5'), { fim: false, openaiStreamUsage: false, thinking: false, thinkingLevels: false, logprobs: false });
    assert.deepEqual(featuresForVersion('0.2.6'), { fim: true, openaiStreamUsage: false, thinking: false, thinkingLevels: false, logprobs: false });
    assert.deepEqual(featuresForVersion('0.9.0'), { fim: true, openaiStreamUsage: true, thinking: true, thinkingLevels: false, logprobs: false });
    assert.equal(featuresForVersion('0.12.10').logprobs, false);
    assert.equal(featuresForVersion('0.12.11').logprobs, true);
    assert.equal(featuresForVersion('0.12.11-rc0').logprobs, false);
  });

  it('treats a source build ("0.0.0") as current and an unknown version as featureless', () => {
    assert.equal(featuresForVersion('0.0.0').logprobs, true);
    assert.equal(featuresForVersion(undefined).fim, false);
    assert.equal(featuresForVersion('dev').thinking, false);
  });

  it('needs the model capability too for FIM and thinking', () => {
    const f = featuresForModel('0.13.0', ['completion', 'tools']);
    assert.equal(f.fim, false);
    assert.equal(f.thinking, false);
    assert.equal(f.logprobs, true);
    assert.equal(featuresForModel('0.13.0', ['completion', 'insert', 'thinking']).fim, true);
    assert.equal(featuresForModel('0.8.0', ['completion', 'thinking']).thinking, false);
  });
});

import { strict as assert } from 'node:assert';
import { planFimRequest, type FimPlanInput } from '../../../src/core/completion/fimRequest';
import { FimControlFilter, stripFimControl } from '../../../src/core/completion/fimTemplates';
import { parseConfig } from '../../../src/core/config';

describe('completion/fimRequest: which way a FIM request goes over /completions', () => {
  const base: FimPlanInput = { mode: 'auto', serverAppliesSuffix: false, model: 'qwen2.5-coder:7b', prefix: 'a = ', suffix: '\nb', settingName: 'switchyard.providers.lm.fim' };
  const via = (input: Partial<FimPlanInput>) => {
    const plan = planFimRequest({ ...base, ...input });
    return plan.ok ? plan.request.via : 'refused';
  };

  it('auto: suffix where the server applies it, else the family template, else refused', () => {
    assert.equal(via({ serverAppliesSuffix: true }), 'suffix');
    assert.equal(via({ serverAppliesSuffix: true, model: 'llama3.2:3b' }), 'suffix');
    assert.equal(via({}), 'template');
    assert.equal(via({ model: 'llama3.2:3b' }), 'refused');
  });

  it('suffix and template do as told; template without a known family is refused', () => {
    assert.equal(via({ mode: 'suffix', model: 'llama3.2:3b' }), 'suffix');
    assert.equal(via({ mode: 'template', serverAppliesSuffix: true }), 'template');
    assert.equal(via({ mode: 'template', serverAppliesSuffix: true, model: 'llama3.2:3b' }), 'refused');
  });

  it('the suffix way sends prefix and suffix untouched and no stop tokens', () => {
    const plan = planFimRequest({ ...base, mode: 'suffix' });
    assert.deepEqual(plan, { ok: true, request: { via: 'suffix', prompt: 'a = ', suffix: '\nb', stop: [], family: 'qwen' } });
  });

  it('a bad `fim` value is reported with the setting path and the allowed values', () => {
    const { problems } = parseConfig({ providers: { lm: { kind: 'openai-compatible', fim: 'raw' } } });
    assert.deepEqual(problems, [{ path: 'providers.lm.fim', message: 'write "auto", "suffix", "template" (how inline completion fills in the middle)', effect: 'fail_closed' }]);
    const ok = parseConfig({ providers: { lm: { kind: 'openai-compatible', fim: 'template' } } });
    assert.deepEqual([ok.problems, ok.config.providers.lm?.fim], [[], 'template']);
  });
});

describe('completion/fimTemplates: FimControlFilter', () => {
  const feed = (filter: FimControlFilter, chunks: string[]) => chunks.map((c) => filter.push(c)).join('') + filter.flush();

  it('drops an echoed hole marker, ends at the next token, and holds back a token cut across chunks', () => {
    const filter = new FimControlFilter('deepseek');
    assert.equal(feed(filter, ['<｜fim▁', 'end｜>', 'x =', ' 1<｜', 'fim▁', 'begin｜>junk']), 'x = 1');
    assert.equal(filter.ended, true);
  });

  it('gives back a held tail that turned out to be code', () => {
    const filter = new FimControlFilter('qwen');
    assert.equal(filter.push('if a <|fim'), 'if a ');
    assert.equal(filter.push('ish'), '<|fimish');
    assert.equal(filter.flush(), '');
    const ending = new FimControlFilter('qwen');
    assert.equal(ending.push('a <|') + ending.flush(), 'a <|');
  });

  it('without a family it removes every family\'s tokens; with one, only that family\'s', () => {
    assert.deepEqual(stripFimControl('x</s>y'), { text: 'x', ended: true });
    assert.deepEqual(stripFimControl('x</s>y', 'qwen'), { text: 'x</s>y', ended: false });
    assert.deepEqual(stripFimControl('<EOT>', 'codellama'), { text: '', ended: true });
  });
});

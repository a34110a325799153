import { strict as assert } from 'node:assert';
import { ALL_FIM_CONTROL_TOKENS, fimFamilyOf, renderFimPrompt } from '../../../src/core/completion/fimTemplates';

describe('completion/fimTemplates', () => {
  const parts = { prefix: 'def add(a, b):\n    ', suffix: '\n\nprint(add(1, 2))' };

  it('renders Qwen2.5-Coder file-level FIM exactly', () => {
    const { prompt, stop } = renderFimPrompt('qwen', parts);
    assert.equal(prompt, '<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))<|fim_middle|>');
    assert.ok(stop.includes('<|endoftext|>') && stop.includes('<|file_sep|>') && stop.includes('<|fim_pad|>'));
  });

  it('renders Qwen2.5-Coder repo-level FIM with repo name and file separators', () => {
    const { prompt } = renderFimPrompt('qwen', {
      ...parts,
      repoName: 'calc',
      filePath: 'src/main.py',
      snippets: [{ path: 'src/util.py', text: 'def sub(a, b):\n    return a - b' }],
    });
    assert.equal(
      prompt,
      '<|repo_name|>calc\n<|file_sep|>src/util.py\ndef sub(a, b):\n    return a - b\n<|file_sep|>src/main.py\n' +
        '<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))<|fim_middle|>',
    );
  });

  it('renders DeepSeek-Coder with full-width bars and U+2581, not ASCII look-alikes', () => {
    const { prompt, stop } = renderFimPrompt('deepseek', parts);
    assert.equal(prompt, '<｜fim▁begin｜>def add(a, b):\n    <｜fim▁hole｜>\n\nprint(add(1, 2))<｜fim▁end｜>');
    assert.ok(prompt.startsWith('<\uFF5Cfim\u2581begin\uFF5C>'));
    assert.ok(!prompt.includes('<|fim'), 'no half-width bar');
    assert.ok(stop.includes('<｜end▁of▁sentence｜>') && stop.includes('<|EOT|>'));
  });

  it('renders StarCoder2, CodeLlama (its exact spacing) and Codestral (suffix first)', () => {
    assert.equal(renderFimPrompt('starcoder', parts).prompt, '<fim_prefix>def add(a, b):\n    <fim_suffix>\n\nprint(add(1, 2))<fim_middle>');
    assert.equal(renderFimPrompt('codellama', parts).prompt, '<PRE> def add(a, b):\n     <SUF>\n\nprint(add(1, 2)) <MID>');
    assert.equal(renderFimPrompt('codestral', parts).prompt, '[SUFFIX]\n\nprint(add(1, 2))[PREFIX]def add(a, b):\n    ');
    assert.deepEqual(renderFimPrompt('codellama', parts).stop, ['<PRE>', '<SUF>', '<MID>', '<EOT>']);
    assert.ok(renderFimPrompt('codestral', parts).stop.includes('[PREFIX]'));
  });

  it('renders StarCoder2 repo-level context with <repo_name>/<file_sep>', () => {
    const { prompt } = renderFimPrompt('starcoder', { ...parts, repoName: 'r', filePath: 'a.py', snippets: [{ path: 'b.py', text: 'X = 1' }] });
    assert.equal(prompt, '<repo_name>r<file_sep>b.py\nX = 1<file_sep>a.py\n<fim_prefix>def add(a, b):\n    <fim_suffix>\n\nprint(add(1, 2))<fim_middle>');
  });

  it('recognises families from Ollama and Hugging Face model names', () => {
    assert.equal(fimFamilyOf('qwen2.5-coder:1.5b'), 'qwen');
    assert.equal(fimFamilyOf('Qwen/Qwen2.5-Coder-7B'), 'qwen');
    assert.equal(fimFamilyOf('deepseek-coder:6.7b-base'), 'deepseek');
    assert.equal(fimFamilyOf('deepseek-ai/deepseek-coder-v2-lite-base'), 'deepseek');
    assert.equal(fimFamilyOf('starcoder2:3b'), 'starcoder');
    assert.equal(fimFamilyOf('codellama:7b-code'), 'codellama');
    assert.equal(fimFamilyOf('codestral:22b'), 'codestral');
    assert.equal(fimFamilyOf('llama3.2:3b'), undefined);
  });

  it('lists every family control token once for defensive cutting', () => {
    assert.equal(new Set(ALL_FIM_CONTROL_TOKENS).size, ALL_FIM_CONTROL_TOKENS.length);
    for (const t of ['<|fim_middle|>', '<｜fim▁end｜>', '<fim_middle>', '<MID>', '[PREFIX]']) assert.ok(ALL_FIM_CONTROL_TOKENS.includes(t), t);
  });
});

import { strict as assert } from 'node:assert';
import { analyzeCursor } from '../../../src/core/completion/cursorContext';
import { CompletionShaper } from '../../../src/core/completion/completionShaper';

function shaper(before: string, after: string) {
  return new CompletionShaper(analyzeCursor(before, after), after);
}
/** Feeds the deltas; returns [index of the delta that stopped it or -1, result]. */
function feed(s: CompletionShaper, deltas: string[]) {
  const stoppedAt = deltas.findIndex((d) => s.push(d));
  return { stoppedAt, result: s.result() };
}

describe('completion/completionShaper', () => {
  it('stops a single-line completion at the first newline', () => {
    const s = shaper('const total = ', ';\nconsole.log(total);');
    const { stoppedAt, result } = feed(s, ['items', '.reduce((a, b) => a + b, 0)', '\nconst', ' more']);
    assert.equal(stoppedAt, 2);
    assert.equal(result.text, 'items.reduce((a, b) => a + b, 0)');
  });

  it('stops a block body when the indentation falls back, and keeps a closer the suffix lacks', () => {
    const s = shaper('function add(a, b) {', '');
    const { stoppedAt, result } = feed(s, ['\n  const sum = a + b;\n', '  return sum;\n', '}\n', '\nfunction other() {']);
    assert.equal(stoppedAt, 2, 'stops as soon as the closing line is complete');
    assert.equal(result.text, '\n  const sum = a + b;\n  return sum;\n}');
  });

  it('drops the closer when the suffix already has it', () => {
    const s = shaper('function add(a, b) {', '\n}\n');
    const { stoppedAt, result } = feed(s, ['\n  return a + b;\n}\n', 'x']);
    assert.equal(stoppedAt, 0);
    assert.equal(result.text, '\n  return a + b;');
  });

  it('stops a Python body on dedent', () => {
    const s = shaper('def area(r):\n    ', '\n');
    const { result } = feed(s, ['pi = 3.14159\n', '    return pi * r * r\n', '\nprint(area(2))\n']);
    assert.equal(result.text, 'pi = 3.14159\n    return pi * r * r');
  });

  it('stops when the model starts repeating the code after the cursor', () => {
    const s = shaper('def f():\n    ', '\n    return total\n');
    const { stoppedAt, result } = feed(s, ['total = 0\n    for x in xs:\n        total += x\n', '    return total\n']);
    assert.equal(stoppedAt, 1);
    assert.equal(result.text, 'total = 0\n    for x in xs:\n        total += x');
  });

  it('removes a closing bracket the rest of the line already has', () => {
    const s = shaper('print(add(', '))');
    s.push('1, 2))');
    assert.equal(s.result().text, '1, 2');
  });

  it('keeps balanced brackets even when they end like the suffix', () => {
    const s = shaper('run(', ')');
    s.push('make()');
    assert.equal(s.result().text, 'make()');
  });

  it('filters a completion that only repeats the suffix', () => {
    const s = shaper('let a = 1;\n', 'let b = 2;\n');
    s.push('let b = 2;');
    assert.deepEqual(s.result(), { text: '', filtered: 'duplicate-of-suffix' });
  });

  it('cuts at a leaked FIM control token', () => {
    const s = shaper('x = ', '');
    assert.equal(s.push('42<|endoftext|>garbage'), true);
    assert.equal(s.result().text, '42');
  });

  it('drops a hole marker echoed before the answer instead of cutting the answer to nothing', () => {
    const s = shaper('x = ', '');
    assert.equal(s.push('<|fim_middle|>'), false);
    assert.equal(s.push('42<|endoftext|>'), true);
    assert.equal(s.result().text, '42');
  });

  it('reports an empty answer', () => {
    const s = shaper('x = ', '');
    s.push('   ');
    assert.deepEqual(s.result(), { text: '', filtered: 'empty' });
  });
});

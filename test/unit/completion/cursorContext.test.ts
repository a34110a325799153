import { strict as assert } from 'node:assert';
import { analyzeCursor } from '../../../src/core/completion/cursorContext';

describe('completion/cursorContext', () => {
  it('skips mid-word positions', () => {
    assert.equal(analyzeCursor('const resu', 'lt = 1;').skip, 'mid-word');
    assert.equal(analyzeCursor('const resu', ' = 1;').skip, undefined);
  });

  it('wants one line in the middle of a statement', () => {
    const c = analyzeCursor('  const x = compute(', ');\n}');
    assert.equal(c.shape, 'single-line');
    assert.equal(c.atTrigger, true);
    assert.equal(c.lineAfter, ');');
  });

  it('wants several lines on a fresh line and after a block opener at the end of the line', () => {
    assert.equal(analyzeCursor('function f() {\n  ', '\n}').shape, 'multi-line');
    assert.equal(analyzeCursor('def f(x):', '\n').shape, 'multi-line');
    assert.equal(analyzeCursor('if (ok) {', '').shape, 'multi-line');
  });

  it('stays single-line when code follows on the same line', () => {
    assert.equal(analyzeCursor('  ', 'return x;').shape, 'single-line');
    assert.equal(analyzeCursor('foo(', ')').shape, 'single-line');
  });

  it('reads the indentation of the cursor line', () => {
    assert.equal(analyzeCursor('a\n\t\tfoo', '').indent, '\t\t');
  });
});

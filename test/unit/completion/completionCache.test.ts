import { strict as assert } from 'node:assert';
import { CompletionCache, type CursorSnapshot } from '../../../src/core/completion/completionCache';

/** A cursor in `doc` at `offset` (the whole text on both sides, as the adapter sends it). */
function at(doc: string, offset: number, docKey = 'file:///a.ts'): CursorSnapshot {
  return { docKey, offset, before: doc.slice(0, offset), after: doc.slice(offset) };
}

const base = 'function area(r: number) {\n  return ';
const tail = '\n}\n';
const doc = base + tail;

describe('completion/completionCache', () => {
  it('answers the same position again (revisit)', () => {
    const c = new CompletionCache();
    c.store(at(doc, base.length), 'Math.PI * r * r;', 'ollama/qwen2.5-coder:1.5b');
    assert.deepEqual(c.lookup(at(doc, base.length)), { text: 'Math.PI * r * r;', typed: 0, model: 'ollama/qwen2.5-coder:1.5b' });
  });

  it('answers while the user types the suggested text, offering the rest', () => {
    const c = new CompletionCache();
    c.store(at(doc, base.length), 'Math.PI * r * r;');
    const typedDoc = base + 'Math.' + tail;
    assert.equal(c.lookup(at(typedDoc, base.length + 5))?.text, 'PI * r * r;');
  });

  it('answers after backspacing inside the typed part', () => {
    const c = new CompletionCache();
    c.store(at(doc, base.length), 'Math.PI * r * r;');
    const backspaced = base + 'Ma' + tail; // typed "Math." then deleted three characters
    assert.deepEqual(c.lookup(at(backspaced, base.length + 2)), { text: 'th.PI * r * r;', typed: 2 });
  });

  it('misses when the typed text differs from the suggestion', () => {
    const c = new CompletionCache();
    c.store(at(doc, base.length), 'Math.PI * r * r;');
    const other = base + 'Mx' + tail;
    assert.equal(c.lookup(at(other, base.length + 2)), undefined);
  });

  it('misses in another document, after an edit before the cursor, or when the suffix changed', () => {
    const c = new CompletionCache();
    c.store(at(doc, base.length), 'Math.PI * r * r;');
    assert.equal(c.lookup(at(doc, base.length, 'file:///b.ts')), undefined);
    const edited = base.replace('area', 'circleArea') + tail;
    assert.equal(c.lookup(at(edited, base.length + 6)), undefined);
    const newSuffix = base + '\n  // todo\n}\n';
    assert.equal(c.lookup(at(newSuffix, base.length)), undefined);
  });

  it('has nothing more to offer once the whole suggestion is typed', () => {
    const c = new CompletionCache();
    c.store(at(doc, base.length), 'r;');
    const typedAll = base + 'r;' + tail;
    assert.equal(c.lookup(at(typedAll, base.length + 2)), undefined);
  });

  it('evicts the least recently used entry beyond its bound', () => {
    const c = new CompletionCache(Date.now, 2);
    const d = (n: number) => `let v${n} = ` + '\n';
    c.store(at(d(1), 9), '1;');
    c.store(at(d(2), 9), '2;');
    assert.ok(c.lookup(at(d(1), 9))); // 1 is now the most recent
    c.store(at(d(3), 9), '3;');
    assert.equal(c.size, 2);
    assert.ok(c.lookup(at(d(1), 9)));
    assert.equal(c.lookup(at(d(2), 9)), undefined);
  });

  it('expires entries after the TTL', () => {
    let now = 0;
    const c = new CompletionCache(() => now, 10, 1_000);
    c.store(at(doc, base.length), 'x;');
    now = 999;
    assert.ok(c.lookup(at(doc, base.length)));
    now = 2_500;
    assert.equal(c.lookup(at(doc, base.length)), undefined);
    assert.equal(c.size, 0);
  });
});

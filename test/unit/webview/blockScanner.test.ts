/**
 * The resumable scanner that keeps a frame's cost at the new text (webview/render.ts): fed a
 * growing text piece by piece, it finds the same boundaries as a scan of the whole text, and it
 * never looks at a line twice once decided (a 1 MB code block was rescanned on every frame).
 */
import { strict as assert } from 'node:assert';
import { BlockScanner, lastBlockBoundary } from '../../../webview/blocks';

const TEXT = [
  'Intro paragraph.',
  '',
  '```ts',
  'const a = 1;',
  '',
  'const b = 2;',
  '```',
  '',
  '1. one',
  '',
  '2. two',
  '',
  'After the list.',
  '',
  '    indented code',
  '',
  'End.',
  '',
].join('\n');

function boundaries(text: string, pieceChars: number): number[] {
  const scanner = new BlockScanner(0);
  const found: number[] = [];
  for (let end = pieceChars; end < text.length + pieceChars; end += pieceChars) {
    const visible = text.slice(0, end);
    for (let b = scanner.next(visible); b !== undefined; b = scanner.next(visible)) found.push(b);
  }
  return found;
}

describe('webview BlockScanner: boundaries found incrementally', () => {
  it('finds the same boundaries whatever the piece size, in order, each once', () => {
    const whole = boundaries(TEXT, TEXT.length);
    assert.ok(whole.length >= 3, `boundaries: ${whole}`);
    for (const size of [1, 2, 3, 7, 13]) assert.deepEqual(boundaries(TEXT, size), whole, `pieces of ${size}`);
    assert.equal(whole.at(-1), lastBlockBoundary(TEXT, 0));
    // Never inside the fence, never between the list items.
    const fence = TEXT.indexOf('const b');
    assert.ok(!whole.includes(fence));
    assert.ok(!whole.includes(TEXT.indexOf('2. two')));
  });

  it('decides nothing on an unfinished line, then continues from where it stopped', () => {
    const scanner = new BlockScanner(0);
    assert.equal(scanner.next('para\n\n'), undefined, 'the line after the blank one has not begun');
    assert.equal(scanner.next('para\n\n1'), undefined, '"1" may still become a list item');
    assert.equal(scanner.next('para\n\n1a'), 6);
    assert.equal(scanner.next('para\n\n1a'), undefined);
  });
});

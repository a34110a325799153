/**
 * The panel renders a streaming answer as finished blocks plus an open tail (webview/view.ts) and,
 * since rebuilding a long answer froze the panel, keeps those blocks as the final answer. So the
 * cut points must never change what the Markdown means: streamed and cut, the answer must render
 * exactly as the whole text does.
 */
import { strict as assert } from 'node:assert';
import MarkdownIt from 'markdown-it';
import { lastBlockBoundary } from '../../../webview/blocks';

const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });

/** What view.ts does: after each delta, render and keep every finished block; at the end add the tail. */
function renderStreamed(deltas: string[]): string {
  let text = '';
  let stableChars = 0;
  let stable = '';
  for (const delta of deltas) {
    text += delta;
    const cut = lastBlockBoundary(text, stableChars);
    if (cut > stableChars) {
      stable += md.render(text.slice(stableChars, cut));
      stableChars = cut;
    }
  }
  return stable + md.render(text.slice(stableChars));
}

/** Cuts text into pieces of 1..7 characters, deterministically, like a token stream. */
function tokens(text: string): string[] {
  const out: string[] = [];
  for (let i = 0, n = 0; i < text.length; n++) {
    const size = 1 + ((n * 5) % 7);
    out.push(text.slice(i, i + size));
    i += size;
  }
  return out;
}

const ANSWER = [
  '# Binary search',
  '',
  'It halves the range each step, so it takes **O(log n)** time.',
  '',
  '```python',
  'def search(xs, x):',
  '',
  '    lo, hi = 0, len(xs)',
  '    return lo',
  '```',
  '',
  'Steps:',
  '',
  '1. Compare with the middle.',
  '',
  '2. Keep the half that can hold `x`:',
  '',
  '   the left one when it is smaller.',
  '',
  '       indented code inside the item',
  '',
  '3. Stop when the range is empty.',
  '',
  '- a loose bullet',
  '',
  '- another bullet',
  '',
  '> A quote',
  '>',
  '> over two paragraphs.',
  '',
  '2024 was the year; this line starts with a number.',
  '',
  '~~~',
  'a tilde fence',
  '',
  'with a blank line',
  '~~~',
  '',
  'The end.',
].join('\n');

describe('webview blocks: a streamed answer renders exactly as the whole text', () => {
  it('cuts only where the Markdown cannot change meaning (fences, loose lists, indented continuations)', () => {
    assert.equal(renderStreamed(tokens(ANSWER)), md.render(ANSWER));
  });

  it('still cuts: finished paragraphs and code blocks are kept, not re-rendered every frame', () => {
    const text = 'First paragraph.\n\n```ts\nconst a = 1;\n\nconst b = 2;\n```\n\nSecond paragraph, still open';
    const cut = lastBlockBoundary(text, 0);
    assert.equal(text.slice(cut), 'Second paragraph, still open');
    // Inside the fence the blank line is not a boundary.
    assert.equal(lastBlockBoundary('```ts\nconst a = 1;\n\nconst b', 0), 0);
  });

  it('waits for the line after a blank one before cutting there', () => {
    assert.equal(lastBlockBoundary('A paragraph.\n\n', 0), 0);
    assert.equal(lastBlockBoundary('A paragraph.\n\n1', 0), 0, 'may become a list item');
    assert.equal(lastBlockBoundary('A paragraph.\n\nNext', 0), 'A paragraph.\n\n'.length);
  });
});

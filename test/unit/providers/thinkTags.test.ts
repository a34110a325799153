import assert from 'node:assert/strict';
import { ThinkTagSplitter } from '../../../src/core/providers/thinkTags';

function run(chunks: string[]) {
  const s = new ThinkTagSplitter();
  const pieces = [...chunks.flatMap((c) => s.push(c)), ...s.flush()];
  return {
    thinking: pieces.filter((p) => p.type === 'thinking').map((p) => p.text).join(''),
    text: pieces.filter((p) => p.type === 'text').map((p) => p.text).join(''),
  };
}

describe('providers/thinkTags', () => {
  it('splits a leading <think> block cut at every position', () => {
    const whole = '<think>reason 推理</think>\n\nanswer 答案';
    for (let i = 1; i < whole.length; i++) {
      assert.deepEqual(run([whole.slice(0, i), whole.slice(i)]), { thinking: 'reason 推理', text: 'answer 答案' }, `cut at ${i}`);
    }
    assert.deepEqual(run([...whole]), { thinking: 'reason 推理', text: 'answer 答案' });
  });

  it('leaves content without a leading tag alone, including a later literal <think>', () => {
    assert.deepEqual(run(['Use <think>', ' tags']), { thinking: '', text: 'Use <think> tags' });
    assert.deepEqual(run(['<', 'b>bold</b>']), { thinking: '', text: '<b>bold</b>' });
  });

  it('emits an unterminated block as thinking at the end', () => {
    assert.deepEqual(run(['<think>still thinking</thi']), { thinking: 'still thinking</thi', text: '' });
  });
});

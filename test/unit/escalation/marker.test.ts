/**
 * The UNCERTAIN marker: decided from the first characters of the stream, so the watcher reports
 * it in the very delta that completes it (the router then aborts the local request).
 */
import assert from 'node:assert/strict';
import { escalationSignalsSchema } from '../../../src/core/config';
import { createAnswerWatcher } from '../../../src/core/escalation/watcher';
import { findMarker, markerAtStart, MARKER_INSTRUCTION } from '../../../src/core/escalation/signals/marker';
import type { Task } from '../../../src/core/types';

const signals = escalationSignalsSchema.parse({});

/** Feeds deltas in order; returns the index of the delta at which the watcher asked to stop, or -1. */
function stopIndex(deltas: string[], task: Task = 'chat'): number {
  const watcher = createAnswerWatcher({ task, signals, stopEarly: true });
  return deltas.findIndex((d) => (watcher.onText(d) ?? []).some((r) => r.signal === 'marker' && r.fired));
}

describe('escalation signal: marker (streaming)', () => {
  it('stops in the chunk that completes the marker, split over deltas and after whitespace', () => {
    assert.equal(stopIndex(['UNCERTAIN']), 0);
    assert.equal(stopIndex(['UN', 'CERT', 'AIN', ' because']), 2);
    assert.equal(stopIndex(['\n', '  ', 'UNC', 'ERTAIN']), 3);
    assert.equal(stopIndex(['**', 'UNCERTAIN', '**']), 1);
    assert.equal(stopIndex(['> `UNCERTAIN`']), 0);
  });

  it('accepts the Chinese 不确定 as a marker only when it stands alone', () => {
    assert.equal(stopIndex(['不确', '定', '。']), 2); // decided when the full stop shows it is not 不确定性
    assert.equal(stopIndex(['【不确定】']), 0);
    assert.equal(stopIndex(['不确定性', '是对测量结果可信程度的描述']), -1);
    assert.equal(stopIndex(['不是', '这样的']), -1);
  });

  it('never fires on ordinary answers, even ones that start like the marker', () => {
    assert.equal(stopIndex(['Uncertain', ' results are common']), -1);
    assert.equal(stopIndex(['UNIX', ' time is seconds since 1970']), -1);
    assert.equal(stopIndex(['The ', 'answer is UNCERTAIN only if…']), -1);
  });

  it('reports the marker again on finish, and only judges what a stopped attempt can show', () => {
    const watcher = createAnswerWatcher({ task: 'math', signals, stopEarly: true });
    assert.ok(watcher.onText('UNCERTAIN'));
    const results = watcher.onFinish('UNCERTAIN', 'cancelled');
    const fired = results.filter((r) => r.fired);
    assert.deepEqual(fired, [{ signal: 'marker', fired: true, explanation: 'the local model said it is not sure (answered UNCERTAIN)', reason: { code: 'sig_marker', word: 'UNCERTAIN' } }]);
    // math_final would fire on "UNCERTAIN", but an attempt we stopped is not judged for completeness.
    assert.match(results.find((r) => r.signal === 'math_final')!.explanation, /not judged: the attempt ended with "cancelled"/);
  });

  it('with policy "off" (stopEarly false) it never stops the stream but still reports on finish', () => {
    const watcher = createAnswerWatcher({ task: 'chat', signals, stopEarly: false });
    assert.equal(watcher.onText('UNCERTAIN'), undefined);
    assert.equal(watcher.onFinish('UNCERTAIN', 'stop').find((r) => r.signal === 'marker')?.fired, true);
  });
});

describe('escalation signal: marker (finished answer)', () => {
  it('finds a marker on its own line or as the last word, never inside code', () => {
    assert.deepEqual(findMarker('I tried.\n\nUNCERTAIN'), { line: 3 });
    assert.deepEqual(findMarker('It might be v22, not sure. UNCERTAIN.'), { line: 1 });
    assert.equal(findMarker('```ts\nenum C {\nUNCERTAIN\n}\n```'), undefined);
    assert.equal(findMarker('Use the `Confidence.UNCERTAIN` member.'), undefined);
  });

  it('markerAtStart keeps waiting only while the text could still become the marker', () => {
    assert.equal(markerAtStart('  UNCER', false), 'undecided');
    assert.equal(markerAtStart('  UNCER', true), 'no-marker');
    assert.equal(markerAtStart('UNCLE', false), 'no-marker');
    assert.equal(markerAtStart('不确定', false), 'undecided');
    assert.equal(markerAtStart('不确定', true), 'marker');
  });

  it('the instruction tells the model the exact word, in English and Chinese', () => {
    assert.match(MARKER_INSTRUCTION, /reply with exactly the single word UNCERTAIN/);
    assert.match(MARKER_INSTRUCTION, /请只回复 UNCERTAIN/);
  });
});

/**
 * The labelled set, evaluation and RouteLLM-style calibration, and the eval script as the test
 * command runs it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escalationSignalsSchema } from '../../../src/core/config';
import { calibrateThreshold, evaluate, judgeSample, type LabelledSample } from '../../../src/core/escalation/calibration';

const ROOT = join(__dirname, '..', '..', '..');
const samples: LabelledSample[] = readFileSync(join(ROOT, 'test/fixtures/escalation/labelled.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as LabelledSample);
const defaults = escalationSignalsSchema.parse({});

describe('escalation evaluation set', () => {
  it('is large and varied enough to choose thresholds from', () => {
    assert.ok(samples.length >= 60, `${samples.length} samples`);
    for (const lang of ['en', 'zh']) for (const task of ['code', 'math', 'chat']) {
      const n = samples.filter((s) => s.lang === lang && s.task === task).length;
      assert.ok(n >= 5, `${lang}/${task}: ${n}`);
    }
    const ids = new Set(samples.map((s) => s.id));
    assert.equal(ids.size, samples.length, 'ids are unique');
  });

  it('has a hand-written reason for every label, and tokens that rebuild the answer', () => {
    for (const s of samples) {
      assert.ok(s.comment.length > 10, s.id);
      if (s.tokens) {
        assert.equal(s.tokens.map((t) => t.token).join(''), s.answer, s.id);
        assert.ok(s.tokens.every((t) => t.logprob <= 0), s.id);
      }
    }
  });

  it('covers the hard cases: confident-but-wrong, hesitant-but-right, and every kind of failure', () => {
    const ids = samples.map((s) => s.id).join(' ');
    for (const kind of ['wrong', 'hesitant', 'truncated', 'refusal', 'broken|missing-colon|unclosed|trailing-comma', 'no-final', 'uncertain', 'empty']) {
      assert.match(ids, new RegExp(kind), kind);
    }
  });
});

describe('escalation evaluation and calibration', function () {
  // Each test replays the whole set (several times for calibration); generous for a loaded CI machine.
  this.timeout(60_000);

  it('the default policy escalates the marker, truncated, refusal and broken-code samples for the right reason', () => {
    const reasonOf = (id: string) => judgeSample(samples.find((s) => s.id === id)!, defaults).map((r) => r.signal);
    assert.deepEqual(reasonOf('en-code-uncertain-bazel'), ['marker']);
    assert.deepEqual(reasonOf('en-code-missing-colon'), ['code_parse']);
    assert.deepEqual(reasonOf('en-chat-truncated'), ['truncated']);
    assert.deepEqual(reasonOf('zh-chat-refusal-port'), ['refusal']);
    assert.deepEqual(reasonOf('zh-math-no-final'), ['math_final']);
    assert.deepEqual(reasonOf('en-chat-empty'), ['empty']);
    assert.deepEqual(reasonOf('zh-math-hesitant-wrong'), ['logprobs']);
    assert.deepEqual(reasonOf('en-code-debounce'), []);
  });

  it('counts precision and recall against the labels', () => {
    const e = evaluate(samples, defaults);
    assert.equal(e.truePositives + e.falseNegatives, samples.filter((s) => s.should_escalate).length);
    assert.equal(e.escalated, e.truePositives + e.falsePositives);
    assert.ok(Math.abs(e.precision - e.truePositives / e.escalated) < 1e-12);
    // Signals that fire on nothing cannot escalate anything.
    const off = Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, { ...v, enabled: false }])) as typeof defaults;
    assert.equal(evaluate(samples, off).escalated, 0);
  });

  it('calibrateThreshold derives a threshold that sends at most the target share, and more share means a higher threshold', () => {
    let previous = 0;
    for (const target of [0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.9]) {
      const c = calibrateThreshold(target, samples, defaults);
      assert.ok(c.achievedShare <= target + 1e-9, `${target}: achieved ${c.achievedShare}`);
      assert.ok(c.lowTokenProb >= previous, `${target}: ${c.lowTokenProb} < ${previous}`);
      previous = c.lowTokenProb;
      // The derived threshold really yields the reported share when put in the settings.
      const e = evaluate(samples, { ...defaults, logprobs: { ...defaults.logprobs, lowTokenProb: c.lowTokenProb } });
      assert.equal(e.escalationRate, c.achievedShare);
    }
  });

  it('when the other signals alone exceed the target, it switches logprobs off in effect and says so', () => {
    const c = calibrateThreshold(0.1, samples, defaults);
    assert.ok(c.baseShare > 0.1);
    assert.equal(c.achievedShare, c.baseShare);
    assert.ok(c.lowTokenProb > 0);
  });

  it('rejects a target outside 0..1 and an empty sample', () => {
    assert.throws(() => calibrateThreshold(1.5, samples), /between 0 and 1/);
    assert.throws(() => calibrateThreshold(0.2, []), /empty/);
  });

  it('the eval script exits 0 and prints the policy table and the calibration for --target-cloud-share', function () {
    this.timeout(120_000); // a child process compiling TypeScript on a shared 2-core machine
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/eval-escalation.ts'), '--target-cloud-share', '0.5'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.match(out, /^policy\s+escalates\s+precision\s+recall\s+F1/m);
    assert.match(out, /^default \(p<0\.25, share>20\.0%\)/m);
    assert.match(out, /^50\.0%\s+0\.\d{4}\s+50\.0%/m);
  });
});

/**
 * Evaluation and calibration over labelled local answers (test/fixtures/escalation/labelled.jsonl).
 * `evaluate` replays each answer through a real watcher, delta by delta as a router would, and
 * counts escalations against the labels. `calibrateThreshold` is RouteLLM's calibration: given
 * the share of requests the user is willing to send to the cloud, it derives the logprob
 * threshold that sends that share on the sample (labels are not needed for it).
 */
import type { FinishReason, SignalResult, Task, TokenLogprob } from '../types';
import type { EscalationSignalsConfig } from '../config';
import { escalationSignalsSchema } from '../config';
import { createAnswerWatcher } from './watcher';
import { logprobStats } from './signals/logprobs';
import { DEFAULT_LOW_TOKEN_PROB } from './defaults';

/** One line of the labelled set. */
export interface LabelledSample {
  id: string;
  lang: 'en' | 'zh';
  task: Task;
  languageId?: string;
  prompt: string;
  answer: string;
  finish: FinishReason;
  /** Per-token log-probabilities in answer order; absent when the local provider returns none. */
  tokens?: TokenLogprob[];
  should_escalate: boolean;
  /** Why the label is what it is, written by hand. */
  comment: string;
}

/** When a sample has no tokens, its text is streamed in deltas of this many characters (a typical SSE chunk). */
const DELTA_CHARS = 12;

/** Replays the answer through a watcher and returns the fired signals (empty: accepted). */
export function judgeSample(sample: LabelledSample, signals: EscalationSignalsConfig): SignalResult[] {
  const watcher = createAnswerWatcher({ task: sample.task, languageId: sample.languageId, signals, stopEarly: true });
  const deltas: { text: string; logprobs?: TokenLogprob[] }[] = sample.tokens
    ? sample.tokens.map((t) => ({ text: t.token, logprobs: [t] }))
    : chunk(sample.answer, DELTA_CHARS).map((text) => ({ text }));
  let streamed = '';
  for (const delta of deltas) {
    streamed += delta.text;
    // Stopped early, the router ends the attempt as cancelled and asks for the verdicts.
    if (watcher.onText(delta.text, delta.logprobs)) return watcher.onFinish(streamed, 'cancelled').filter((r) => r.fired);
  }
  return watcher.onFinish(sample.answer, sample.finish).filter((r) => r.fired);
}

function chunk(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

export interface SignalContribution {
  fired: number;
  truePositives: number;
  falsePositives: number;
  /** Correct escalations no other signal would have caused. */
  onlyThisSignal: number;
}

export interface Evaluation {
  samples: number;
  escalated: number;
  escalationRate: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
  perSignal: Record<string, SignalContribution>;
  /** Sample ids the policy got wrong, for reading the set. */
  missed: string[];
  wronglyEscalated: string[];
}

export function evaluate(samples: readonly LabelledSample[], signals: EscalationSignalsConfig): Evaluation {
  const perSignal: Record<string, SignalContribution> = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const missed: string[] = [];
  const wronglyEscalated: string[] = [];
  for (const sample of samples) {
    const results = judgeSample(sample, signals);
    const escalated = results.length > 0;
    if (escalated && sample.should_escalate) tp++;
    else if (escalated) (fp++, wronglyEscalated.push(sample.id));
    else if (sample.should_escalate) (fn++, missed.push(sample.id));
    for (const r of results) {
      const c = (perSignal[r.signal] ??= { fired: 0, truePositives: 0, falsePositives: 0, onlyThisSignal: 0 });
      c.fired++;
      if (sample.should_escalate) c.truePositives++;
      else c.falsePositives++;
      if (sample.should_escalate && results.length === 1) c.onlyThisSignal++;
    }
  }
  const escalated = tp + fp;
  const precision = escalated === 0 ? 0 : tp / escalated;
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    samples: samples.length,
    escalated,
    escalationRate: samples.length === 0 ? 0 : escalated / samples.length,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    perSignal,
    missed,
    wronglyEscalated,
  };
}

export interface Calibration {
  targetShare: number;
  /** The derived `signals.logprobs.lowTokenProb`. */
  lowTokenProb: number;
  /** Share of the sample escalated with that threshold (never above the target unless `baseShare` is). */
  achievedShare: number;
  /** Share the other signals escalate on their own; no logprob threshold can go below it. */
  baseShare: number;
}

/**
 * The `lowTokenProb` that sends at most `targetShare` of `samples` to the cloud, counting every
 * enabled signal (the other signals' share is fixed; the logprob threshold fills the rest).
 */
export function calibrateThreshold(
  targetShare: number,
  samples: readonly LabelledSample[],
  signals: EscalationSignalsConfig = escalationSignalsSchema.parse({}),
): Calibration {
  if (!(targetShare >= 0 && targetShare <= 1)) throw new Error(`target cloud share must be between 0 and 1, got ${targetShare}`);
  if (samples.length === 0) throw new Error('cannot calibrate on an empty set of samples');
  const withoutLogprobs = { ...signals, logprobs: { ...signals.logprobs, enabled: false } };
  const n = samples.length;
  let base = 0;
  const scores: number[] = [];
  for (const sample of samples) {
    if (judgeSample(sample, withoutLogprobs).length > 0) base++;
    else if (sample.tokens && sample.tokens.length >= signals.logprobs.minTokens) scores.push(logprobStats(sample.tokens, signals.logprobs).score);
  }
  scores.sort((a, b) => a - b);
  const extra = Math.max(0, Math.floor(targetShare * n + 1e-9) - base);
  // The threshold sits strictly between the last score let in and the first kept out, so exactly
  // `extra` more answers fire (fewer only when scores tie); never rounded, which could cross one.
  let threshold: number;
  if (scores.length === 0) threshold = DEFAULT_LOW_TOKEN_PROB; // nothing to calibrate on: keep the default
  else if (extra === 0) threshold = scores[0]! / 2;
  else if (extra >= scores.length) threshold = (scores[scores.length - 1]! + 1) / 2;
  else threshold = (scores[extra - 1]! + scores[extra]!) / 2;
  const sent = base + scores.filter((s) => s < threshold).length;
  return { targetShare, lowTokenProb: threshold, achievedShare: sent / n, baseShare: base / n };
}

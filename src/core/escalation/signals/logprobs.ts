/**
 * The token log-probability signal. It looks at a low quantile of per-token probability —
 * equivalently, the share of low-confidence tokens — never at the mean over the whole answer:
 * the mean is biased by answer length, so long answers look confident and short ones do not
 * (Gupta et al., "Language Model Cascades: Token-level uncertainty and beyond", ICLR 2024).
 *
 * "More than `maxLowShare` of the tokens are below p = `lowTokenProb`" is the same test as
 * "the `maxLowShare`-quantile of token probability is below `lowTokenProb`", so the signal has
 * one score per answer (that quantile) and one threshold, which is what calibration moves.
 */
import type { SignalReason } from '../../reasons';
import type { TokenLogprob } from '../../types';
import type { EscalationSignalsConfig } from '../../config';
import { fired, percent, quiet, type FinishedAnswer, type SignalJudge } from '../signal';

export type LogprobsSettings = EscalationSignalsConfig['logprobs'];

export interface LogprobStats {
  tokens: number;
  /** Share of tokens with probability below the low-confidence threshold. */
  lowShare: number;
  /**
   * The answer's confidence score: the probability p such that the signal fires exactly when
   * p < lowTokenProb (the k-th lowest token probability, k = floor(maxLowShare × n) + 1).
   */
  score: number;
}

export function logprobStats(tokens: readonly TokenLogprob[], settings: Pick<LogprobsSettings, 'lowTokenProb' | 'maxLowShare'>): LogprobStats {
  const probs = tokens.map((t) => Math.exp(t.logprob)).sort((a, b) => a - b);
  const n = probs.length;
  const low = probs.filter((p) => p < settings.lowTokenProb).length;
  const k = Math.floor(settings.maxLowShare * n); // 0-based index of the k-th lowest, k as above
  return { tokens: n, lowShare: n === 0 ? 0 : low / n, score: probs[Math.min(k, n - 1)] ?? 1 };
}

export function judgeLogprobs(tokens: readonly TokenLogprob[], settings: LogprobsSettings) {
  if (tokens.length === 0) return quiet('logprobs', { code: 'sig_no_logprobs' });
  if (tokens.length < settings.minTokens) {
    return quiet('logprobs', { code: 'sig_few_tokens', tokens: String(tokens.length), needed: String(settings.minTokens) });
  }
  const stats = logprobStats(tokens, settings);
  const quantileName = `p${Math.round(settings.maxLowShare * 100)}`;
  const text: SignalReason = {
    code: 'sig_logprobs',
    lowShare: percent(stats.lowShare),
    lowTokenProb: settings.lowTokenProb.toFixed(2),
    limit: percent(settings.maxLowShare),
    quantile: quantileName,
    score: stats.score.toFixed(2),
    tokens: String(stats.tokens),
  };
  // Decided on the score so that calibration (which moves lowTokenProb over scores) agrees exactly.
  return stats.score < settings.lowTokenProb ? fired('logprobs', text) : quiet('logprobs', text);
}

export function logprobsJudge(settings: LogprobsSettings): SignalJudge {
  return { name: 'logprobs', finish: (answer: FinishedAnswer) => judgeLogprobs(answer.logprobs, settings) };
}

/**
 * Default thresholds of the escalation signals, in one place so that the settings schema
 * (src/core/config.ts) and the evaluation script agree on them.
 *
 * How they were chosen: `npm run eval:escalation` runs every policy over the hand-labelled set
 * test/fixtures/escalation/labelled.jsonl and prints escalation rate, precision and recall.
 * The numbers quoted below are from that table; re-run it after changing anything here.
 */

/**
 * A token counts as "low-confidence" when its probability is below this, and the logprobs
 * signal fires when more than DEFAULT_MAX_LOW_SHARE of the answer's tokens are — i.e. when the
 * p20 of per-token probability is below 0.25. A share (a low quantile), not the mean, because the
 * mean over a whole answer is biased by its length (Gupta et al., "Language Model Cascades:
 * Token-level uncertainty and beyond", ICLR 2024).
 *
 * Chosen from `npm run eval:escalation` (78 labelled answers, 40 should escalate): the grid over
 * p ∈ {0.10…0.50} × share ∈ {5…20 %} peaks at p < 0.25, share > 20 % with F1 0.88 — escalation
 * rate 44.9 %, precision 0.94, recall 0.82 with every signal on; its neighbours (0.30/20 %: 0.87,
 * 0.25/15 %: 0.86, 0.35/20 %: 0.86) form a plateau, so it is not a lucky spike. The first guess,
 * 0.30/10 %, gave F1 0.83 (precision 0.81: it escalated six hesitant-but-right answers).
 * The 7 misses are 6 confident-but-wrong answers no local signal can see and 1 wrong answer
 * (an off-by-one binary search) whose hesitation stayed under the limit; the 2 wrong
 * escalations are correct refusals of harmful requests.
 * The set is enriched with failures, so the rate on real traffic is much lower.
 */
export const DEFAULT_LOW_TOKEN_PROB = 0.25;

/** See DEFAULT_LOW_TOKEN_PROB for where this comes from. */
export const DEFAULT_MAX_LOW_SHARE = 0.2;

/**
 * Below this many tokens a quantile says little (one token is 10 % of a 10-token answer),
 * so the logprobs signal does not judge; the other signals still do.
 */
export const DEFAULT_MIN_LOGPROB_TOKENS = 12;

/** The word the local model is told to answer with when unsure (the requirements' cascade note). */
export const UNCERTAIN_MARKER = 'UNCERTAIN';

/** Tasks whose answers must contain parseable code blocks. Chat answers with sketches are not judged. */
export const DEFAULT_CODE_PARSE_TASKS = ['code'] as const;

/** Tasks whose answers must reach a final answer. */
export const DEFAULT_MATH_FINAL_TASKS = ['math'] as const;

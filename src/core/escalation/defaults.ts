/**
 * Default thresholds of the escalation signals, in one place so that the settings schema
 * (src/core/config.ts) and the evaluation script agree on them.
 *
 * How they were chosen: `npm run eval:escalation` runs every policy over the hand-labelled set
 * test/fixtures/escalation/labelled.jsonl and prints escalation rate, precision and recall.
 * The numbers quoted below are from that table; re-run it after changing anything here.
 */

/**
 * A token counts as "low-confidence" when its probability is below this.
 * Eval: 0.30 with a 10 % share gave the best F1 of the grid (see DEFAULT_MAX_LOW_SHARE);
 * 0.20 missed most hesitant-and-wrong answers, 0.40 started escalating hesitant-but-right ones.
 */
export const DEFAULT_LOW_TOKEN_PROB = 0.3;

/**
 * The logprobs signal fires when more than this share of the answer's tokens are low-confidence,
 * i.e. when the p10 of per-token probability falls below DEFAULT_LOW_TOKEN_PROB. A share (a low
 * quantile), not the mean, because the mean over a whole answer is biased by its length
 * (Gupta et al., "Language Model Cascades: Token-level uncertainty and beyond", ICLR 2024).
 */
export const DEFAULT_MAX_LOW_SHARE = 0.1;

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

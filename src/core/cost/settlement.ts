/**
 * What a finished attempt is recorded as when the provider could not tell us: our estimate of a
 * stream that reported no usage, and the charge for a reservation whose process died. Every
 * estimate here errs high: a ledger below the bill can break the cap, one above it only shows
 * a little less room.
 */
import type { CostBreakdown, FinishReason, SpendRequest, Usage } from '../types';
import { costOf } from './costMath';
import { LEDGER_FORMAT_VERSION, type ProgressRecord, type ReserveRecord, type UsageRecord } from './ledgerRecords';
import type { ResolvedPrice } from './prices';
import { estimateTextTokens } from './tokens';

/**
 * Our counts come from cl100k, the vendor bills with its own tokenizer (Llama, Qwen, GLM,
 * Gemini): on English and code they agree within about ±10 %, so estimates add 10 %. (Chinese is
 * already overestimated by cl100k, see tokens.ts.) Used for the reserved input, the settled
 * input of a stream without usage, and streamed text.
 */
export const TOKENIZER_MARGIN = 1.1;

/**
 * A process writes a progress line after its first delta, then whenever this many deltas or
 * PROGRESS_STEP_CHARS characters arrived since the last one. 32 tokens is ~0.1 s of a fast
 * cloud model (Groq ~300 tok/s): a few lock sections per second per stream, and a killed
 * process is settled at most this far behind what it had received.
 */
export const PROGRESS_STEP_DELTAS = 32;
/** The same step in characters (32 tokens of English or code at ~4 characters a token), for providers whose deltas carry many tokens (Gemini's chunks). */
export const PROGRESS_STEP_CHARS = 128;
/**
 * What a provider may have generated for a killed process beyond what it received: the tokens
 * in flight in the socket buffers and those produced before the vendor notices the closed
 * connection (a SIGKILL closes it at once). 32 tokens covers a 64 KB socket buffer of ~2 KB SSE
 * frames; vendors are not documented to stop sooner, so this is a judgement, on the high side.
 */
export const PROVIDER_RUN_ON_TOKENS = 32;

/**
 * Output tokens of streamed text, counted so as never to be below the vendor's count: every
 * delta carries at least one token, and the text, counted with cl100k, plus the tokenizer margin.
 */
export function conservativeOutputTokens(deltas: number, text: string | undefined): number {
  const counted = text ? estimateTextTokens(text) : 0;
  return Math.max(deltas, Math.ceil(counted * TOKENIZER_MARGIN));
}

/**
 * Usage when the provider reported none (cancelled, cut mid-stream, or a provider that never
 * reports): the input estimated before the call plus the tokenizer margin, the output counted
 * conservatively from what was received (`deltas`: the text and thinking events seen). A
 * failure before any output (a 4xx/5xx reply) is not billed by any vendor, so it costs 0.
 */
export function estimateUsage(req: SpendRequest, finish: FinishReason, outputText: string | undefined, deltas = 0): Usage {
  const outputTokens = conservativeOutputTokens(deltas, outputText);
  const billedNothing = finish === 'error' && outputTokens === 0;
  return { inputTokens: billedNothing ? 0 : Math.ceil(req.inputTokensEstimate * TOKENIZER_MARGIN), outputTokens, estimated: true };
}

/**
 * A reservation whose process died, settled from the most the ledger knows:
 * - the provider's usage, when the process had recorded it (the request completed: it is the
 *   bill, with the provider's finish reason, not "abandoned");
 * - else its last progress line: the input with the tokenizer margin, the output received so far
 *   plus what could have come since the line (a progress step and the provider's run-on), at
 *   most max_tokens and at most the worst case, marked as an estimate;
 * - else the worst case, marked as an estimate: showing a cost above the bill is recoverable,
 *   below it is not.
 * `resolved` is the model's price now (undefined or unpriced: the worst case held is charged).
 */
export function abandonedUsage(r: ReserveRecord, progress?: ProgressRecord, resolved?: ResolvedPrice): UsageRecord {
  const base = {
    t: 'usage' as const,
    v: LEDGER_FORMAT_VERSION,
    id: r.id,
    requestId: r.requestId,
    time: r.time,
    day: r.day,
    workspace: r.workspace,
    task: r.task,
    purpose: r.task === 'completion' ? ('completion' as const) : ('chat' as const),
    provider: r.provider,
    model: r.model,
    locality: 'cloud' as const,
    latencyMs: 0,
    pid: r.pid,
  };
  const priced = resolved?.kind === 'priced' ? resolved : undefined;
  if (progress?.usage && priced) {
    const usage: Usage = { ...progress.usage, estimated: false };
    const cost = costOf(usage, priced, r.thinking ?? false);
    return {
      ...base,
      ...usageColumns(usage, cost),
      priceSource: `${cost.priceSource} (usage the provider reported; the process ended before settling)`,
      outcome: progress.finish ?? 'stop',
    };
  }
  if (progress && priced) {
    const inputTokens = Math.ceil(r.inputTokensEstimate * TOKENIZER_MARGIN);
    const outputTokens = Math.min(r.maxTokens, progress.outputTokens + PROGRESS_STEP_DELTAS + PROVIDER_RUN_ON_TOKENS);
    const cost = costOf({ inputTokens, outputTokens, estimated: true }, priced, r.thinking ?? false);
    return {
      ...base,
      inputTokens,
      outputTokens,
      cachedInputTokens: 0,
      reasoningTokens: 0,
      costUsd: Math.min(cost.totalUsd, r.worstUsd),
      estimated: true,
      priceSource: 'estimate from streamed progress (process ended before settling)',
      outcome: 'abandoned',
    };
  }
  return {
    ...base,
    inputTokens: r.inputTokensEstimate,
    outputTokens: r.maxTokens,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costUsd: r.worstUsd,
    estimated: true,
    priceSource: 'worst case (process ended before settling)',
    outcome: 'abandoned',
  };
}

/** A usage record's token and cost columns, from the usage it settles and its price. */
export function usageColumns(usage: Usage, cost: CostBreakdown): Pick<UsageRecord, 'inputTokens' | 'outputTokens' | 'cachedInputTokens' | 'reasoningTokens' | 'costUsd' | 'estimated'> {
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cachedInputTokens: usage.cachedInputTokens ?? 0,
    reasoningTokens: usage.reasoningTokens ?? 0,
    costUsd: cost.totalUsd,
    estimated: cost.estimated,
  };
}

/**
 * What a finished attempt is recorded as when the provider could not tell us: our estimate of a
 * stream that reported no usage, and the charge for a reservation whose process died.
 */
import type { FinishReason, SpendRequest, Usage } from '../types';
import { LEDGER_FORMAT_VERSION, type ReserveRecord, type UsageRecord } from './ledgerRecords';
import { estimateTextTokens } from './tokens';

/**
 * Usage when the provider reported none (cancelled, failed mid-stream, or a provider that never
 * reports): the input we estimated before the call, the output counted from the text received.
 * A failure before any output (a 4xx/5xx reply) is not billed by any vendor, so it costs 0.
 */
export function estimateUsage(req: SpendRequest, finish: FinishReason, outputText: string | undefined): Usage {
  const outputTokens = outputText ? estimateTextTokens(outputText) : 0;
  const billedNothing = finish === 'error' && outputTokens === 0;
  return { inputTokens: billedNothing ? 0 : req.inputTokensEstimate, outputTokens, estimated: true };
}

/**
 * A reservation whose process died. We cannot know how far the call got, so it is charged at its
 * worst case: showing a cost above the bill is recoverable, below it is not.
 */
export function abandonedUsage(r: ReserveRecord): UsageRecord {
  return {
    t: 'usage',
    v: LEDGER_FORMAT_VERSION,
    id: r.id,
    requestId: r.requestId,
    time: r.time,
    day: r.day,
    workspace: r.workspace,
    task: r.task,
    purpose: r.task === 'completion' ? 'completion' : 'chat',
    provider: r.provider,
    model: r.model,
    locality: 'cloud',
    inputTokens: r.inputTokensEstimate,
    outputTokens: r.maxTokens,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costUsd: r.worstUsd,
    estimated: true,
    priceSource: 'worst case (process ended before settling)',
    latencyMs: 0,
    outcome: 'abandoned',
    pid: r.pid,
  };
}

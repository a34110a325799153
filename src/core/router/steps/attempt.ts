/**
 * Step 4, attempt: one candidate tried once. prepareAttempt runs the steps before a byte is
 * sent (gate, reserve); sendAttempt sends the request, hands the answer stream to the caller
 * through a TokenPhase, and closes with the judge's signals and the settle step.
 */
import type { AnswerWatcher, Candidate, ChatMessage, ModelRef, Provider, ProviderEvent, StreamEvent, Task } from '../../types';
import { DEFAULT_MAX_TOKENS } from '../defaults';
import type { GuardRequest } from '../guard';
import { TokenPhase } from '../tokenPhase';
import type { AttemptOutcome, EscalationTarget, RouteContext } from './context';
import { askGuard, gateCandidate } from './gate';
import { finalSignals } from './judge';
import { admitAttempt, reserveSpend } from './reserve';
import { AttemptHold, attemptEnd, settleAttempt } from './settle';

export interface AttemptSpec {
  /** 1-based, across the request. */
  attempt: number;
  task: Task;
  /** Set on the attempts after an escalation: the answer escalated from. */
  escalatedFrom: ModelRef | undefined;
  /** Set when this attempt's answer could be escalated. */
  escalation: EscalationTarget | undefined;
  /** Candidates queued after this one (for the provider guard). */
  remaining: number;
}

export interface PreparedAttempt {
  provider: Provider;
  maxTokens: number;
  hold: AttemptHold;
}

/** Gate, then reserve: the provider, the output cap and what the attempt holds, or how it ended before it began. */
export async function prepareAttempt(ctx: RouteContext, candidate: Candidate, spec: AttemptSpec): Promise<PreparedAttempt | AttemptOutcome> {
  const { deps, req } = ctx;
  const gated = gateCandidate(ctx, candidate);
  if (!('provider' in gated)) return gated;
  let maxTokens = req.maxTokens ?? DEFAULT_MAX_TOKENS;
  // Without a provider guard, none of its steps runs (not even an await).
  const guardRequest: GuardRequest | undefined = deps.providerGuard && {
    candidate,
    inputTokensEstimate: ctx.inputTokensEstimate(),
    maxTokens,
    requestId: ctx.requestId,
    attempt: spec.attempt,
    remaining: spec.remaining,
    signal: req.signal,
  };
  if (guardRequest) {
    const skipped = await askGuard(ctx, guardRequest);
    if (skipped) return skipped;
  }
  let reservation;
  if (deps.spendGuard) {
    const reserved = await reserveSpend(ctx, candidate, { task: spec.task, maxTokens, escalatedFrom: spec.escalatedFrom });
    if (!('reservation' in reserved)) return reserved;
    reservation = reserved.reservation;
    maxTokens = reservation.maxTokens;
  }
  const lease = guardRequest ? await admitAttempt(ctx, { ...guardRequest, maxTokens }) : undefined;
  return { provider: gated.provider, maxTokens, hold: new AttemptHold(ctx, candidate.ref, reservation, lease) };
}

/** Sends the prepared attempt; yields its events (the answer as a TokenPhase) and returns how it ended. */
export async function* sendAttempt(ctx: RouteContext, candidate: Candidate, spec: AttemptSpec, prepared: PreparedAttempt): AsyncGenerator<StreamEvent | TokenPhase, AttemptOutcome, undefined> {
  const { req, deps, now } = ctx;
  const { ref, locality } = candidate;
  const { attempt } = spec;
  const { provider, hold } = prepared;
  const controller = new AbortController();
  const onRequestAbort = (): void => controller.abort(req.signal.reason);
  // Not `once`: it is removed in `finally` anyway, and a `once` listener costs twice as much to add and remove.
  req.signal.addEventListener('abort', onRequestAbort);
  if (req.signal.aborted) controller.abort(req.signal.reason);
  const hook = deps.escalation;
  const startedAt = Date.now();
  let t0 = now();
  let phase: TokenPhase | undefined;
  try {
    ctx.attempts++;
    yield { type: 'start', attempt, ref, locality, why: candidate.why, ...(candidate.reasons ? { reasons: candidate.reasons } : {}) };
    if (hold.reservation?.notice) yield { type: 'notice', attempt, message: hold.reservation.notice, ...(hold.reservation.noticeReason ? { reason: hold.reservation.noticeReason } : {}) };

    const watcher = hook?.watch(spec.task, ref, locality, req.languageId);
    const messages = withSystemPrompt(req.messages, hook?.systemPromptFor(spec.task, locality));
    t0 = now();
    const events = openStream(ctx, candidate, prepared, { messages, watcher, signal: controller.signal });
    // The answer streams through the fast lane (TokenPhase); the loop resumes here when it ends.
    phase = new TokenPhase(events, { attempt, ref, now, watcher, escalation: spec.escalation, hook, requestSignal: req.signal, controller, observe: hold.reservation?.observe?.bind(hold.reservation) });
    yield phase;

    const end = attemptEnd(ctx, provider, phase, startedAt, t0);
    let cost;
    if (hold.reservation) cost = await hold.settleSpend({ usage: end.usage, finish: end.finish, latencyMs: end.timing.totalMs, outputText: end.outputText });
    else hold.closeSpend();
    if (cost) yield { type: 'cost', attempt, cost };
    const fired = finalSignals(watcher, phase, end);
    yield { type: 'finish', attempt, reason: end.finish, timing: end.timing };
    return await settleAttempt(hold, ref, end, phase, fired);
  } finally {
    req.signal.removeEventListener('abort', onRequestAbort);
    // The caller walked away mid-stream (or something threw): stop the socket, settle once.
    if (hold.spendOpen) {
      controller.abort();
      await hold.settleSpend({ usage: phase?.usage, finish: 'cancelled', latencyMs: now() - t0, outputText: (phase && phase.thinking + phase.text) || undefined });
    }
    if (hold.leaseOpen) await hold.settleLease({ finish: 'cancelled', started: phase?.firstAt !== undefined, usage: phase?.usage });
  }
}

/** The provider's answer stream for this attempt. */
function openStream(
  ctx: RouteContext,
  candidate: Candidate,
  prepared: PreparedAttempt,
  { messages, watcher, signal }: { messages: ChatMessage[]; watcher: AnswerWatcher | undefined; signal: AbortSignal },
): AsyncIterable<ProviderEvent> {
  const { req, deps } = ctx;
  const { ref, locality } = candidate;
  const { provider } = prepared;
  return provider.stream({
    model: ref.model,
    messages,
    maxTokens: prepared.maxTokens,
    temperature: req.temperature,
    thinking: req.thinking,
    logprobs: watcher !== undefined && locality === 'local' && provider.capabilities.logprobs ? true : undefined,
    fim: req.fim,
    keepAlive: locality === 'local' ? deps.keepAliveFor?.(ref.model) : undefined,
    signal,
  });
}

/** Appends the escalation hook's instruction to the system prompt (or adds one). */
export function withSystemPrompt(messages: ChatMessage[], extra: string | undefined): ChatMessage[] {
  if (!extra) return messages;
  const i = messages.findIndex((m) => m.role === 'system');
  if (i < 0) return [{ role: 'system', content: extra }, ...messages];
  return messages.map((m, j) => (j === i ? { role: 'system', content: `${m.content}\n\n${extra}` } : m));
}

/**
 * One attempt's watcher: feeds each streamed delta to the signals that look at the stream
 * (the marker), collects text and token log-probabilities, and on finish asks every enabled
 * signal for its verdict. Signals that fired during the stream are reported again on finish,
 * so the router sees one complete list whichever way the attempt ended.
 */
import type { AnswerWatcher, FinishReason, SignalResult, Task, TokenLogprob } from '../types';
import type { EscalationSignalsConfig } from '../config';
import { quiet, type SignalJudge } from './signal';
import { logprobsJudge } from './signals/logprobs';
import { markerJudge } from './signals/marker';
import { codeParseJudge } from './signals/codeParse';
import { mathFinalJudge } from './signals/mathFinal';
import { truncatedJudge } from './signals/truncated';
import { emptyJudge } from './signals/empty';
import { refusalJudge } from './signals/refusal';

export interface WatcherOptions {
  task: Task;
  languageId?: string;
  signals: EscalationSignalsConfig;
  /** False with policy "off": the answer is still judged (so the panel can say why), but never stopped. */
  stopEarly: boolean;
}

/** The enabled signals, fresh for one attempt. */
export function judgesFor(signals: EscalationSignalsConfig): SignalJudge[] {
  const judges: SignalJudge[] = [];
  if (signals.marker.enabled) judges.push(markerJudge());
  if (signals.logprobs.enabled) judges.push(logprobsJudge(signals.logprobs));
  if (signals.code_parse.enabled) judges.push(codeParseJudge(signals.code_parse));
  if (signals.math_final.enabled) judges.push(mathFinalJudge(signals.math_final));
  if (signals.truncated.enabled) judges.push(truncatedJudge());
  if (signals.empty.enabled) judges.push(emptyJudge());
  if (signals.refusal.enabled) judges.push(refusalJudge());
  return judges;
}

export function createAnswerWatcher(options: WatcherOptions): AnswerWatcher {
  const judges = judgesFor(options.signals);
  const logprobs: TokenLogprob[] = [];
  const early = new Map<string, SignalResult>();

  return {
    onText(text, tokenLogprobs) {
      if (tokenLogprobs) logprobs.push(...tokenLogprobs);
      const now: SignalResult[] = [];
      for (const judge of judges) {
        if (early.has(judge.name)) continue;
        const result = judge.onDelta?.(text, tokenLogprobs);
        if (result?.fired) {
          early.set(judge.name, result);
          now.push(result);
        }
      }
      return options.stopEarly && now.length > 0 ? now : undefined;
    },

    onFinish(finalText: string, reason: FinishReason): SignalResult[] {
      // An attempt we stopped (or that failed) is incomplete: judging its completeness would
      // only repeat the cause. Report what fired in the stream and mark the rest unjudged.
      const incomplete = reason === 'cancelled' || reason === 'error';
      return judges.map((judge) => {
        const stopped = early.get(judge.name);
        if (stopped) return stopped;
        if (incomplete) return quiet(judge.name, { code: 'sig_not_judged_ended', reason });
        return judge.finish({ text: finalText, reason, logprobs, task: options.task, languageId: options.languageId });
      });
    },
  };
}

/** The watcher for attempts that are not judged: cloud answers are accepted as they are. */
export const acceptingWatcher: AnswerWatcher = {
  onText: () => undefined,
  onFinish: () => [],
};

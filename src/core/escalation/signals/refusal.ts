/**
 * The local model refused (small models refuse harmless requests far more often than large
 * ones), or the provider's content filter stopped it. Only the opening of the answer is read:
 * a refusal comes first, and "I cannot stress enough…" deep inside an answer is not one.
 */
import { fired, quiet, type FinishedAnswer, type SignalJudge } from '../signal';

/** How much of the answer's start is searched for a refusal, in characters (about two sentences). */
const REFUSAL_WINDOW_CHARS = 240;

const REFUSAL_PHRASES: readonly RegExp[] = [
  // English
  /\bI(?:'m| am)\s+(?:sorry|afraid),?\s+(?:but\s+)?I\s+(?:can(?:'|’|no)?t|cannot|won(?:'|’)t|am unable to|am not able to)\b/i,
  /^\W*(?:I\s+)?(?:can(?:'|’|no)?t|cannot|won(?:'|’)t|am unable to|am not able to)\s+(?:help|assist|provide|answer|comply|do that|write|complete|fulfil)/i,
  /\bI(?:'m| am)\s+(?:unable|not able) to\s+(?:help|assist|provide|answer|comply|fulfil)/i,
  /\bas an AI(?: language model| assistant)?,?\s+I\s+(?:can(?:'|’|no)?t|cannot|don(?:'|’)t|do not|am unable|am not able)\b/i,
  // Chinese
  /^\W*(?:很|非常)?抱歉[，,。！!\s]*(?:但是?|不过)?[，,\s]*(?:我|本助手)?(?:无法|不能|没办法|不便|不可以)/u,
  /我(?:无法|不能|没办法|不便)(?:为你|为您|帮你|帮您)?(?:回答|提供|帮助|协助|完成|满足|处理)/u,
  /作为(?:一个|一名)?(?:AI|人工智能)(?:语言模型|助手|模型)?[，,\s]*我(?:无法|不能|没办法)/u,
];

export function judgeRefusal(answer: Pick<FinishedAnswer, 'text' | 'reason'>) {
  if (answer.reason === 'content_filter') return fired('refusal', { code: 'sig_content_filter' });
  const opening = answer.text.trimStart().slice(0, REFUSAL_WINDOW_CHARS);
  const match = REFUSAL_PHRASES.map((re) => re.exec(opening)).find((m) => m);
  return match
    ? fired('refusal', { code: 'sig_refused', quote: match[0].trim() })
    : quiet('refusal', { code: 'sig_no_refusal' });
}

export const refusalJudge = (): SignalJudge => ({ name: 'refusal', finish: judgeRefusal });

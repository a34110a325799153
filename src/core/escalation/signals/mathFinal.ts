/**
 * A math answer must reach a final answer: a boxed result, an "the answer is …", a
 * "so/therefore … = value", a last line ending in "= number", or the Chinese 答案/所以/因此/故…
 * An answer that only sets up the problem, trails off or says it cannot decide does not.
 */
import type { EscalationSignalsConfig } from '../../config';
import { fired, quiet, type FinishedAnswer, type SignalJudge } from '../signal';

export type MathFinalSettings = EscalationSignalsConfig['math_final'];

/** A value: a number, fraction, root, π or LaTeX expression start, possibly signed or in $…$. */
const VALUE = String.raw`\$?\s*[-−+]?\s*(?:\d|\\(?:frac|sqrt|dfrac|pi)|√|π|\()`;

/** Phrases that announce a final answer anywhere in the text. */
const ANNOUNCED_ANSWER: readonly RegExp[] = [
  /\\boxed\s*\{/,
  /\\fbox\s*\{/,
  /\b(?:final answer|the answer is|answer\s*[:：]|answer is)/i,
  /(?:最终答案|最后答案|答案|结果)\s*(?:是|为|：|:|=|＝)/,
];

/** A conclusion word followed, within the same sentence, by "= / is / 为 / 是" and a value. */
const CONCLUSION: readonly RegExp[] = [
  new RegExp(String.raw`\b(?:so|thus|therefore|hence)\b[^.\n]{0,80}?(?:=|≈|\bis\b|\bequals\b|\bgives\b)\s*${VALUE}`, 'i'),
  new RegExp(String.raw`(?:所以|因此|故|综上|于是|从而|即)[^。\n]{0,60}?(?:=|＝|≈|为|是|等于|得)\s*${VALUE}`),
];

/**
 * The last line states "… = value", optionally followed by a short unit ("cm²", "元", "km/h").
 * No comma may follow: "n = 20，先求出第 20 项…" is a setup, not a result.
 */
const ENDS_WITH_VALUE = new RegExp(String.raw`(?:=|＝|≈)\s*${VALUE}[^=,，;；:：\n]{0,16}$`);

/** Conclusions are only looked for near the end, where a worked solution states its result. */
const TAIL_LINES = 4;

export function reachesFinalAnswer(text: string): boolean {
  if (ANNOUNCED_ANSWER.some((re) => re.test(text))) return true;
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(?:\$\$|\\\]|\\\[|```)$/.test(l));
  const tail = lines.slice(-TAIL_LINES).join('\n');
  if (CONCLUSION.some((re) => re.test(tail))) return true;
  const last = (lines[lines.length - 1] ?? '').replace(/[$\\\].。*\s]+$/u, '');
  return ENDS_WITH_VALUE.test(last);
}

export function judgeMathFinal(answer: Pick<FinishedAnswer, 'text' | 'task'>, settings: MathFinalSettings) {
  if (!settings.tasks.includes(answer.task)) return quiet('math_final', { code: 'sig_not_judged_task_math', task: answer.task });
  if (!answer.text.trim()) return quiet('math_final', { code: 'sig_not_judged_empty' });
  return reachesFinalAnswer(answer.text)
    ? quiet('math_final', { code: 'sig_final_stated' })
    : fired('math_final', { code: 'sig_math_no_final' });
}

export function mathFinalJudge(settings: MathFinalSettings): SignalJudge {
  return { name: 'math_final', finish: (answer) => judgeMathFinal(answer, settings) };
}

/**
 * The model's own word: the local model is told to answer exactly UNCERTAIN when it is not sure
 * (the cascade in the requirements). The scanner decides from the first characters of the
 * stream, so the router can stop the local request in the very chunk that completes the marker.
 *
 * Accepted at the start of the answer: leading whitespace and Markdown decoration
 * (`**UNCERTAIN**`, `> UNCERTAIN`, `` `UNCERTAIN` ``), a marker split over several deltas, and the
 * Chinese 不确定 that models translating the instruction write instead (bracketed, or followed by
 * punctuation or the end). At the end of the attempt a marker on a line of its own, or as the
 * last word, also counts; lines inside code fences never do (an enum member may be UNCERTAIN).
 */
import { UNCERTAIN_MARKER } from '../defaults';
import { fired, quiet, type FinishedAnswer, type SignalJudge } from '../signal';
import type { SignalResult } from '../../types';

/** The instruction appended to the local model's system prompt, in English and Chinese. */
export const MARKER_INSTRUCTION =
  `If you are not sure that your answer is correct, reply with exactly the single word ${UNCERTAIN_MARKER} and nothing else. ` +
  `如果你不确定自己的答案是否正确，请只回复 ${UNCERTAIN_MARKER} 这一个英文单词（保持大写，不要翻译，不要添加其他内容）。`;

const CHINESE_MARKER = '不确定';
/** Decoration a model may put before the marker: whitespace, Markdown emphasis/quote/heading, brackets, quotes. */
const LEADING_DECORATION = /^[\s*_`#>\[(【「『"'“‘]+/u;
/** What may follow 不确定 for it to be the marker and not the start of a sentence (不确定性是…). */
const CHINESE_MARKER_END = /^(?:$|[\s。.!！,，:：;；*_`\]】」』)"'”’]|UNCERTAIN)/u;
/** Fences in which marker-looking lines are code, not the model's word. */
const FENCE_LINE = /^\s*(```|~~~)/;

export type MarkerVerdict = 'marker' | 'no-marker' | 'undecided';

/** Decides from the start of an answer; "undecided" while the text so far could still become a marker. */
export function markerAtStart(text: string, complete: boolean): MarkerVerdict {
  const rest = text.replace(LEADING_DECORATION, '');
  if (rest.startsWith(UNCERTAIN_MARKER)) return 'marker';
  if (rest.startsWith(CHINESE_MARKER)) {
    const after = rest.slice(CHINESE_MARKER.length);
    if (after === '' && !complete) return 'undecided';
    return CHINESE_MARKER_END.test(after) ? 'marker' : 'no-marker';
  }
  const couldBecome = UNCERTAIN_MARKER.startsWith(rest) || CHINESE_MARKER.startsWith(rest);
  return couldBecome && !complete ? 'undecided' : 'no-marker';
}

/** A marker anywhere in the finished answer: on a line of its own (outside code) or as the last word. */
export function findMarker(text: string): { line: number } | undefined {
  if (markerAtStart(text, true) === 'marker') return { line: 1 };
  const lines = text.split('\n');
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FENCE_LINE.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (!inFence && isMarkerLine(line)) return { line: i + 1 };
  }
  const tail = text.trimEnd().replace(/[\s*_`.。!！\])】」]+$/u, '');
  if (!inFence && /(?:^|[\s:：(（【\[])UNCERTAIN$/u.test(tail)) return { line: lines.length };
  return undefined;
}

function isMarkerLine(line: string): boolean {
  const core = line.replace(LEADING_DECORATION, '').replace(/[\s*_`.。!！:：\])】」』"'”’]+$/u, '');
  return core === UNCERTAIN_MARKER || core === CHINESE_MARKER;
}

/** `line`: where the marker stood, when not on the first line. */
function markerResult(text: string, line?: number): SignalResult {
  const word = text.includes(UNCERTAIN_MARKER) ? UNCERTAIN_MARKER : CHINESE_MARKER;
  return fired('marker', line === undefined ? { code: 'sig_marker', word } : { code: 'sig_marker_line', word, line: String(line) });
}

/** A fresh judge per attempt: it keeps the start of the stream until the start is decided. */
export function markerJudge(): SignalJudge {
  let head = '';
  let decided: MarkerVerdict = 'undecided';
  return {
    name: 'marker',
    onDelta(text: string): SignalResult | undefined {
      if (decided !== 'undecided') return undefined;
      head += text;
      decided = markerAtStart(head, false);
      return decided === 'marker' ? markerResult(head) : undefined;
    },
    finish(answer: FinishedAnswer): SignalResult {
      const found = findMarker(answer.text);
      if (!found) return quiet('marker', { code: 'sig_no_marker', marker: UNCERTAIN_MARKER });
      return markerResult(answer.text, found.line === 1 ? undefined : found.line);
    },
  };
}

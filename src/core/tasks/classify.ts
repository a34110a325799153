/**
 * Guesses what a request is for (code, math, translate, …) from its text and editor context,
 * and says why in words a user understands ("math: contains an equation"). Cheap by design:
 * it runs on every request, so it is a handful of precompiled, linear-time patterns over a
 * bounded window of the prompt (see cues.ts), never a model call.
 */
import type { ChatMessage, Task } from '../types';
import { CUES, MATH_LANGUAGE_IDS, NUMBER, PROSE_LANGUAGE_IDS, WORD_PROBLEM_MIN_NUMBERS, WORD_PROBLEM_QUESTION } from './cues';
import { estimatePromptTokens, estimateTokens } from '../tokenEstimate';
import { type CueReason, type TaskReason, taskReasonLine } from '../reasons';

export interface ClassifyInput {
  /** The user's request (usually the last user message). */
  text: string;
  /** The editor's language id of the active file. */
  languageId?: string;
  /** Text selected in the editor, when the request is about it. */
  selection?: string;
  /** Tokens in the whole conversation when known; defaults to an estimate of text + selection (src/core/tokenEstimate.ts). */
  contextTokens?: number;
}

export interface Classification {
  task: Task;
  /** "math: contains an equation": English, rendered from `reasonData`, for logs and the CLI. */
  reason: string;
  /** The same reason as data: surfaces word it in their language (src/core/reasons). */
  reasonData: TaskReason;
}

const classified = (task: Task, reasonData: TaskReason): Classification => ({ task, reason: taskReasonLine(reasonData, task), reasonData });

/**
 * Above this many tokens a request goes to a long-context model: 8,192 is the context window
 * most small local models (llama3.2:3b, qwen2.5:7b on default Ollama settings) are run with.
 */
export const LONG_CONTEXT_TOKENS = 8_192;

/** Instructions sit at the start or the end of a prompt; the middle of a pasted document adds noise and time. */
const SCAN_HEAD_CHARS = 3_000;
const SCAN_TAIL_CHARS = 1_000;

/** A task needs at least a domain word's worth of evidence; below that the request is chat. */
const MIN_SCORE = 2;
const SELECTION_IN_CODE_FILE = 3;
const CODE_FILE_HINT = 1;
const MATH_FILE_HINT = 2;
const WORD_PROBLEM_WEIGHT = 3;

/** When two tasks score the same, the more specialised model wins: a coder beats a chat model. */
const TIE_ORDER: readonly Task[] = ['code', 'math', 'translate', 'summarize', 'creative', 'reasoning'];

/** How many reasons the explanation names. */
const REASONS_SHOWN = 2;

interface Tally {
  score: number;
  reasons: { reason: CueReason; weight: number }[];
}

export function classifyTask(input: ClassifyInput): Classification {
  const contextTokens = input.contextTokens ?? estimateTokens(input.text) + (input.selection ? estimateTokens(input.selection) : 0);
  if (contextTokens > LONG_CONTEXT_TOKENS) {
    return classified('long_context', { code: 'task_long_context', tokens: contextTokens, limit: LONG_CONTEXT_TOKENS });
  }

  const window = scanWindow(input.text) + (input.selection ? '\n' + scanWindow(input.selection) : '');
  const tallies = new Map<Task, Tally>();
  const vote = (task: Task, weight: number, reason: CueReason): void => {
    let t = tallies.get(task);
    if (!t) tallies.set(task, (t = { score: 0, reasons: [] }));
    t.score += weight;
    // One reason per wording: two Chinese and English patterns saying the same thing add up once in words.
    if (!t.reasons.some((r) => r.reason.code === reason.code)) t.reasons.push({ reason, weight });
  };

  for (const cue of CUES) if (cue.pattern.test(window)) vote(cue.task, cue.weight, { code: cue.cue });
  if (isWordProblem(window)) vote('math', WORD_PROBLEM_WEIGHT, { code: 'cue_word_problem' });

  const lang = input.languageId?.toLowerCase();
  if (lang !== undefined && !PROSE_LANGUAGE_IDS.has(lang)) {
    const language = input.languageId!;
    if (MATH_LANGUAGE_IDS.has(lang)) vote('math', MATH_FILE_HINT, { code: 'cue_file_is', language });
    else if (input.selection?.trim()) vote('code', SELECTION_IN_CODE_FILE, { code: 'cue_selected_in_file', language });
    else vote('code', CODE_FILE_HINT, { code: 'cue_open_file_is', language });
  }

  let best: Task | undefined;
  let bestScore = MIN_SCORE - 1;
  for (const task of TIE_ORDER) {
    const score = tallies.get(task)?.score ?? 0;
    if (score > bestScore) {
      best = task;
      bestScore = score;
    }
  }
  if (!best) return classified('chat', { code: 'task_no_cues' });

  const reasons = tallies
    .get(best)!
    .reasons.slice()
    .sort((a, b) => b.weight - a.weight)
    .slice(0, REASONS_SHOWN)
    .map((r) => r.reason);
  return classified(best, { code: 'task_cues', task: best, cues: reasons });
}

/**
 * Classifies a conversation by its last user message, counting the whole conversation for size
 * with the same estimate as the router's fit check and the budget (estimatePromptTokens).
 */
export function classifyMessages(
  messages: readonly ChatMessage[],
  /** `promptTokens`: estimatePromptTokens(messages) when the caller has it already (a 2 MB prompt costs milliseconds to count). */
  context: { languageId?: string; selection?: string; promptTokens?: number } = {},
): Classification {
  let last: ChatMessage | undefined;
  for (let i = messages.length - 1; i >= 0 && !last; i--) if (messages[i]!.role === 'user') last = messages[i];
  return classifyTask({
    text: last?.content ?? '',
    languageId: context.languageId,
    selection: context.selection,
    contextTokens: (context.promptTokens ?? estimatePromptTokens(messages)) + (context.selection ? estimateTokens(context.selection) : 0),
  });
}

function scanWindow(text: string): string {
  if (text.length <= SCAN_HEAD_CHARS + SCAN_TAIL_CHARS) return text;
  return text.slice(0, SCAN_HEAD_CHARS) + '\n' + text.slice(text.length - SCAN_TAIL_CHARS);
}

function isWordProblem(text: string): boolean {
  if (!WORD_PROBLEM_QUESTION.test(text)) return false;
  NUMBER.lastIndex = 0;
  let count = 0;
  while (NUMBER.exec(text)) if (++count >= WORD_PROBLEM_MIN_NUMBERS) return true;
  return false;
}

/**
 * The prompts the editor commands send. Pure, so what goes to a model is reviewable and tested.
 * Instructions are English (every model follows them best) but ask for an answer in the user's
 * display language, so Chinese-speaking users get Chinese explanations.
 */
import type { Task } from '../../core/types';

/** Past this, the selection is cut (and the cut said): a whole minified file would not fit a local model anyway. */
export const MAX_SELECTION_CHARS = 24_000;

export interface CodeContext {
  code: string;
  languageId: string;
  /** "src/main.ts:10-24" */
  where: string;
  /** VS Code display language, e.g. "zh-cn". */
  displayLanguage: string;
}

export type EditorAction = 'explain' | 'fix' | 'writeTests' | 'ask';

export interface BuiltPrompt {
  prompt: string;
  task: Task;
  /** Short label for the panel. */
  label: string;
}

const LANGUAGE_NAMES: Record<string, string> = { 'zh-cn': 'Simplified Chinese', 'zh-tw': 'Traditional Chinese', ja: 'Japanese', ko: 'Korean' };

/** "Answer in Simplified Chinese." for non-English display languages, nothing for English. */
export function answerLanguageHint(displayLanguage: string): string {
  const lang = displayLanguage.toLowerCase();
  const name = LANGUAGE_NAMES[lang];
  return name ? ` Answer in ${name}.` : '';
}

export function buildEditorPrompt(action: EditorAction, ctx: CodeContext, question?: string): BuiltPrompt {
  const fence = fenceFor(ctx.code);
  const cut = ctx.code.length > MAX_SELECTION_CHARS;
  const code = cut ? ctx.code.slice(0, MAX_SELECTION_CHARS) : ctx.code;
  const block = `${fence}${ctx.languageId}\n${code}\n${fence}${cut ? `\n(Only the first ${MAX_SELECTION_CHARS} characters are shown.)` : ''}`;
  const lang = answerLanguageHint(ctx.displayLanguage);
  switch (action) {
    case 'explain':
      return {
        task: 'code',
        label: `Explain · ${ctx.where}`,
        prompt: `Explain what this ${ctx.languageId} code from ${ctx.where} does, step by step, and point out anything surprising.${lang}\n\n${block}`,
      };
    case 'fix':
      return {
        task: 'code',
        label: `Fix · ${ctx.where}`,
        prompt: `Find the bugs in this ${ctx.languageId} code from ${ctx.where} and fix them. Reply with the corrected code in one code block, then a short list of what you changed and why.${lang}\n\n${block}`,
      };
    case 'writeTests':
      return {
        task: 'code',
        label: `Tests · ${ctx.where}`,
        prompt: `Write unit tests for this ${ctx.languageId} code from ${ctx.where}, using the test framework most common for ${ctx.languageId}. Cover normal cases, edge cases and errors. Reply with the test file in one code block.${lang}\n\n${block}`,
      };
    case 'ask':
      return {
        // The router classifies a free question; code in it is a strong hint.
        task: 'code',
        label: `${firstLine(question ?? '')} · ${ctx.where}`,
        prompt: `${question ?? ''}\n\n${block}`,
      };
  }
}

/** A fence longer than any backtick run inside the code, so code containing ``` stays one block. */
function fenceFor(code: string): string {
  let longest = 2;
  for (const run of code.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(longest + 1);
}

/** First line, shortened for a label. */
export function firstLine(text: string, max = 60): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

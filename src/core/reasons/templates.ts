/**
 * The ONE English table of the core's reasons: code -> template with {0}-style placeholders, and
 * the order in which a reason's fields fill them. The core's English strings (log lines, the
 * CLI's English output, `message` of errors) are rendered from it; VS Code passes the template
 * to vscode.l10n.t (l10n/bundle.l10n.zh-cn.json is keyed by these templates) and the CLI has a
 * zh-cn table with the same codes (src/cli/messages.ts). Changing a template here changes the
 * key of its translations: change both.
 */
import type { Task } from '../types';
import type { Reason, ReasonCode } from './types';

export type ReasonTable = Readonly<Record<ReasonCode, string>>;

export const reasonTemplates: ReasonTable = {
  why_settings_rank: '#{0} for {1} in settings',
  why_defaults_rank: '#{0} for {1} in the shipped defaults',
  why_pinned: 'pinned to {0}',
  why_pinned_listed: 'pinned to {0}; listed for {1}',
  why_installed_as: 'installed as {0}',
  why_installed_fallback: "installed on {0}; none of the {1} list's models is",
  why_local_unlisted: '{0} is a local provider not in the {1} list',
  why_cloud_unlisted: '{0} is configured but not in the {1} list',

  excl_bad_ref: '{0}',
  excl_not_configured: '{0}: no provider with this id is configured',
  excl_unavailable: '{0}: {1}',
  excl_disabled: '{0}: disabled in settings',
  excl_cloud_in_local_mode: '{0}: cloud provider, and the mode is Local only',
  excl_cloud_refused: '{0}: cloud provider, and cloud calls are refused until the setting {1} is fixed',
  excl_local_in_cloud_mode: '{0}: local provider, and the mode is Cloud only',
  excl_local_escalating: '{0}: local provider skipped, the request asks for a stronger (cloud) model',
  excl_not_loopback: '{0}: {1} is not a loopback address and not in network.trustedLocalHosts, so it counts as cloud, and it has no API key',
  excl_no_key: '{0}: no API key for {1}',
  excl_no_models_configured: '{0}: no models configured',
  excl_local_down: '{0}: not available ({1})',
  excl_no_models_installed: '{0}: no models installed',
  excl_not_installed: 'not installed on {0}',
  excl_not_pulled_ollama: 'not installed on {0} (ollama pull {1})',
  excl_context_too_small: 'context window of {0} tokens ({1}) is too small: needs {2} (prompt about {3} + answer {4})',

  cue_translation: 'asks for a translation',
  cue_summary: 'asks for a summary',
  cue_creative: 'asks for creative writing',
  cue_poetry: 'mentions poetry or fiction',
  cue_code_block: 'contains a code block',
  cue_stack_trace: 'contains a stack trace',
  cue_code: 'contains code',
  cue_programming_error: 'names a programming error',
  cue_write_code: 'asks to write or fix code',
  cue_port_code: 'asks to port code to another language',
  cue_in_language: 'asks for something in a programming language',
  cue_language_name: 'names a programming language',
  cue_talks_code: 'talks about code',
  cue_identifiers: 'mentions identifiers',
  cue_latex: 'contains LaTeX',
  cue_equation: 'contains an equation',
  cue_math_symbols: 'contains mathematical symbols',
  cue_arithmetic: 'contains arithmetic',
  cue_solve: 'asks to solve or calculate',
  cue_talks_math: 'talks about mathematics',
  cue_step_by_step: 'asks for step-by-step analysis',
  cue_why: 'asks why',
  cue_word_problem: 'is a word problem with numbers',
  cue_file_is: 'the file is {0}',
  cue_open_file_is: 'the open file is {0}',
  cue_selected_in_file: 'asks about code selected in a {0} file',

  task_long_context: 'about {0} tokens, more than the {1} a small local model holds',
  task_no_cues: 'no code, math, translation or other task cues',
  task_given: 'given by the request',
  task_fim: 'fill-in-the-middle request',
  // The cues, already joined with list_separator.
  task_cues: '{0}',
  list_separator: ', ',

  sig_truncated: "the answer was cut off at the token limit (finish reason \"length\")",
  sig_finished: "finished normally (finish reason \"{0}\")",
  sig_not_judged_task_math: "not judged: task \"{0}\" is not checked for a final answer",
  sig_not_judged_empty: "not judged: the answer is empty",
  sig_final_stated: "the answer states a final result",
  sig_math_no_final: "the math answer never states a final result (no \\boxed{}, \"the answer is\", \"= value\" at the end, 答案/所以/因此…)",
  sig_no_logprobs: "not judged: the local model returned no token log-probabilities",
  sig_few_tokens: "not judged: {0} tokens is fewer than the {1} needed",
  sig_logprobs: "{0} of tokens below p={1} (limit {2}; {3} = {4} over {5} tokens)",
  sig_user: "you asked for a stronger model",
  sig_user_why: "you asked for a stronger model: {0}",
  sig_marker: "the local model said it is not sure (answered {0})",
  sig_marker_line: "the local model said it is not sure (answered {0} on line {1})",
  sig_no_marker: "no {0} marker in the answer",
  sig_empty: "the local model returned an empty answer",
  sig_characters: "{0} characters of answer",
  sig_content_filter: "the provider's content filter stopped the local answer",
  sig_refused: "the local model refused (\"{0}\")",
  sig_no_refusal: "no refusal in the opening of the answer",
  sig_not_judged_task_code: "not judged: task \"{0}\" is not checked for code",
  sig_no_code_blocks: "not judged: no code blocks",
  sig_no_parsable_block: "not judged: no code block in a language we parse",
  sig_code_parse: "{0} block {1} of {2} does not parse: syntax error on its line {3} (`{4}`)",
  sig_code_parses: "{0} code block(s) parse ({1})",
  sig_not_judged_ended: "not judged: the attempt ended with \"{0}\"",

  notice_max_tokens_lowered: 'max_tokens lowered from {0} to {1} so that {2} fits the budget',
  notice_escalation_failed: 'Could not escalate: {0} The answer from {1} stands.',
  notice_unreliable_local_only: 'This answer may be unreliable ({0}). Local-only mode: not escalating to a cloud model.',
  notice_unreliable_no_target: 'This answer may be unreliable ({0}), and no stronger model is available to escalate to.',
  notice_unreliable_refused: 'This answer may be unreliable ({0}). It cannot be escalated: {1}',
  // Between the fired signals of one answer.
  signal_separator: '; ',

  budget_refused:
    '{0} could cost up to {1} for this request ({2} input + {3} output tokens), but {4} of the {5} {6} is spent {7}{8}. No call was made. Raise {9}, or wait for the next {10}.',
  budget_limit_workspace_day: 'workspace daily limit',
  budget_limit_workspace_month: 'workspace monthly limit',
  budget_limit_global_day: 'global daily limit (all workspaces)',
  budget_limit_global_month: 'global monthly limit (all workspaces)',
  budget_when_day: 'today',
  budget_when_month: 'this month',
  budget_held: ' and {0} is held by requests in flight',
  budget_setting_capped: '{0} (up to {1})',
  budget_next_day: 'day',
  budget_next_month: 'month',
};

/** A placeholder's value: text as is, a task (each surface says it its way), or another reason rendered with the same table. */
export type ReasonArg = string | { task: Task } | { reason: Reason } | { list: Reason[]; separator?: 'list_separator' | 'signal_separator' };

/** The settings that set each budget limit; the workspace's own is capped by the global one (limits.ts). */
const BUDGET_SETTING = {
  global: { day: 'switchyard.budget.globalDailyLimit', month: 'switchyard.budget.globalMonthlyLimit' },
  workspace: { day: 'switchyard.budget.dailyLimit', month: 'switchyard.budget.monthlyLimit' },
} as const;

/** Token counts as the core has always written them, "12,345" (also in Chinese text, where the comma grouping reads fine). */
const count = (n: number): string => n.toLocaleString('en-US');

/** The values of a reason's placeholders, {0} first. */
export function reasonArgs(r: Reason): ReasonArg[] {
  switch (r.code) {
    case 'why_settings_rank':
    case 'why_defaults_rank':
      return [String(r.rank), { task: r.task }];
    case 'why_pinned':
      return [r.target];
    case 'sig_finished':
    case 'sig_not_judged_ended':
      return [r.reason];
    case 'sig_not_judged_task_math':
    case 'sig_not_judged_task_code':
      return [r.task];
    case 'sig_few_tokens':
      return [r.tokens, r.needed];
    case 'sig_logprobs':
      return [r.lowShare, r.lowTokenProb, r.limit, r.quantile, r.score, r.tokens];
    case 'sig_user_why':
      return [r.why];
    case 'sig_marker':
      return [r.word];
    case 'sig_marker_line':
      return [r.word, r.line];
    case 'sig_no_marker':
      return [r.marker];
    case 'sig_characters':
      return [r.characters];
    case 'sig_refused':
      return [r.quote];
    case 'sig_code_parse':
      return [r.language, r.index, r.count, r.line, r.text];
    case 'sig_code_parses':
      return [r.count, r.languages];
    case 'excl_bad_ref':
      return [r.detail];
    case 'excl_unavailable':
    case 'excl_local_down':
      return [r.provider, r.detail];
    case 'excl_cloud_refused':
      return [r.provider, r.setting];
    case 'excl_not_loopback':
    case 'excl_no_key':
      return [r.provider, r.origin];
    case 'excl_not_installed':
    case 'excl_not_pulled_ollama':
      return [r.provider, r.model];
    case 'excl_context_too_small':
      return [count(r.window), r.source, count(r.needed), count(r.prompt), count(r.answer)];
    case 'excl_not_configured':
    case 'excl_disabled':
    case 'excl_cloud_in_local_mode':
    case 'excl_local_in_cloud_mode':
    case 'excl_local_escalating':
    case 'excl_no_models_configured':
    case 'excl_no_models_installed':
      return [r.provider];
    case 'why_pinned_listed':
      return [r.target, { task: r.task }];
    case 'why_installed_as':
      return [r.model];
    case 'why_installed_fallback':
    case 'why_local_unlisted':
    case 'why_cloud_unlisted':
      return [r.provider, { task: r.task }];
    case 'cue_file_is':
    case 'cue_open_file_is':
    case 'cue_selected_in_file':
      return [r.language];
    case 'task_long_context':
      return [count(r.tokens), count(r.limit)];
    case 'task_cues':
      return [{ list: r.cues }];
    case 'notice_max_tokens_lowered':
      return [String(r.from), String(r.to), r.model];
    case 'notice_escalation_failed':
      return [r.error, r.model];
    case 'notice_unreliable_local_only':
    case 'notice_unreliable_no_target':
      return [{ list: r.signals, separator: 'signal_separator' }];
    case 'notice_unreliable_refused':
      return [{ list: r.signals, separator: 'signal_separator' }, r.refusal];
    case 'budget_refused': {
      const setting = r.scope === 'global'
        ? BUDGET_SETTING.global[r.period]
        : { reason: { code: 'budget_setting_capped', setting: BUDGET_SETTING.workspace[r.period], cap: BUDGET_SETTING.global[r.period] } as const };
      return [
        r.model,
        r.worst,
        String(r.inputTokens),
        String(r.outputTokens),
        r.spent,
        r.limit,
        { reason: { code: `budget_limit_${r.scope}_${r.period}` } },
        { reason: { code: `budget_when_${r.period}` } },
        r.held ? { reason: { code: 'budget_held', held: r.held } } : '',
        setting,
        { reason: { code: `budget_next_${r.period}` } },
      ];
    }
    case 'budget_held':
      return [r.held];
    case 'budget_setting_capped':
      return [r.setting, r.cap];
    default:
      return [];
  }
}

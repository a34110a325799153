/**
 * The core's reasons as data: what it chose, left out, refused or changed, with the numbers and
 * names in it. Each surface words a reason through its own table per language (templates.ts
 * holds the English one; VS Code's l10n bundle and the CLI's messages the others), so no
 * surface ever parses an English sentence back. The `code` names the template; the other
 * fields fill it (see reasonArgs in templates.ts for their order).
 */
import type { Task } from '../types';

/** Why a candidate is in the router's list, and at this place (Candidate.reasons). */
export type CandidateReason =
  | { code: 'why_settings_rank'; rank: number; task: Task }
  | { code: 'why_defaults_rank'; rank: number; task: Task }
  | { code: 'why_pinned'; target: string }
  | { code: 'why_pinned_listed'; target: string; task: Task }
  | { code: 'why_installed_as'; model: string }
  | { code: 'why_installed_fallback'; provider: string; task: Task }
  | { code: 'why_local_unlisted'; provider: string; task: Task }
  | { code: 'why_cloud_unlisted'; provider: string; task: Task };

/** One cue the task classifier found (src/core/tasks/cues.ts); the editor's hints name the file's language. */
export type CueReason =
  | { code: CueCode }
  | { code: 'cue_file_is' | 'cue_open_file_is' | 'cue_selected_in_file'; language: string };

/** The cues with no parameter, one per wording of cues.ts. */
export const CUE_CODES = [
  'cue_translation',
  'cue_summary',
  'cue_creative',
  'cue_poetry',
  'cue_code_block',
  'cue_stack_trace',
  'cue_code',
  'cue_programming_error',
  'cue_write_code',
  'cue_port_code',
  'cue_in_language',
  'cue_language_name',
  'cue_talks_code',
  'cue_identifiers',
  'cue_latex',
  'cue_equation',
  'cue_math_symbols',
  'cue_arithmetic',
  'cue_solve',
  'cue_talks_math',
  'cue_step_by_step',
  'cue_why',
  'cue_word_problem',
] as const;
export type CueCode = (typeof CUE_CODES)[number];

/** Why the classifier chose its task (RoutingDecision.taskReasonData). */
export type TaskReason =
  | { code: 'task_long_context'; tokens: number; limit: number }
  | { code: 'task_no_cues' }
  /** The caller named the task (RouteRequest.task). */
  | { code: 'task_given' }
  /** A fill-in-the-middle request is an inline completion whatever its text says. */
  | { code: 'task_fim' }
  /** The strongest cues of `task`, at most a few, strongest first. */
  | { code: 'task_cues'; task: Task; cues: CueReason[] };

/**
 * Why a model is left out of the plan (RoutingDecision.excluded[].because). `detail` is text from
 * elsewhere (a settings error, the sidecar's or the server's answer) that the core does not word itself.
 */
export type ExcludedReason =
  | { code: 'excl_bad_ref'; detail: string }
  | { code: 'excl_not_configured'; provider: string }
  | { code: 'excl_unavailable'; provider: string; detail: string }
  | { code: 'excl_disabled' | 'excl_cloud_in_local_mode' | 'excl_local_in_cloud_mode' | 'excl_local_escalating' | 'excl_no_models_configured' | 'excl_no_models_installed'; provider: string }
  | { code: 'excl_cloud_refused'; provider: string; setting: string }
  | { code: 'excl_not_loopback' | 'excl_no_key'; provider: string; origin: string }
  | { code: 'excl_local_down'; provider: string; detail: string }
  | { code: 'excl_not_installed' | 'excl_not_pulled_ollama'; provider: string; model: string }
  | { code: 'excl_context_too_small'; window: number; source: string; needed: number; prompt: number; answer: number };

/**
 * An escalation signal's verdict on an answer (SignalResult.reason; src/core/escalation/signals).
 * Numbers are formatted by the signal ("18%", "0.30"), as its calibration reports them.
 */
export type SignalReason =
  | { code: 'sig_truncated' | 'sig_not_judged_empty' | 'sig_final_stated' | 'sig_math_no_final' | 'sig_no_logprobs' | 'sig_user' | 'sig_empty' | 'sig_content_filter' | 'sig_no_refusal' | 'sig_no_code_blocks' | 'sig_no_parsable_block'; }
  | { code: 'sig_finished' | 'sig_not_judged_ended'; reason: string; }
  | { code: 'sig_not_judged_task_math' | 'sig_not_judged_task_code'; task: string; }
  | { code: 'sig_few_tokens'; tokens: string; needed: string; }
  | { code: 'sig_logprobs'; lowShare: string; lowTokenProb: string; limit: string; quantile: string; score: string; tokens: string; }
  | { code: 'sig_user_why'; why: string; }
  | { code: 'sig_marker'; word: string; }
  | { code: 'sig_marker_line'; word: string; line: string; }
  | { code: 'sig_no_marker'; marker: string; }
  | { code: 'sig_characters'; characters: string; }
  | { code: 'sig_refused'; quote: string; }
  | { code: 'sig_code_parse'; language: string; index: string; count: string; line: string; text: string; }
  | { code: 'sig_code_parses'; count: string; languages: string; };

/** A notice the router attaches to an attempt (StreamEvent notice.reason). */
export type NoticeReason =
  | { code: 'notice_max_tokens_lowered'; from: number; to: number; model: string }
  /** The escalation's attempt failed (`error`: its message); the local answer from `model` stands. */
  | { code: 'notice_escalation_failed'; error: string; model: string }
  /** Signals fired on the answer but it is not escalated: Local only, no stronger model, or (`refusal`: its message) cloud calls refused. */
  | { code: 'notice_unreliable_local_only' | 'notice_unreliable_no_target'; signals: SignalReason[] }
  | { code: 'notice_unreliable_refused'; signals: SignalReason[]; refusal: string };

/**
 * A cloud call that does not fit the budget (src/core/cost/refusal.ts), with its numbers. The
 * money is formatted in the user's currency by the core (formatMoney); `held` is present when
 * calls in flight hold part of the budget.
 */
export interface BudgetRefusal {
  code: 'budget_refused';
  model: string;
  worst: string;
  inputTokens: number;
  outputTokens: number;
  spent: string;
  limit: string;
  scope: 'workspace' | 'global';
  period: 'day' | 'month';
  held?: string;
}

/** Pieces of a budget refusal, one template each (the limit's name, "today", the held part). */
export type BudgetPart =
  | { code: 'budget_limit_workspace_day' | 'budget_limit_workspace_month' | 'budget_limit_global_day' | 'budget_limit_global_month' }
  | { code: 'budget_when_day' | 'budget_when_month' }
  | { code: 'budget_setting_capped'; setting: string; cap: string }
  | { code: 'budget_held'; held: string }
  | { code: 'budget_next_day' | 'budget_next_month' };

/** Every reason a table words. */
export type Reason = CandidateReason | ExcludedReason | SignalReason | CueReason | TaskReason | NoticeReason | BudgetRefusal | BudgetPart | { code: 'list_separator' | 'signal_separator' };
export type ReasonCode = Reason['code'];

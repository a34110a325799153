/**
 * The panel's "Task", "Mode" and "Why" lines in the user's language. src/core gives its reasons
 * as data (src/core/reasons: a code and its parameters); this module words them through the
 * core's English templates and `t` (vscode.l10n.t), so l10n/bundle.l10n.zh-cn.json is the
 * Chinese table. It never parses the core's English. Pure (takes `t`), so unit tests run
 * without VS Code.
 */
import type { CandidateReason, Reason } from '../../core/reasons';
import type { LocalOnlyReason, Mode, RoutingDecision, Task } from '../../core/types';
import type { Translate } from './errorStates';

export function taskLabel(task: Task | string, t: Translate): string {
  switch (task) {
    case 'chat': return t('chat');
    case 'code': return t('code');
    case 'math': return t('math');
    case 'reasoning': return t('reasoning');
    case 'summarize': return t('summary');
    case 'translate': return t('translation');
    case 'classify': return t('classification');
    case 'creative': return t('creative writing');
    case 'long_context': return t('long context');
    case 'vision': return t('vision');
    case 'audio': return t('audio');
    case 'completion': return t('code completion');
    default: return task;
  }
}

export function modeText(mode: Mode | string, t: Translate): string {
  switch (mode) {
    case 'auto': return t('Auto');
    case 'local': return t('Local only');
    case 'cloud': return t('Cloud only');
    case 'pinned': return t('Pinned');
    default: return mode;
  }
}

/** Why Local only held although something asked for more (RoutingDecision.localOnly), for the panel. */
export function localOnlyText(reason: LocalOnlyReason, t: Translate): string {
  if (reason.code === 'untrusted_workspace') {
    return t('This folder is not trusted, so Switchyard runs Local only with your user settings. Trust the folder to use its settings.');
  }
  const asked = reason.asked ?? '';
  switch (reason.setting) {
    case 'mode':
      return t('Your user setting switchyard.mode is Local only, and it wins over the mode "{0}" set in this workspace.', modeText(asked, t));
    case 'pinned':
      return t('Your user setting switchyard.mode is Local only, and it wins over the pinned model "{0}" set in this workspace.', asked);
    case 'request':
      return t('Your user setting switchyard.mode is Local only, and it wins over this request for "{0}".', modeText(asked, t));
  }
}

/**
 * One of the core's reasons (src/core/reasons) in the user's language: its English template goes
 * through `t` (vscode.l10n.t: the zh-cn bundle is keyed by the templates), tasks by their label.
 */
export function reasonText(reason: Reason, t: Translate): string {
  // Required on first use: the table is part of dist/core.js (esbuild.mjs LAZY_CORE), not of the activation path.
  const { reasonTemplates, renderReason } = require('../../core/reasons') as typeof import('../../core/reasons');
  return renderReason(reason, reasonTemplates, { translate: t, task: (task) => taskLabel(task, t) });
}

/**
 * Why the classifier chose the task, without the task name in front (the panel shows the task
 * next to it), in the user's language. A decision without the typed reason is shown as core wrote it.
 */
export function taskReasonText(decision: Pick<RoutingDecision, 'taskReason' | 'taskReasonData'>, t: Translate): string {
  return decision.taskReasonData ? reasonText(decision.taskReasonData, t) : decision.taskReason;
}

/** The router's reasons for choosing a model (Candidate.reasons), in the user's language; English as core wrote it without them. */
export function whyTexts(start: { why: string[]; reasons?: readonly CandidateReason[] }, t: Translate): string[] {
  return start.reasons ? start.reasons.map((r) => reasonText(r, t)) : start.why;
}

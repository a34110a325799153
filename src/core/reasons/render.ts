/**
 * Says a reason with a table: the template of its code, filled with its fields. Pure and shared
 * by every surface; what differs between them is the table (and, for VS Code, vscode.l10n.t
 * doing the lookup) and how a task is named.
 */
import type { Task } from '../types';
import { type ReasonArg, type ReasonTable, reasonArgs, reasonTemplates } from './templates';
import type { Reason, TaskReason } from './types';

/** `{0}`, `{1}`… replaced by the values in order; a missing value stays as written. */
export function fillTemplate(template: string, args: readonly string[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, i: string) => args[Number(i)] ?? whole);
}

export interface RenderOptions {
  /** How a task is named ("summarize" in the core's English; the panel says "summary"). */
  task?: (task: Task) => string;
  /** Looks a template up and fills it; defaults to the table given. VS Code passes vscode.l10n.t. */
  translate?: (template: string, ...args: string[]) => string;
}

export function renderReason(reason: Reason, table: ReasonTable = reasonTemplates, options: RenderOptions = {}): string {
  const say = options.translate ?? ((template: string, ...args: string[]) => fillTemplate(template, args));
  const arg = (a: ReasonArg): string => {
    if (typeof a === 'string') return a;
    if ('task' in a) return options.task ? options.task(a.task) : a.task;
    if ('reason' in a) return renderReason(a.reason, table, options);
    return a.list.map((r) => renderReason(r, table, options)).join(say(table[a.separator ?? 'list_separator']));
  };
  return say(table[reason.code], ...reasonArgs(reason).map(arg));
}

/** The classifier's reason as the core writes it for logs and the CLI: "code: contains code, asks to write or fix code". */
export function taskReasonLine(reason: TaskReason, task: Task): string {
  return `${task}: ${renderReason(reason)}`;
}

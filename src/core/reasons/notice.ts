/**
 * A notice event from its reason: the English `message` (logs, `--json`) is rendered from the
 * reason the surfaces word themselves. A signal given without its reason as data (a custom
 * escalation hook) keeps its English explanation, and the notice then has no `reason`.
 */
import type { SignalResult, StreamEvent } from '../types';
import { fillTemplate, renderReason } from './render';
import { reasonTemplates } from './templates';
import type { NoticeReason } from './types';

export function noticeEvent(attempt: number, reason: NoticeReason, fired?: readonly SignalResult[]): Extract<StreamEvent, { type: 'notice' }> {
  if (fired && fired.some((f) => !f.reason) && 'signals' in reason) {
    const why = fired.map((f) => f.explanation).join(reasonTemplates.signal_separator);
    return { type: 'notice', attempt, message: fillTemplate(reasonTemplates[reason.code], [why, 'refusal' in reason ? reason.refusal : '']) };
  }
  return { type: 'notice', attempt, message: renderReason(reason), reason };
}

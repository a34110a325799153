/**
 * The panel's "Task", "Mode" and "Why" lines in the user's language. src/core writes its
 * reasons in English (they are also log lines and CLI output, and core has no `vscode`); this
 * module recognises the shapes core produces (src/core/tasks/cues.ts, router/selection.ts) and
 * translates them. Anything it does not recognise is shown as core wrote it: English beats
 * nothing. Pure (takes `t`), so the unit tests check every shape core can produce.
 */
import type { LocalOnlyReason, Mode, Task } from '../core/types';
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

/** One cue phrase of the task classifier (src/core/tasks/cues.ts), translated. */
function cueText(phrase: string, t: Translate): string {
  switch (phrase) {
    case 'asks for a summary': return t('asks for a summary');
    case 'asks for a translation': return t('asks for a translation');
    case 'asks for creative writing': return t('asks for creative writing');
    case 'asks for something in a programming language': return t('asks for something in a programming language');
    case 'asks for step-by-step analysis': return t('asks for step-by-step analysis');
    case 'asks to port code to another language': return t('asks to port code to another language');
    case 'asks to solve or calculate': return t('asks to solve or calculate');
    case 'asks to write or fix code': return t('asks to write or fix code');
    case 'asks why': return t('asks why');
    case 'contains LaTeX': return t('contains LaTeX');
    case 'contains a code block': return t('contains a code block');
    case 'contains a stack trace': return t('contains a stack trace');
    case 'contains an equation': return t('contains an equation');
    case 'contains arithmetic': return t('contains arithmetic');
    case 'contains code': return t('contains code');
    case 'contains mathematical symbols': return t('contains mathematical symbols');
    case 'mentions identifiers': return t('mentions identifiers');
    case 'mentions poetry or fiction': return t('mentions poetry or fiction');
    case 'names a programming error': return t('names a programming error');
    case 'names a programming language': return t('names a programming language');
    case 'talks about code': return t('talks about code');
    case 'talks about mathematics': return t('talks about mathematics');
    case 'is a word problem with numbers': return t('is a word problem with numbers');
  }
  // The hints from the editor (src/core/tasks/classify.ts) name the file's language.
  const file = /^the file is (.+)$/.exec(phrase);
  if (file) return t('the file is {0}', file[1]!);
  const openFile = /^the open file is (.+)$/.exec(phrase);
  if (openFile) return t('the open file is {0}', openFile[1]!);
  const selected = /^asks about code selected in a (.+) file$/.exec(phrase);
  if (selected) return t('asks about code selected in a {0} file', selected[1]!);
  return phrase;
}

/**
 * The classifier's reason ("code: contains code, asks to write or fix code") without the task
 * name in front (the panel shows the task next to it) and in the user's language.
 */
export function taskReasonText(task: string, reason: string, t: Translate): string {
  const body = reason.startsWith(`${task}: `) ? reason.slice(task.length + 2) : reason;
  const long = /^about ([\d,]+) tokens, more than the ([\d,]+) a small local model holds$/.exec(body);
  if (long) return t('about {0} tokens, more than the {1} a small local model holds', long[1]!, long[2]!);
  if (body === 'no code, math, translation or other task cues') return t('no code, math, translation or other task cues');
  return body.split(', ').map((phrase) => cueText(phrase, t)).join(t(', '));
}

/** Shapes of the router's reasons for a candidate (src/core/router/selection.ts), most specific first. */
const WHY_SHAPES: { pattern: RegExp; text: (m: RegExpExecArray, t: Translate) => string }[] = [
  { pattern: /^#(\d+) for (\w+) in settings$/, text: (m, t) => t('#{0} for {1} in your settings', m[1]!, taskLabel(m[2]!, t)) },
  { pattern: /^#(\d+) for (\w+) in the shipped defaults$/, text: (m, t) => t('#{0} for {1} in the defaults', m[1]!, taskLabel(m[2]!, t)) },
  { pattern: /^pinned to (.+); listed for (\w+)$/, text: (m, t) => t('pinned to {0}; listed for {1}', m[1]!, taskLabel(m[2]!, t)) },
  { pattern: /^pinned to (.+)$/, text: (m, t) => t('pinned to {0}', m[1]!) },
  { pattern: /^installed as (.+)$/, text: (m, t) => t('installed as {0}', m[1]!) },
  {
    pattern: /^installed on (.+); none of the (\w+) list's models is$/,
    text: (m, t) => t("installed on {0}; none of the {1} list's models is", m[1]!, taskLabel(m[2]!, t)),
  },
  { pattern: /^(.+) is a local provider not in the (\w+) list$/, text: (m, t) => t('{0} is a local provider not in the {1} list', m[1]!, taskLabel(m[2]!, t)) },
  { pattern: /^(.+) is configured but not in the (\w+) list$/, text: (m, t) => t('{0} is configured but not in the {1} list', m[1]!, taskLabel(m[2]!, t)) },
];

/** One of the router's reasons for choosing a model, in the user's language. */
export function whyText(why: string, t: Translate): string {
  for (const shape of WHY_SHAPES) {
    const m = shape.pattern.exec(why);
    if (m) return shape.text(m, t);
  }
  return why;
}

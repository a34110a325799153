/**
 * The panel's script: validates every host message with the shared schema, keeps the composer
 * (Enter sends, Shift+Enter new line, Escape stops), and forwards clicks as validated messages.
 */
import './style.css';
import { messageSchemas, type FromWebview, type ToWebview, type Turn } from '../src/shared/messages';
import { applyTurnMessage } from '../src/shared/turnProtocol';
import { ConversationView } from './view';
import { setCodeActionLabels } from './markdown';
import { stripInvisible } from './invisible';
import { setStrings, t } from './strings';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
/** How long a Copy button says "Copied" (long enough to read, short enough to copy again). */
const COPIED_FEEDBACK_MS = 1500;

function send(message: FromWebview): void {
  // Validated on this side too: a bug shows up here, not as a silently dropped message.
  vscode.postMessage(messageSchemas().fromWebview.parse(message));
}

const app = document.getElementById('app')!;
app.innerHTML = '';

const toolbar = el('div', 'toolbar');
const title = el('h1', 'title');
title.textContent = 'Switchyard';
const budget = el('div', 'budget');
budget.hidden = true;
budget.setAttribute('role', 'group');
const newButton = button('new-conversation', 'secondary icon');
newButton.addEventListener('click', () => send({ type: 'command', command: 'switchyard.newConversation' }));
toolbar.append(title, budget, newButton);

const scroller = el('div', 'scroller');
const list = el('div', 'conversation');
list.setAttribute('role', 'log');
list.setAttribute('aria-live', 'polite');
scroller.append(list);

const composer = el('form', 'composer') as HTMLFormElement;
const input = document.createElement('textarea');
input.id = 'prompt';
input.rows = 3;
const sendButton = button('send', 'primary');
sendButton.type = 'submit';
const stopButton = button('stop', 'danger');
stopButton.hidden = true;
stopButton.addEventListener('click', () => send({ type: 'stop' }));
const buttons = el('div', 'composer-buttons');
buttons.append(sendButton, stopButton);
composer.append(input, buttons);
// The target of the link under the pointer or in focus, like a browser's status line: a link's
// text can say anything, this line says where it goes.
const linkStatus = el('div', 'link-status');
linkStatus.id = 'link-status';
linkStatus.hidden = true;
linkStatus.setAttribute('role', 'status');
app.append(toolbar, scroller, linkStatus, composer);

const view = new ConversationView(list, scroller, {
  retryWith: (turnId) => send({ type: 'retryWith', turnId }),
  escalate: (turnId) => send({ type: 'escalate', turnId }),
  command: (command, setting) => send({ type: 'command', command, ...(setting ? { setting } : {}) }),
  openAnswer: (turnId, answerId) => send({ type: 'openAnswer', turnId, answerId }),
});

const saved = (vscode.getState() ?? {}) as { draft?: string };
input.value = typeof saved.draft === 'string' ? saved.draft : '';
input.addEventListener('input', () => vscode.setState({ draft: input.value }));

composer.addEventListener('submit', (e) => {
  e.preventDefault();
  submit();
});
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    // isComposing: Enter that confirms a Chinese IME candidate must not send the prompt.
    e.preventDefault();
    submit();
  }
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !stopButton.hidden) {
    e.preventDefault();
    send({ type: 'stop' });
  }
});

function submit(): void {
  const prompt = input.value.trim();
  if (!prompt) return;
  send({ type: 'ask', prompt });
  input.value = '';
  vscode.setState({ draft: '' });
}

// Code block buttons and links inside rendered answers (event delegation: answers are re-rendered).
list.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  const action = target.closest<HTMLElement>('[data-action]');
  if (action) {
    const block = action.closest('.code-block');
    // Invisible and direction characters are markers in the DOM, not text; stripped again anyway.
    const code = stripInvisible(block?.querySelector('code')?.textContent ?? '');
    const lang = block?.getAttribute('data-lang') || undefined;
    switch (action.dataset.action) {
      case 'copy':
        send({ type: 'copy', code });
        action.textContent = t('Copied');
        setTimeout(() => (action.textContent = t('Copy')), COPIED_FEEDBACK_MS);
        break;
      case 'insert':
        send({ type: 'insert', code });
        break;
      case 'newFile':
        send({ type: 'newFile', code, language: lang });
        break;
    }
    return;
  }
  const link = target.closest<HTMLElement>('a[data-href]');
  if (link) {
    e.preventDefault();
    openLink(link);
  }
});
list.addEventListener('keydown', (e) => {
  const link = (e.target as HTMLElement).closest?.<HTMLElement>('a[data-href]');
  if (link && e.key === 'Enter') {
    e.preventDefault();
    openLink(link);
  }
});
/** The host asks the user, showing the real target, and opens it only then: one click, one open. */
function openLink(link: HTMLElement): void {
  const href = link.dataset.href;
  if (href) send({ type: 'openLink', href });
}
const showTarget = (e: Event) => {
  const link = (e.target as HTMLElement).closest?.<HTMLElement>('a[data-href]');
  linkStatus.hidden = !link;
  if (link) linkStatus.textContent = `${t('Opens')} ${link.dataset.href}`;
};
list.addEventListener('mouseover', showTarget);
list.addEventListener('focusin', showTarget);
list.addEventListener('mouseleave', () => (linkStatus.hidden = true));
list.addEventListener('focusout', () => (linkStatus.hidden = true));

/** The conversation: the webview's one copy of the host's turns (src/shared/turnProtocol.ts). */
let turns: Turn[] = [];

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = messageSchemas().toWebview.safeParse(event.data);
  if (!parsed.success) {
    console.warn('Switchyard: dropped an invalid message from the host', parsed.error.issues[0]);
    return;
  }
  handle(parsed.data);
});

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'init':
      setStrings(message.strings, message.locale);
      applyStrings();
      turns = message.turns;
      view.reset(turns);
      view.updateBudget(budget, message.budget);
      setStreaming(message.streaming);
      break;
    // A run's messages change `turns` through the reducer the host applies too; the view only draws.
    case 'turnStart':
    case 'turnEnd': {
      const turn = applyTurnMessage(turns, message);
      if (turn) view.renderTurn(turn);
      break;
    }
    case 'answer': {
      const turn = applyTurnMessage(turns, message);
      const answer = turn?.answers.find((a) => a.id === message.answer.id);
      if (answer) view.upsertAnswer(turn!.id, answer);
      break;
    }
    case 'delta':
      if (applyTurnMessage(turns, message)) view.appendDelta(message.answerId);
      break;
    case 'budget':
      view.updateBudget(budget, message.budget);
      break;
    case 'streaming':
      setStreaming(message.streaming);
      break;
    case 'cleared':
      turns = [];
      view.reset(turns);
      break;
    case 'focusInput':
      if (message.prefill !== undefined) input.value = message.prefill;
      input.focus();
      break;
  }
}

function setStreaming(streaming: boolean): void {
  stopButton.hidden = !streaming;
  sendButton.hidden = streaming;
  document.body.classList.toggle('streaming', streaming);
}

function applyStrings(): void {
  input.placeholder = t('Ask Switchyard… (Enter to send, Shift+Enter for a new line)');
  input.setAttribute('aria-label', t('Message'));
  sendButton.textContent = t('Send');
  stopButton.textContent = t('Stop');
  stopButton.setAttribute('aria-label', t('Stop'));
  newButton.textContent = '+';
  newButton.title = t('New conversation');
  newButton.setAttribute('aria-label', t('New conversation'));
  budget.setAttribute('aria-label', t('Budget'));
  setCodeActionLabels({
    copy: t('Copy'),
    insert: t('Insert at cursor'),
    newFile: t('New file'),
    codeBlock: t('Code block'),
    invisibleWarning: t('Contains {0} invisible or text-direction characters (shown marked; Copy leaves them out)'),
  });
}

function el(tag: string, className: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = className;
  return e;
}

function button(id: string, className: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.id = id;
  b.className = className;
  return b;
}

applyStrings();
send({ type: 'ready' });

/**
 * Builds and patches the conversation DOM from the turns webview/main.ts keeps (it owns no copy
 * of them: the answers it draws are the reducer's objects). The rule that keeps 2,000 tokens/s smooth: a delta
 * only marks its answer dirty; once per animation frame each dirty answer draws what is new
 * (webview/render.ts) — never the conversation, never a finished answer.
 */
import type { Answer, BudgetView, Turn, TurnError } from '../src/shared/messages';
import { highlightCodeBlocks } from './markdown';
import { BodyRenderer } from './render';
import { showInvisibleText } from './invisible';
import { t, formatMoney, formatNumber } from './strings';

/** How long the end of an answer may draw at once before handing the rest to later frames. */
const FINAL_DRAW_MS = 20;

export interface ViewActions {
  retryWith(turnId: string): void;
  escalate(turnId: string): void;
  command(command: TurnError['actions'][number]['command'], setting?: string): void;
  /** Opens a truncated answer's full text in an untitled editor. */
  openAnswer(turnId: string, answerId: string): void;
}

interface AnswerView {
  answer: Answer;
  turnId: string;
  root: HTMLElement;
  body: HTMLElement;
  thinking: HTMLDetailsElement;
  thinkingBody: HTMLElement;
  meta: HTMLElement;
  dirty: boolean;
  /** Draws the text as it grows; undefined until the first draw, and when the text was replaced. */
  renderer?: BodyRenderer;
  /** Characters of thinking already shown (only new ones are appended). */
  thinkingShown: number;
  /** The code blocks were highlighted (once, when the whole answer is drawn). */
  highlighted: boolean;
}

export class ConversationView {
  private readonly answers = new Map<string, AnswerView>();
  private frameRequested = false;
  /** Follow the stream only while the user is at the bottom; scrolling up stops the jump. */
  private stickToBottom = true;

  constructor(
    private readonly list: HTMLElement,
    private readonly scroller: HTMLElement,
    private readonly actions: ViewActions,
  ) {
    scroller.addEventListener('scroll', () => {
      this.stickToBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
    });
  }

  reset(turns: Turn[]): void {
    this.list.textContent = '';
    this.answers.clear();
    if (turns.length === 0) this.list.append(this.emptyState());
    for (const turn of turns) this.renderTurn(turn);
    this.scrollToBottom();
  }

  /** A turn started or ended: (re)build that turn only. */
  renderTurn(turn: Turn): void {
    this.list.querySelector('.empty')?.remove();
    const existing = document.getElementById(`turn-${turn.id}`);
    const section = document.createElement('section');
    section.className = 'turn';
    section.id = `turn-${turn.id}`;
    section.setAttribute('aria-label', t('Conversation'));

    const you = document.createElement('div');
    you.className = 'prompt';
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = t('You');
    you.append(who);
    if (turn.label && turn.label !== turn.prompt) {
      const details = document.createElement('details');
      const summary = document.createElement('summary');
      summary.textContent = turn.label;
      const full = document.createElement('pre');
      full.className = 'prompt-text';
      full.textContent = turn.prompt;
      details.append(summary, full);
      you.append(details);
    } else {
      const text = document.createElement('div');
      text.className = 'prompt-text';
      text.textContent = turn.prompt;
      you.append(text);
    }
    section.append(you);

    for (const answer of turn.answers) {
      // The end of a turn re-sends it whole; an answer already on screen moves over as it is
      // (rebuilding a long answer was a 60-100 ms freeze right as it finished).
      const shown = this.answers.get(answer.id);
      if (shown && shown.answer.status === answer.status && shown.answer.text === answer.text) {
        shown.answer = answer;
        this.renderMeta(shown);
        section.append(shown.root);
      } else {
        this.answers.delete(answer.id);
        section.append(this.buildAnswer(turn.id, answer).root);
      }
    }

    if (turn.error) section.append(this.buildError(turn.error));
    if (turn.done && turn.answers.some((a) => a.text)) section.append(this.buildTurnActions(turn));

    if (existing) existing.replaceWith(section);
    else this.list.append(section);
    this.scrollIfFollowing();
  }

  /** An answer started or its status/metadata changed (already in the turns: drawn here). */
  upsertAnswer(turnId: string, answer: Answer): void {
    const view = this.answers.get(answer.id);
    if (!view) {
      const section = document.getElementById(`turn-${turnId}`);
      if (!section) return;
      const built = this.buildAnswer(turnId, answer);
      const before = section.querySelector('.turn-error, .turn-actions');
      section.insertBefore(built.root, before);
      this.scrollIfFollowing();
      return;
    }
    const statusChanged = view.answer.status !== answer.status;
    // The host's text is the truth; if what streamed in differs, the answer is drawn again.
    if (view.answer.text !== answer.text) view.renderer = undefined;
    if (view.answer.thinking !== answer.thinking) view.thinkingShown = 0;
    view.answer = answer;
    if (statusChanged && (answer.status === 'escalated' || answer.status === 'failed_over')) {
      // The answer moves into its collapsed wrapper; rebuild it once.
      const rebuilt = this.buildAnswer(turnId, answer);
      view.root.replaceWith(rebuilt.root);
      return;
    }
    if (statusChanged) {
      view.root.className = answerClass(answer);
      view.root.removeAttribute('aria-busy');
    }
    this.renderMeta(view);
  }

  /** Text was appended to the answer (by the reducer): drawn on the next animation frame. */
  appendDelta(answerId: string): void {
    const view = this.answers.get(answerId);
    if (view) this.markDirty(view);
  }

  private markDirty(view: AnswerView): void {
    view.dirty = true;
    if (!this.frameRequested) {
      this.frameRequested = true;
      requestAnimationFrame(() => this.flush());
    }
  }

  updateBudget(container: HTMLElement, budget: BudgetView | undefined): void {
    container.textContent = '';
    if (!budget) {
      container.hidden = true;
      return;
    }
    container.hidden = false;
    container.append(
      meterRow(t('Today'), budget.today, budget.dailyLimit, budget.currency),
      meterRow(t('This month'), budget.month, budget.monthlyLimit, budget.currency),
    );
    const reached = (budget.dailyLimit !== undefined && budget.today >= budget.dailyLimit && budget.dailyLimit >= 0 && budget.today > 0) ||
      (budget.monthlyLimit !== undefined && budget.month >= budget.monthlyLimit && budget.month > 0);
    container.classList.toggle('reached', reached);
    if (reached) {
      const note = document.createElement('span');
      note.className = 'budget-reached';
      note.setAttribute('role', 'status');
      note.textContent = t('Budget reached');
      container.append(note);
    }
  }

  private flush(): void {
    this.frameRequested = false;
    for (const view of this.answers.values()) {
      if (!view.dirty) continue;
      view.dirty = false;
      view.renderer ??= new BodyRenderer(view.body);
      const more = view.renderer.draw(view.answer.text);
      if (view.answer.thinking.length > view.thinkingShown) {
        view.thinking.hidden = false;
        if (view.thinkingShown === 0) view.thinkingBody.textContent = '';
        view.thinkingBody.append(showInvisibleText(view.answer.thinking.slice(view.thinkingShown)));
        view.thinkingShown = view.answer.thinking.length;
      }
      if (more) this.markDirty(view);
      else if (view.answer.status !== 'streaming' && !view.highlighted) this.finish(view);
    }
    this.scrollIfFollowing();
  }

  private buildAnswer(turnId: string, answer: Answer): AnswerView {
    const article = document.createElement('article');
    article.className = answerClass(answer);
    article.dataset.answerId = answer.id;
    article.setAttribute('aria-label', `${t('Answer')} — ${answer.provider}/${answer.model}`);
    if (answer.status === 'streaming') article.setAttribute('aria-busy', 'true');

    const head = document.createElement('header');
    head.className = 'answer-head';
    const badge = document.createElement('span');
    badge.className = `badge ${answer.locality}`;
    badge.textContent = answer.locality === 'local' ? t('Local') : t('Cloud');
    const model = document.createElement('span');
    model.className = 'model';
    model.textContent = `${answer.provider}/${answer.model}`;
    head.append(badge, model);
    if (answer.meta.escalationReason) {
      const why = document.createElement('span');
      why.className = 'escalated-from';
      why.textContent = `${t('Escalated because')}: ${answer.meta.escalationReason}`;
      head.append(why);
    }

    const thinking = document.createElement('details');
    thinking.className = 'thinking';
    thinking.hidden = !answer.thinking;
    const summary = document.createElement('summary');
    summary.textContent = t('Thinking');
    const thinkingBody = document.createElement('div');
    thinkingBody.className = 'thinking-body';
    thinking.append(summary, thinkingBody);

    const body = document.createElement('div');
    body.className = 'md';

    const meta = document.createElement('footer');
    meta.className = 'meta';

    const view: AnswerView = { answer, turnId, root: article, body, thinking, thinkingBody, meta, dirty: false, thinkingShown: 0, highlighted: false };
    // Streaming: drawn frame by frame; restored or rebuilt as superseded: by renderMeta's drawEnd.
    if (answer.status === 'streaming') this.markDirty(view);
    this.renderMeta(view);

    if (answer.status === 'escalated' || answer.status === 'failed_over') {
      // The superseded answer stays available, collapsed, with the reason it was not enough.
      const wrapper = document.createElement('details');
      wrapper.className = 'superseded';
      const sum = document.createElement('summary');
      const title =
        answer.status === 'failed_over'
          ? t('Failed over')
          : answer.locality === 'local'
            ? t('Local answer (kept for reference)')
            : t('Earlier answer (kept for reference)');
      sum.textContent = `${title} — ${answer.provider}/${answer.model}`;
      if (answer.meta.supersededBecause) {
        const reason = document.createElement('span');
        reason.className = 'superseded-reason';
        reason.textContent = ` · ${t('Escalated because')}: ${answer.meta.supersededBecause}`;
        sum.append(reason);
      }
      wrapper.append(sum, thinking, body, meta);
      article.append(wrapper);
    } else {
      article.append(head, thinking, body, meta);
    }
    this.answers.set(answer.id, view);
    return view;
  }

  private renderMeta(view: AnswerView): void {
    const { answer } = view;
    const m = answer.meta;
    view.root.className = answerClass(answer);
    if (answer.status === 'streaming') view.root.setAttribute('aria-busy', 'true');
    else view.root.removeAttribute('aria-busy');
    const items: [string, string][] = [];
    if (m.task) items.push([t('Task'), m.taskReason ? `${m.task} (${m.taskReason})` : m.task]);
    if (m.mode) items.push([t('Mode'), m.mode]);
    if (m.why.length) items.push([t('Why'), m.why.join('; ')]);
    if (m.inputTokens !== undefined || m.outputTokens !== undefined) {
      items.push([
        t('Tokens'),
        `${formatNumber(m.inputTokens ?? 0)} → ${formatNumber(m.outputTokens ?? 0)} (${m.tokensEstimated ? t('estimated') : t('measured')})`,
      ]);
    }
    if (m.ttftMs !== undefined) items.push([t('First token'), `${formatNumber(Math.round(m.ttftMs))} ms`]);
    if (m.tokensPerSecond !== undefined) items.push([t('Speed'), `${formatNumber(Math.round(m.tokensPerSecond * 10) / 10)} tok/s`]);
    if (answer.locality === 'local' && (m.costTotal === undefined || m.costTotal === 0)) items.push([t('Cost'), t('free (local)')]);
    else if (m.costTotal !== undefined) items.push([t('Cost'), `${formatMoney(m.costTotal, m.currency ?? 'USD')}${m.costEstimated ? ` (${t('estimated')})` : ''}`]);
    if (answer.status === 'cancelled') items.push(['', t('Stopped')]);
    view.meta.textContent = '';
    for (const [label, value] of items) {
      const span = document.createElement('span');
      span.className = 'meta-item';
      if (label) {
        const l = document.createElement('span');
        l.className = 'meta-label';
        l.textContent = `${label}: `;
        span.append(l);
      }
      span.append(value);
      view.meta.append(span);
    }
    for (const notice of m.notices) {
      const n = document.createElement('div');
      n.className = 'notice';
      n.textContent = notice;
      view.meta.append(n);
    }
    if (m.truncatedAt !== undefined) view.meta.append(this.buildTruncatedNote(view, m.truncatedAt));
    if (answer.status !== 'streaming' && !view.highlighted) this.drawEnd(view);
  }

  /**
   * An answer ended (or arrived whole): what is left is drawn now if it fits in FINAL_DRAW_MS —
   * as before, a short answer is complete the moment it is marked done — and the rest over the
   * next frames (a restored or truncated 1 MB answer).
   */
  private drawEnd(view: AnswerView): void {
    const started = performance.now();
    view.renderer ??= new BodyRenderer(view.body);
    let more = true;
    while (more && performance.now() - started < FINAL_DRAW_MS) more = view.renderer.draw(view.answer.text);
    if (more) this.markDirty(view);
    else this.finish(view);
  }

  /** The whole answer is on screen: highlight its code once, between frames; tests wait for data-drawn. */
  private finish(view: AnswerView): void {
    view.highlighted = true;
    view.body.dataset.drawn = '1';
    highlightCodeBlocks(view.body);
  }

  /** "Truncated at 2 MB" with the way to the whole answer: an untitled editor document. */
  private buildTruncatedNote(view: AnswerView, truncatedAt: number): HTMLElement {
    const note = document.createElement('div');
    note.className = 'truncated-note';
    note.setAttribute('role', 'status');
    const text = document.createElement('span');
    text.textContent = t('Truncated at {0} MB').replace('{0}', formatNumber(Math.round((truncatedAt / 1_000_000) * 10) / 10));
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'secondary open-full-answer';
    open.textContent = t('Open the full answer in an editor');
    open.addEventListener('click', () => this.actions.openAnswer(view.turnId, view.answer.id));
    note.append(text, open);
    return note;
  }

  private buildError(error: TurnError): HTMLElement {
    const box = document.createElement('div');
    box.className = `turn-error kind-${error.kind}`;
    box.setAttribute('role', 'alert');
    if (error.lines && error.lines.length > 0) {
      // One line per cause, each with its own button; the whole state's buttons follow.
      for (const line of error.lines) {
        const row = document.createElement('div');
        row.className = 'error-line';
        const text = document.createElement('p');
        text.textContent = line.text;
        row.append(text, this.buildFixButtons(line.actions));
        box.append(row);
      }
    } else {
      const text = document.createElement('p');
      text.textContent = error.message;
      box.append(text);
    }
    box.append(this.buildFixButtons(error.actions));
    if (error.details && error.details.length > 0) {
      // The per-model list is for who wants it: collapsed, one item per left-out model.
      const details = document.createElement('details');
      details.className = 'error-details';
      const summary = document.createElement('summary');
      summary.textContent = t('Details');
      const list = document.createElement('ul');
      for (const d of error.details) {
        const li = document.createElement('li');
        li.textContent = d;
        list.append(li);
      }
      details.append(summary, list);
      box.append(details);
    }
    return box;
  }

  private buildFixButtons(actions: TurnError['actions']): HTMLElement {
    const buttons = document.createElement('div');
    buttons.className = 'fix-actions';
    for (const action of actions) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = action.label;
      b.addEventListener('click', () => this.actions.command(action.command, action.setting));
      buttons.append(b);
    }
    return buttons;
  }

  private buildTurnActions(turn: Turn): HTMLElement {
    const bar = document.createElement('div');
    bar.className = 'turn-actions';
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'secondary';
    retry.textContent = t('Retry with…');
    retry.addEventListener('click', () => this.actions.retryWith(turn.id));
    const escalate = document.createElement('button');
    escalate.type = 'button';
    escalate.className = 'secondary';
    escalate.textContent = t('Escalate');
    escalate.addEventListener('click', () => this.actions.escalate(turn.id));
    bar.append(retry, escalate);
    return bar;
  }

  private emptyState(): HTMLElement {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = t('Ask about your code, math or anything else. Local models answer first; the cloud is used only when needed and within your budget.');
    return p;
  }

  private scrollIfFollowing(): void {
    if (this.stickToBottom) this.scrollToBottom();
  }

  private scrollToBottom(): void {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}

/** The answer's classes: its status (tests and styles key on `status-done`…) and where it ran. */
function answerClass(answer: Answer): string {
  return `answer status-${answer.status} ${answer.locality}`;
}

function meterRow(label: string, spent: number, limit: number | undefined, currency: string): HTMLElement {
  const row = document.createElement('div');
  row.className = 'meter-row';
  const name = document.createElement('span');
  name.className = 'meter-label';
  name.textContent = label;
  const bar = document.createElement('div');
  bar.className = 'meter';
  bar.setAttribute('role', 'meter');
  bar.setAttribute('aria-label', `${t('Budget')} ${label}`);
  bar.setAttribute('aria-valuemin', '0');
  const fill = document.createElement('div');
  fill.className = 'meter-fill';
  const value = document.createElement('span');
  value.className = 'meter-value';
  if (limit !== undefined && limit > 0) {
    const fraction = Math.min(1, spent / limit);
    fill.style.width = `${(fraction * 100).toFixed(1)}%`;
    bar.setAttribute('aria-valuemax', String(limit));
    bar.setAttribute('aria-valuenow', String(spent));
    row.classList.toggle('near', fraction >= 0.8 && fraction < 1);
    row.classList.toggle('reached', fraction >= 1);
    value.textContent = `${formatMoney(spent, currency)} / ${formatMoney(limit, currency)}`;
  } else if (limit === 0) {
    fill.style.width = spent > 0 ? '100%' : '0%';
    row.classList.toggle('reached', spent > 0);
    value.textContent = `${formatMoney(spent, currency)} / ${formatMoney(0, currency)}`;
  } else {
    fill.style.width = '0%';
    value.textContent = `${formatMoney(spent, currency)} (${t('No cap')})`;
  }
  bar.append(fill);
  row.append(name, bar, value);
  return row;
}

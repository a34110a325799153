/**
 * Turns the router's event stream into terminal output: the answer on stdout, everything about
 * it (thinking, failovers, escalations, the summary line) on stderr so `> answer.txt` keeps only
 * the answer; or one JSON object (--json); or the raw events as NDJSON (--events).
 */
import type { CandidateReason, CostBreakdown, FinishReason, Fix, Locality, NormalizedError, RoutingDecision, SignalResult, StreamEvent, Timing, Usage } from '../core/types';
import { formatModelRef } from '../core/types';
import { type ReasonTable, reasonTemplates, renderReason } from '../core/reasons';

export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** ANSI dim / normal intensity, used only when stderr is a terminal. */
const DIM = '\x1b[2m';
const UNDIM = '\x1b[22m';

/** What one request produced, for --json and for the exit code. */
export interface AskResult {
  ok: boolean;
  cancelled: boolean;
  decision?: RoutingDecision;
  /** "provider/model" of the attempt that produced the final answer. */
  model?: string;
  locality?: Locality;
  text: string;
  thinking?: string;
  finishReason?: FinishReason;
  tokens?: Usage;
  timing?: Timing;
  cost?: CostBreakdown;
  attempts: number;
  failovers: { from: string; to: string; error: NormalizedError }[];
  escalations: { from: string; to: string; reasons: SignalResult[] }[];
  notices: string[];
  error?: NormalizedError;
}

interface AttemptState {
  model: string;
  locality: Locality;
  text: string;
  thinking: string;
  usage?: Usage;
  cost?: CostBreakdown;
  timing?: Timing;
  finish?: FinishReason;
}

/** Folds events into an AskResult; the renderers below share it. */
export class ResultCollector {
  readonly result: AskResult = { ok: false, cancelled: false, text: '', attempts: 0, failovers: [], escalations: [], notices: [] };
  private readonly attempts = new Map<number, AttemptState>();
  private finalAttempt?: number;

  add(ev: StreamEvent): void {
    const r = this.result;
    switch (ev.type) {
      case 'decision':
        r.decision = ev.decision;
        break;
      case 'start':
        this.attempts.set(ev.attempt, { model: formatModelRef(ev.ref), locality: ev.locality, text: '', thinking: '' });
        this.finalAttempt = ev.attempt;
        break;
      case 'thinking':
        this.at(ev.attempt).thinking += ev.text;
        break;
      case 'text':
        this.at(ev.attempt).text += ev.text;
        break;
      case 'usage':
        this.at(ev.attempt).usage = ev.usage;
        break;
      case 'cost':
        this.at(ev.attempt).cost = ev.cost;
        break;
      case 'finish':
        this.at(ev.attempt).timing = ev.timing;
        this.at(ev.attempt).finish = ev.reason;
        if (ev.reason === 'cancelled') r.cancelled = true;
        break;
      case 'notice':
        r.notices.push(ev.message);
        break;
      case 'failover':
        r.failovers.push({ from: formatModelRef(ev.from), to: formatModelRef(ev.to), error: ev.error });
        break;
      case 'escalate':
        r.escalations.push({ from: formatModelRef(ev.from), to: formatModelRef(ev.to), reasons: ev.reasons });
        r.cancelled = false; // the cut local attempt is not a user cancel
        break;
      case 'error':
        r.error = ev.error;
        break;
      case 'done': {
        r.attempts = ev.attempts;
        const finalAttempt = ev.finalRef ? this.lastAttemptOf(formatModelRef(ev.finalRef)) : this.finalAttempt;
        const a = finalAttempt !== undefined ? this.attempts.get(finalAttempt) : undefined;
        if (a) {
          r.model = a.model;
          r.locality = a.locality;
          r.text = a.text;
          if (a.thinking) r.thinking = a.thinking;
          r.finishReason = a.finish;
          r.tokens = a.usage;
          r.timing = a.timing;
          r.cost = a.cost;
        }
        r.ok = !r.error && !r.cancelled && ev.finalRef !== undefined;
        break;
      }
    }
  }

  private at(attempt: number): AttemptState {
    let a = this.attempts.get(attempt);
    if (!a) this.attempts.set(attempt, (a = { model: '?', locality: 'local', text: '', thinking: '' }));
    return a;
  }

  private lastAttemptOf(model: string): number | undefined {
    let found: number | undefined;
    for (const [n, a] of this.attempts) if (a.model === model) found = n;
    return found;
  }
}

/** Streams a human-readable rendering of each event as it arrives. */
export class TerminalRenderer {
  private midLine = false;
  private thinkingOpen = false;

  constructor(
    private readonly stdout: Sink,
    private readonly stderr: Sink,
    /** The CLI's words for an error's fix (an environment variable, a settings key); see fixText.ts. */
    private readonly fixText: (fix: Fix) => string = () => '',
    /** The CLI's words for the core's reasons in the user's language (messages.ts). */
    private readonly table: ReasonTable = reasonTemplates,
  ) {}

  add(ev: StreamEvent): void {
    switch (ev.type) {
      case 'start':
        this.note(`→ ${formatModelRef(ev.ref)} (${ev.locality}) — ${whyOf(ev, this.table).join('; ')}`);
        break;
      case 'thinking':
        if (!this.thinkingOpen) {
          this.stderr.write(this.dim('thinking: '));
          this.thinkingOpen = true;
        }
        this.stderr.write(this.dim(ev.text));
        break;
      case 'text':
        this.closeThinking();
        this.stdout.write(ev.text);
        this.midLine = !ev.text.endsWith('\n');
        break;
      case 'notice':
        this.note(`note: ${ev.reason ? renderReason(ev.reason, this.table) : ev.message}`);
        break;
      case 'failover':
        this.note(`↪ ${formatModelRef(ev.from)} failed (${ev.error.kind}: ${this.withFix(ev.error)}); trying ${formatModelRef(ev.to)}`);
        break;
      case 'escalate':
        this.note(`⇧ escalating ${formatModelRef(ev.from)} → ${formatModelRef(ev.to)}: ${ev.reasons.map((r) => signalText(r, this.table)).join('; ')}`);
        break;
      case 'error':
        this.note(errorLine(ev.error, (e) => this.withFix(e)));
        break;
      default:
        break;
    }
  }

  /** The summary line after `done`. */
  summary(result: AskResult): void {
    this.endLine();
    if (!result.model) return;
    const parts = [result.model];
    const t = result.tokens;
    if (t) parts.push(`${t.inputTokens} in / ${t.outputTokens} out tokens${t.estimated ? ' (estimated)' : ''}`);
    if (result.timing?.ttftMs !== undefined) parts.push(`ttft ${Math.round(result.timing.ttftMs)} ms`);
    if (result.timing) parts.push(`total ${Math.round(result.timing.totalMs)} ms`);
    if (result.timing?.tokensPerSecond !== undefined) parts.push(`${result.timing.tokensPerSecond.toFixed(1)} tok/s`);
    if (result.locality === 'local' && (!result.cost || result.cost.totalUsd === 0)) parts.push('$0 (local)');
    else if (result.cost) parts.push(`${formatUsd(result.cost.totalUsd)}${result.cost.estimated ? ' (est.)' : ''} [${result.cost.priceSource}]`);
    if (result.cancelled) parts.push('cancelled');
    this.stderr.write(this.dim(`— ${parts.join(' · ')}`) + '\n');
  }

  private withFix(error: NormalizedError): string {
    const fix = error.fix ? this.fixText(error.fix) : '';
    const message = errorMessage(error, this.table);
    return fix ? `${message} ${fix}` : message;
  }

  private note(line: string): void {
    this.endLine();
    this.stderr.write(this.dim(line) + '\n');
  }

  private endLine(): void {
    this.closeThinking();
    if (this.midLine) {
      this.stdout.write('\n');
      this.midLine = false;
    }
  }

  private closeThinking(): void {
    if (this.thinkingOpen) {
      this.stderr.write('\n');
      this.thinkingOpen = false;
    }
  }

  private dim(text: string): string {
    return this.stderr.isTTY ? `${DIM}${text}${UNDIM}` : text;
  }
}

const count = (n: number): string => n.toLocaleString('en-US');

/** An escalation signal's verdict with the CLI's table; the core's English when it gave no reason as data. */
export function signalText(r: SignalResult, table: ReasonTable = reasonTemplates): string {
  return r.reason ? renderReason(r.reason, table) : r.explanation;
}

/** A candidate's reasons with the CLI's table; the core's English when it gave none as data. */
function whyOf(c: { why: string[]; reasons?: CandidateReason[] }, table: ReasonTable): string[] {
  return c.reasons ? c.reasons.map((r) => renderReason(r, table)) : c.why;
}

/** An error's sentence: a budget refusal from its numbers with the CLI's table (in English the core's own `message`), the rest as core wrote it. */
export function errorMessage(error: NormalizedError, table: ReasonTable = reasonTemplates): string {
  return error.reason?.code === 'budget_refused' ? `Budget: ${renderReason(error.reason, table)}` : error.message;
}

/** The line for a failed request: a refusal with numbers is said from them, the rest as core wrote it. */
export function errorLine(error: NormalizedError, describe: (e: NormalizedError) => string = (e) => errorMessage(e)): string {
  const r = error.reason;
  if (r?.code === 'prompt_too_large') {
    return (
      `switchyard: prompt too large: about ${count(r.promptTokens)} tokens, plus ${count(r.answerTokens)} for the answer, ` +
      `do not fit the largest context window available (${r.model}, ${count(r.largestWindow)} tokens). Nothing was sent. ` +
      'Shorten the prompt, lower --max-tokens, or configure a model with a larger window (`switchyard plan` lists each model left out and why).'
    );
  }
  return `switchyard: ${error.kind === 'unknown' ? 'error' : error.kind}: ${describe(error)}`;
}

function formatUsd(usd: number): string {
  // Sub-cent amounts are the norm here; six decimals show a single cheap request's cost.
  return `$${usd < 0.01 ? usd.toFixed(6) : usd.toFixed(4)}`;
}

/** Human-readable lines for `switchyard plan`. */
export function formatDecision(decision: RoutingDecision, fixText: (fix: Fix) => string = () => '', table: ReasonTable = reasonTemplates): string {
  const taskReason = decision.taskReasonData ? `${decision.task}: ${renderReason(decision.taskReasonData, table)}` : decision.taskReason;
  const lines = [`task: ${decision.task} (${taskReason})`, `mode: ${decision.mode}`, 'candidates:'];
  if (decision.candidates.length === 0) lines.push('  (none)');
  decision.candidates.forEach((c, i) => lines.push(`  ${i + 1}. ${formatModelRef(c.ref)} [${c.locality}] — ${whyOf(c, table).join('; ')}`));
  if (decision.excluded.length > 0) {
    lines.push('left out:');
    for (const e of decision.excluded) {
      const fix = e.fix ? fixText(e.fix) : '';
      lines.push(`  - ${e.ref}: ${e.because ? renderReason(e.because, table) : e.why}${fix ? ` (${fix.replace(/\.$/, '')})` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * The status bar item: the workspace's mode (or pinned provider/model) and today's spend against
 * the workspace's daily cap, in the warning colour near the cap and the error colour at it.
 * Hover: the last request's model and what is known about each provider. Click: the switcher.
 */
import * as vscode from 'vscode';
import type { Services } from '../app/services';
import { allProviders } from '../app/endpoints';
import type { ChatSession } from '../chat/chatSession';
import { budgetLevel, formatAmount, readBudgetView, type BudgetLevel } from '../budget/budgetView';
import { modeLabel } from './switcher';
import type { BudgetView } from '../../shared/messages';

/** Re-read the ledger this often even without events: other windows and the CLI spend too, and days roll over. */
const REFRESH_INTERVAL_MS = 60_000;

export class SwitchyardStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private budget: BudgetView | undefined;
  /** For tests: the level the item currently shows. */
  level: BudgetLevel = 'ok';
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly services: Services,
    private readonly session: ChatSession,
  ) {
    this.item = vscode.window.createStatusBarItem('switchyard.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Switchyard';
    this.item.command = 'switchyard.switchMode';
    // The first draw reads the settings (parsing them) and the ledger: right after activation,
    // not inside it, which must stay under 50 ms (issue 3).
    const firstDraw = setTimeout(() => {
      this.render();
      this.item.show();
      void this.refresh();
    }, 0);
    const timer = setInterval(() => void this.refresh(), REFRESH_INTERVAL_MS);
    this.disposables.push(
      this.item,
      { dispose: () => clearTimeout(firstDraw) },
      { dispose: () => clearInterval(timer) },
      services.onDidChange(() => void this.refresh()),
      services.onBudgetAlert(() => void this.refresh()),
      session.onDidFinish(() => void this.refresh()),
    );
  }

  /** Re-reads the budget and redraws; resolves when done (tests await it). */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        this.budget = await readBudgetView(this.services);
        this.render();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private render(): void {
    const config = this.services.config();
    const icon = config.mode === 'local' ? '$(lock)' : config.mode === 'cloud' ? '$(cloud)' : config.mode === 'pinned' ? '$(pinned)' : '$(arrow-swap)';
    const mode = modeLabel(config.mode, config.pinned);
    const budget = this.budget;
    let spend = '';
    this.level = 'ok';
    if (budget) {
      spend = budget.dailyLimit !== undefined
        ? `${formatAmount(budget.today, budget.currency)}/${formatAmount(budget.dailyLimit, budget.currency)}`
        : formatAmount(budget.today, budget.currency);
      this.level = budgetLevel(budget.today, budget.dailyLimit);
    }
    // Demo mode says so first: its spend is demo money from the demo ledger (src/vscode/firstRun/demo.ts).
    const demo = this.services.demo() ? `$(beaker) ${vscode.l10n.t('Demo')}  ` : '';
    this.item.text = spend ? `${demo}${icon} ${mode}  ${spend}` : `${demo}${icon} ${mode}`;
    this.item.backgroundColor =
      this.level === 'reached'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : this.level === 'near'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.accessibilityInformation = {
      label: vscode.l10n.t('Switchyard: mode {0}, spent today {1}. Click to switch mode or provider.', mode, spend || vscode.l10n.t('unknown')),
    };
    this.item.tooltip = this.tooltip(mode);
  }

  /**
   * "groq is degraded: …" when the preferred provider (the pinned one, else the last request's)
   * is not healthy in the machine's reliability state; nothing before the guard was built.
   */
  private preferredUnhealthy(lastProvider: string | undefined): string | undefined {
    const config = this.services.config();
    const preferred = config.mode === 'pinned' && config.pinned ? config.pinned.split('/')[0] : lastProvider;
    const guard = this.services.builtReliability();
    if (!preferred || !guard) return undefined;
    const p = guard.reliability.statusSnapshot().providers.find((s) => s.provider === preferred);
    if (!p || p.state === 'healthy') return undefined;
    const state = STATE_WORDS[p.state]?.() ?? p.state;
    return p.reason ? vscode.l10n.t('Preferred provider {0} is {1}: {2}', preferred, state, p.reason) : vscode.l10n.t('Preferred provider {0} is {1}', preferred, state);
  }

  private tooltip(mode: string): vscode.MarkdownString {
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = false;
    md.appendMarkdown(`**Switchyard** — ${escapeMd(mode)}\n\n`);
    if (this.services.demo()) md.appendMarkdown(`${escapeMd(vscode.l10n.t('Demo mode: canned answers from the demo servers; spending below is demo money in the demo ledger, not your budget. Run "Switchyard: Leave the Demo" to use your real providers.'))}\n\n`);
    const status = this.session.status;
    if (status.lastRef) {
      md.appendMarkdown(
        `${escapeMd(vscode.l10n.t('Last request: {0} ({1})', `${status.lastRef.provider}/${status.lastRef.model}`, status.lastLocality === 'local' ? vscode.l10n.t('local') : vscode.l10n.t('cloud')))}\n\n`,
      );
    } else {
      md.appendMarkdown(`${escapeMd(vscode.l10n.t('No request yet in this window.'))}\n\n`);
    }
    const budget = this.budget;
    if (budget) {
      const line = (label: string, spent: number, limit: number | undefined) =>
        `${label}: ${formatAmount(spent, budget.currency)}${limit !== undefined ? ` / ${formatAmount(limit, budget.currency)}` : ''}`;
      md.appendMarkdown(`${escapeMd(line(vscode.l10n.t('Today'), budget.today, budget.dailyLimit))}  \n`);
      md.appendMarkdown(`${escapeMd(line(vscode.l10n.t('This month'), budget.month, budget.monthlyLimit))}\n\n`);
      if (this.level === 'reached') md.appendMarkdown(`$(error) ${escapeMd(vscode.l10n.t('Budget reached: only local models will be used.'))}\n\n`);
      else if (this.level === 'near') md.appendMarkdown(`$(warning) ${escapeMd(vscode.l10n.t('Close to the daily budget.'))}\n\n`);
    }
    const preferredLine = this.preferredUnhealthy(status.lastRef?.provider);
    if (preferredLine) md.appendMarkdown(`$(warning) ${escapeMd(preferredLine)}\n\n`);
    const providers = Object.keys(allProviders(this.services.config()));
    const stored = new Set(this.services.keys.list().map((k) => k.provider));
    const lines: string[] = [];
    for (const id of new Set([...providers, ...stored, ...status.providerErrors.keys()])) {
      const error = status.providerErrors.get(id);
      const state = error
        ? `$(error) ${escapeMd(error.kind)}: ${escapeMd(error.message.slice(0, 80))}`
        : stored.has(id)
          ? `$(key) ${escapeMd(vscode.l10n.t('key stored'))}`
          : `$(circle-outline) ${escapeMd(vscode.l10n.t('no errors seen'))}`;
      lines.push(`- ${escapeMd(id)}: ${state}`);
    }
    if (lines.length) md.appendMarkdown(`${escapeMd(vscode.l10n.t('Providers'))}:\n\n${lines.join('\n')}\n\n`);
    md.appendMarkdown(escapeMd(vscode.l10n.t('Click to switch mode or provider.')));
    return md;
  }
}

const STATE_WORDS: Record<string, () => string> = {
  degraded: () => vscode.l10n.t('degraded'),
  open: () => vscode.l10n.t('open (circuit breaker)'),
  loading: () => vscode.l10n.t('loading'),
  needs_key: () => vscode.l10n.t('needs key'),
  out_of_credit: () => vscode.l10n.t('out of credit'),
  waiting_for_quota: () => vscode.l10n.t('waiting for quota'),
};

/** Provider messages and ids are text, not Markdown. */
function escapeMd(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>$]/g, (c) => `\\${c}`);
}

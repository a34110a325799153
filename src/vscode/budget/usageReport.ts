/**
 * Show Usage Report: the ledger's totals for this month (by day, by model, by task) and the
 * workspace's budget, as a Markdown document opened in the preview. The rendering is pure
 * (`renderUsageReport`), the command only gathers the data and opens it.
 */
import * as vscode from 'vscode';
import type { Services } from '../app/services';
import type { BudgetSummary, Report } from '../../core/cost';
import { formatMoney, toUsd } from '../../core/cost/currency';
import type { Translate } from '../chat/errorStates';

export interface UsageReportData {
  summary: BudgetSummary;
  usdRate?: number;
  byDay: Report;
  byModel: Report;
  byTask: Report;
  month: string;
  /** Demo mode: the report is the demo ledger's, and says so in its title. */
  demo?: boolean;
}

export function renderUsageReport(data: UsageReportData, t: Translate): string {
  const cur = { currency: data.summary.currency, usdRate: data.usdRate };
  // Summary values are already in the user's currency; report rows are USD.
  const local = (v: number) => formatMoney(toUsd(v, cur), cur);
  const usd = (v: number) => formatMoney(v, cur);
  const lines: string[] = [];
  if (data.demo) {
    lines.push(`# ${t('Switchyard DEMO usage — {0}', data.month)}`, '');
    lines.push(`> ${t('demo: these are the demo ledger\'s records, canned answers priced in demo money. Your real usage and budgets are not in it and did not change.')}`, '');
  } else {
    lines.push(`# ${t('Switchyard usage — {0}', data.month)}`, '');
  }
  lines.push(`## ${t('Budget')}`, '');
  lines.push(`| | ${t('Spent')} | ${t('In flight')} | ${t('Cap')} |`, '|---|---:|---:|---:|');
  const row = (label: string, p: BudgetSummary['today']) => `| ${label} | ${local(p.spent)} | ${local(p.reserved)} | ${local(p.limit)} |`;
  lines.push(
    row(t('This workspace, today'), data.summary.today),
    row(t('This workspace, this month'), data.summary.month),
    row(t('All workspaces, today'), data.summary.globalToday),
    row(t('All workspaces, this month'), data.summary.globalMonth),
    '',
  );
  const table = (title: string, report: Report) => {
    lines.push(`## ${title}`, '');
    if (report.rows.length === 0) {
      lines.push(t('No requests yet.'), '');
      return;
    }
    lines.push(`| | ${t('Requests')} | ${t('Input tokens')} | ${t('Output tokens')} | ${t('Cost')} | ${t('Saved vs {0}', report.reference ?? '—')} |`, '|---|---:|---:|---:|---:|---:|');
    for (const r of [...report.rows, report.total]) {
      const name = r === report.total ? `**${t('Total')}**` : escapeCell(r.key);
      // Estimated costs (cut streams, processes that died before settling) are named, with their part of the cost.
      const est = r.estimated > 0 ? ` (${t('{0} estimated', r.estimated)}: ${usd(r.estimatedUsd)})` : '';
      lines.push(`| ${name} | ${r.requests} | ${r.inputTokens} | ${r.outputTokens} | ${usd(r.costUsd)}${est} | ${report.reference ? usd(r.savingsUsd) : '—'} |`);
    }
    lines.push('');
  };
  table(t('By day'), data.byDay);
  table(t('By model'), data.byModel);
  table(t('By task'), data.byTask);
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[<>]/g, '');
}

export async function showUsageReport(services: Services): Promise<vscode.TextDocument> {
  const cost = services.cost();
  const config = services.config();
  const now = new Date();
  const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const filter = { from: `${month}-01` };
  const data: UsageReportData = {
    summary: await cost.summary(services.workspaceId),
    usdRate: config.budget.usdRate,
    byDay: cost.report('day', filter),
    byModel: cost.report('model', filter),
    byTask: cost.report('task', filter),
    month,
    demo: services.demo() !== undefined,
  };
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: renderUsageReport(data, vscode.l10n.t) });
  await vscode.window.showTextDocument(doc, { preview: true });
  void vscode.commands.executeCommand('markdown.showPreview', doc.uri).then(undefined, () => undefined);
  return doc;
}

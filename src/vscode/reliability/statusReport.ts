/**
 * The provider status document (Show Provider Status), as a pure function of the guard's
 * statusSnapshot and a translator: no vscode import, so it is unit-tested in English and Chinese.
 */
import type { ProviderState, StatusSnapshot } from '../../core/reliability';
import type { Translate } from '../chat/errorStates';

function stateText(state: ProviderState, t: Translate): string {
  switch (state) {
    case 'healthy':
      return t('healthy');
    case 'degraded':
      return t('degraded');
    case 'open':
      return t('open (circuit breaker)');
    case 'loading':
      return t('loading');
    case 'needs_key':
      return t('needs key');
    case 'out_of_credit':
      return t('out of credit');
    case 'waiting_for_quota':
      return t('waiting for quota');
  }
}

const ms = (n: number) => `${Math.round(n)} ms`;
const ofLimit = (used: number, limit?: number) => (limit === undefined ? String(used) : `${used} / ${limit}`);
/** A table cell: no pipe or line break from an error message may break the table. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

export function renderProviderStatus(snapshot: StatusSnapshot, t: Translate, primary?: string): string {
  const lines: string[] = [`# ${t('Switchyard provider status — {0}', snapshot.at)}`, ''];
  if (primary) lines.push(t('Current primary: {0}', primary), '');
  if (snapshot.providers.length === 0) {
    lines.push(t('No provider has been used on this machine yet.'));
    return lines.join('\n') + '\n';
  }
  lines.push(
    `| ${t('Provider')} | ${t('State')} | ${t('First token p50 / p95 (last hour)')} | ${t('Total p50 / p95 (last hour)')} | ${t('Success rate (last hour)')} | ${t('Requests today')} | ${t('Tokens today')} | ${t('Switches today')} |`,
    '|---|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const p of snapshot.providers) {
    const pct = (a?: { p50: number; p95: number }) => (a ? `${ms(a.p50)} / ${ms(a.p95)}` : '—');
    const rate = p.successRate === undefined ? '—' : `${Math.round(p.successRate * 100)} % (${p.requestsLastHour})`;
    lines.push(
      `| ${cell(p.provider)} | ${stateText(p.state, t)}${p.reason ? ` (${cell(p.reason)})` : ''} | ${pct(p.ttftMs)} | ${pct(p.totalMs)} | ${rate} | ${ofLimit(p.today.requests, p.today.requestLimit)} | ${ofLimit(p.today.tokens, p.today.tokenLimit)} | ${p.switchesToday} |`,
    );
  }
  const errors = snapshot.providers.filter((p) => p.lastError);
  if (errors.length > 0) {
    lines.push('', `## ${t('Last errors')}`, '');
    for (const p of errors) lines.push(`- ${cell(p.provider)}, ${p.lastError!.at}: ${p.lastError!.kind}${p.lastError!.message ? ` — ${cell(p.lastError!.message)}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

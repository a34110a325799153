/**
 * `switchyard status` as text: one block per provider from the guard's statusSnapshot(), in the
 * CLI's language (English, or Simplified Chinese from the locale, like messages.ts).
 */
import type { ProviderState, StatusSnapshot } from '../core/reliability';

interface StatusWords {
  states: Record<ProviderState, string>;
  ttft: string;
  total: string;
  success: string;
  today: string;
  requests: string;
  tokens: string;
  lastError: string;
  switches: string;
  none: string;
}

const EN: StatusWords = {
  states: { healthy: 'healthy', degraded: 'degraded', open: 'open (circuit breaker)', loading: 'loading', needs_key: 'needs key', out_of_credit: 'out of credit', waiting_for_quota: 'waiting for quota' },
  ttft: 'first token p50/p95 (last hour)',
  total: 'total p50/p95 (last hour)',
  success: 'success rate (last hour)',
  today: 'today',
  requests: 'requests',
  tokens: 'tokens',
  lastError: 'last error',
  switches: 'switches away today',
  none: 'no providers have been used yet',
};

const ZH_CN: StatusWords = {
  states: { healthy: '正常', degraded: '降级', open: '已熔断', loading: '加载中', needs_key: '需要密钥', out_of_credit: '余额不足', waiting_for_quota: '等待配额' },
  ttft: '首个 token p50/p95（最近一小时）',
  total: '总耗时 p50/p95（最近一小时）',
  success: '成功率（最近一小时）',
  today: '今天',
  requests: '请求',
  tokens: 'token',
  lastError: '最近错误',
  switches: '今天切换离开次数',
  none: '还没有使用过任何提供方',
};

export const STATUS_WORDS: Readonly<Record<'en' | 'zh-cn', StatusWords>> = { en: EN, 'zh-cn': ZH_CN };

const ms = (n: number) => `${Math.round(n)} ms`;
const ofLimit = (used: number, limit?: number) => (limit === undefined ? String(used) : `${used}/${limit}`);

export function renderStatusText(snapshot: StatusSnapshot, lang: 'en' | 'zh-cn'): string {
  const w = STATUS_WORDS[lang];
  if (snapshot.providers.length === 0) return `${w.none}\n`;
  const lines: string[] = [];
  for (const p of snapshot.providers) {
    lines.push(`${p.provider}: ${w.states[p.state]}${p.reason ? ` (${p.reason})` : ''}`);
    if (p.ttftMs) lines.push(`  ${w.ttft}: ${ms(p.ttftMs.p50)} / ${ms(p.ttftMs.p95)}`);
    if (p.totalMs) lines.push(`  ${w.total}: ${ms(p.totalMs.p50)} / ${ms(p.totalMs.p95)}`);
    if (p.successRate !== undefined) lines.push(`  ${w.success}: ${Math.round(p.successRate * 100)} % (${p.requestsLastHour})`);
    lines.push(`  ${w.today}: ${w.requests} ${ofLimit(p.today.requests, p.today.requestLimit)}, ${w.tokens} ${ofLimit(p.today.tokens, p.today.tokenLimit)}`);
    if (p.lastError) lines.push(`  ${w.lastError}: ${p.lastError.at} ${p.lastError.kind}${p.lastError.message ? `: ${p.lastError.message}` : ''}`);
    if (p.switchesToday > 0) lines.push(`  ${w.switches}: ${p.switchesToday}`);
  }
  return lines.join('\n') + '\n';
}

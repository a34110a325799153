/**
 * Show Provider Status's document (src/vscode/reliability/statusReport.ts), a pure function of
 * the guard's statusSnapshot: every state and figure, in English and through the zh-cn bundle.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusSnapshot } from '../../../src/core/reliability';
import { renderProviderStatus } from '../../../src/vscode/reliability/statusReport';
import { english } from './translate';

const bundle = JSON.parse(readFileSync(join(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
const chinese = (message: string, ...args: (string | number)[]) => english(bundle[message] ?? `MISSING ${message}`, ...args);

const snapshot: StatusSnapshot = {
  at: '2026-12-02T12:00:00.000Z',
  providers: [
    {
      provider: 'groq',
      state: 'degraded',
      reason: 'error rate 20 % | last minute',
      ttftMs: { p50: 120.4, p95: 300 },
      totalMs: { p50: 800, p95: 1500 },
      successRate: 0.8,
      requestsLastHour: 10,
      today: { requests: 12, tokens: 3400, requestLimit: 1000 },
      lastError: { at: '2026-12-02T11:59:00.000Z', kind: 'rate_limit', message: 'slow\ndown' },
      switchesToday: 2,
      models: [],
    },
    { provider: 'ollama', state: 'loading', requestsLastHour: 0, today: { requests: 0, tokens: 0 }, switchesToday: 0, models: [] },
  ],
};

describe('Show Provider Status: the document', () => {
  it('English: a row per provider with state, latency, success rate, use against quota and switches; the last errors', () => {
    const md = renderProviderStatus(snapshot, english, 'groq/llama-3.3-70b-versatile');
    assert.match(md, /^# Switchyard provider status — 2026-12-02T12:00:00.000Z$/m);
    assert.match(md, /Current primary: groq\/llama-3.3-70b-versatile/);
    assert.match(md, /^\| groq \| degraded \(error rate 20 % \\\| last minute\) \| 120 ms \/ 300 ms \| 800 ms \/ 1500 ms \| 80 % \(10\) \| 12 \/ 1000 \| 3400 \| 2 \|$/m);
    assert.match(md, /^\| ollama \| loading \| — \| — \| — \| 0 \| 0 \| 0 \|$/m);
    assert.match(md, /^- groq, 2026-12-02T11:59:00.000Z: rate_limit — slow down$/m);
  });

  it('Chinese: every word through the zh-cn bundle', () => {
    const md = renderProviderStatus(snapshot, chinese);
    assert.doesNotMatch(md, /MISSING/);
    assert.match(md, /Switchyard 提供方状态/);
    assert.match(md, /\| groq \| 降级/);
    assert.match(md, /\| ollama \| 加载中/);
    assert.match(md, /成功率（最近一小时）/);
    assert.match(renderProviderStatus({ at: snapshot.at, providers: [] }, chinese), /此机器上还没有使用过任何提供方。/);
  });
});

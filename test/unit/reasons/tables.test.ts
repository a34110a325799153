/**
 * The core's reasons are data (src/core/reasons), worded by one table per language and surface:
 * the English table of the core, VS Code's zh-cn l10n bundle (keyed by the English templates)
 * and the CLI's zh-cn table. Every code has its words in each, with the same placeholders; the
 * English is the sentence the core always wrote; and no surface parses the core's English back.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Reason, type ReasonCode, reasonTemplates, renderReason } from '../../../src/core/reasons';
import { CLI_REASON_TABLES, cliLanguage, zhCnReasons } from '../../../src/cli/messages';
import { createSwitchyard } from '../../../src/core/switchyard';
import type { RoutingDecision } from '../../../src/core/types';
import { reasonText } from '../../../src/vscode/chat/reasonText';
import { startOllamaServer, type OllamaServer } from '../../servers/ollama';
import { config, memoryKeyStore } from '../router/helpers';
import { english } from '../vscode/translate';
import type { SignalResult } from '../../../src/core/types';
import { judgeCodeParse } from '../../../src/core/escalation/signals/codeParse';
import { judgeEmpty } from '../../../src/core/escalation/signals/empty';
import { judgeMathFinal } from '../../../src/core/escalation/signals/mathFinal';
import { judgeRefusal } from '../../../src/core/escalation/signals/refusal';
import { judgeTruncated } from '../../../src/core/escalation/signals/truncated';
import { userEscalation } from '../../../src/core/escalation/signals/user';
import { describeSignals } from '../../../src/vscode/chat/turnModel';
import { signalText } from '../../../src/cli/render';

const root = join(__dirname, '../../..');
const bundle = JSON.parse(readFileSync(join(root, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
const placeholders = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort().join();
const codes = Object.keys(reasonTemplates) as ReasonCode[];

describe('reasons: one English table, a zh-cn table on every surface', () => {
  it('every code of the English table has a zh-cn entry in the VS Code bundle, with the same placeholders', () => {
    const missing = codes.filter((code) => !bundle[reasonTemplates[code]]);
    assert.deepEqual(missing, []);
    for (const code of codes) assert.equal(placeholders(bundle[reasonTemplates[code]]!), placeholders(reasonTemplates[code]), code);
  });

  it('every code of the English table has a zh-cn entry in the CLI table, with the same placeholders, and no other', () => {
    assert.deepEqual(Object.keys(zhCnReasons).sort(), [...codes].sort());
    for (const code of codes) {
      assert.ok(zhCnReasons[code], code);
      assert.equal(placeholders(zhCnReasons[code]), placeholders(reasonTemplates[code]), code);
    }
    assert.equal(CLI_REASON_TABLES.en, reasonTemplates, "the CLI's English is the core's table");
  });

  it('the CLI picks its table from LC_ALL, then LC_MESSAGES, then LANG', () => {
    assert.equal(cliLanguage({ LANG: 'zh_CN.UTF-8' }), 'zh-cn');
    assert.equal(cliLanguage({ LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' }), 'en');
    assert.equal(cliLanguage({ LC_MESSAGES: 'zh_CN', LANG: 'en_US.UTF-8' }), 'zh-cn');
    assert.equal(cliLanguage({ LANG: 'C.UTF-8' }), 'en');
    assert.equal(cliLanguage({}), 'en');
  });

  it("renders the core's English as it always read", () => {
    const cases: [Reason, string][] = [
      [{ code: 'why_settings_rank', rank: 1, task: 'code' }, '#1 for code in settings'],
      [{ code: 'why_defaults_rank', rank: 2, task: 'summarize' }, '#2 for summarize in the shipped defaults'],
      [{ code: 'why_pinned_listed', target: 'ollama', task: 'chat' }, 'pinned to ollama; listed for chat'],
      [{ code: 'why_installed_fallback', provider: 'ollama', task: 'code' }, "installed on ollama; none of the code list's models is"],
      [{ code: 'task_long_context', tokens: 50_000, limit: 8_192 }, 'about 50,000 tokens, more than the 8,192 a small local model holds'],
      [{ code: 'task_cues', task: 'code', cues: [{ code: 'cue_code' }, { code: 'cue_open_file_is', language: 'python' }] }, 'contains code, the open file is python'],
      [{ code: 'notice_max_tokens_lowered', from: 4096, to: 812, model: 'groq/llama' }, 'max_tokens lowered from 4096 to 812 so that groq/llama fits the budget'],
      [
        { code: 'notice_unreliable_local_only', signals: [{ code: 'sig_marker', word: 'UNCERTAIN' }, { code: 'sig_truncated' }] },
        'This answer may be unreliable (the local model said it is not sure (answered UNCERTAIN); the answer was cut off at the token limit (finish reason "length")). Local-only mode: not escalating to a cloud model.',
      ],
      [{ code: 'notice_unreliable_no_target', signals: [{ code: 'sig_empty' }] }, 'This answer may be unreliable (the local model returned an empty answer), and no stronger model is available to escalate to.'],
      [{ code: 'notice_unreliable_refused', signals: [{ code: 'sig_empty' }], refusal: 'Cloud is refused.' }, 'This answer may be unreliable (the local model returned an empty answer). It cannot be escalated: Cloud is refused.'],
      [{ code: 'notice_escalation_failed', error: 'groq: 503.', model: 'ollama/llama3.2' }, 'Could not escalate: groq: 503. The answer from ollama/llama3.2 stands.'],
      [
        { code: 'budget_refused', model: 'groq/llama', worst: '$0.01', inputTokens: 10, outputTokens: 100, spent: '$0.99', limit: '$1.00', scope: 'workspace', period: 'day', held: '$0.02' },
        'groq/llama could cost up to $0.01 for this request (10 input + 100 output tokens), but $0.99 of the $1.00 workspace daily limit is spent today and $0.02 is held by requests in flight. ' +
          'No call was made. Raise switchyard.budget.dailyLimit (up to switchyard.budget.globalDailyLimit), or wait for the next day.',
      ],
      [
        { code: 'budget_refused', model: 'groq/llama', worst: '$0.01', inputTokens: 10, outputTokens: 100, spent: '$0.99', limit: '$1.00', scope: 'global', period: 'month' },
        'groq/llama could cost up to $0.01 for this request (10 input + 100 output tokens), but $0.99 of the $1.00 global monthly limit (all workspaces) is spent this month. ' +
          'No call was made. Raise switchyard.budget.globalMonthlyLimit, or wait for the next month.',
      ],
    ];
    for (const [reason, text] of cases) assert.equal(renderReason(reason), text, reason.code);
    assert.equal(renderReason(cases[5]![0], zhCnReasons), '包含代码，打开的文件类型为 python');
  });
});

describe("reasons: the router's exclusions as data", () => {
  let ollama: OllamaServer;
  before(async () => {
    ollama = await startOllamaServer({ models: ['llama3.2:3b'] });
  });
  after(() => ollama.close());

  async function plan(extra: Record<string, unknown>, prompt: string, mode?: 'local' | 'cloud'): Promise<RoutingDecision> {
    const cfg = config({
      providers: {
        ollama: { kind: 'ollama', baseUrl: ollama.url },
        lmstudio: { kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:9', locality: 'local', enabled: false, models: ['m'] },
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: 'https://api.groq.com/openai/v1', locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
      },
      ...extra,
    });
    const sy = createSwitchyard({ config: cfg, keys: memoryKeyStore({}), env: {} });
    try {
      return await sy.plan({ messages: [{ role: 'user', content: prompt }], workspaceId: 'w', ...(mode ? { mode } : {}) });
    } finally {
      sy.dispose();
    }
  }

  it('every model left out has its reason as data; the English `why` is rendered from it; the panel and the CLI say it in Chinese', async () => {
    const decisions = [
      await plan({ tasks: { chat: ['ollama/not-pulled', 'groq/llama-3.3-70b-versatile', 'lmstudio/m', 'nobody/x'] } }, 'hello'),
      await plan({}, 'hello', 'local'),
      await plan({}, 'hello', 'cloud'),
    ];
    const excluded = decisions.flatMap((d) => d.excluded);
    const codes = new Set(excluded.map((e) => e.because?.code));
    for (const code of ['excl_not_pulled_ollama', 'excl_no_key', 'excl_disabled', 'excl_not_configured', 'excl_cloud_in_local_mode', 'excl_local_in_cloud_mode']) assert.ok(codes.has(code as never), `${code} in ${[...codes].join(', ')}`);
    const zh = (message: string, ...args: (string | number)[]) => english(bundle[message] ?? message, ...args);
    for (const e of excluded) {
      assert.ok(e.because, `${e.ref}: ${e.why}`);
      assert.equal(renderReason(e.because), e.why);
      assert.equal(reasonText(e.because, english), e.why, 'the panel\'s English is the core\'s');
      if (e.because.code === 'excl_bad_ref') continue; // the parser's own words
      for (const chinese of [reasonText(e.because, zh), renderReason(e.because, zhCnReasons)]) {
        // Left in Latin letters: the reason's own values (names, addresses, settings), Ollama's command, "API" and "token".
        let rest = chinese.replace(/ollama pull/g, ' ');
        for (const value of [e.ref, ...Object.values(e.because)].filter((v) => typeof v === 'string').sort((x, y) => y.length - x.length)) rest = rest.split(value).join(' ');
        const left = rest.replace(/\bAPI\b|\btoken\b/g, '').match(/[A-Za-z]{3,}/g) ?? [];
        assert.deepEqual(left, [], `${e.why} → ${chinese}`);
      }
    }
  });
});

describe('reasons: the escalation signals\' verdicts as data', () => {
  it('each verdict carries its reason; the English explanation is rendered from it; the panel and the CLI say it in Chinese', () => {
    const results: SignalResult[] = [
      judgeTruncated({ reason: 'length' }),
      judgeTruncated({ reason: 'stop' }),
      judgeEmpty({ text: ' ' }),
      judgeEmpty({ text: 'an answer' }),
      judgeRefusal({ text: 'I cannot help with that.', reason: 'stop' }),
      judgeRefusal({ text: 'ok', reason: 'content_filter' }),
      judgeRefusal({ text: 'Sure, here it is.', reason: 'stop' }),
      judgeMathFinal({ text: 'We add them up and then think.', task: 'math' }, { enabled: true, tasks: ['math'] } as never),
      judgeMathFinal({ text: 'The answer is 4.', task: 'math' }, { enabled: true, tasks: ['math'] } as never),
      judgeCodeParse({ text: '```ts\nconst x = ;\n```', task: 'code' }, { enabled: true, tasks: ['code'] } as never),
      judgeCodeParse({ text: '```ts\nconst x = 1;\n```', task: 'code' }, { enabled: true, tasks: ['code'] } as never),
      userEscalation(),
      userEscalation('too short'),
    ];
    const zh = (message: string, ...args: (string | number)[]) => english(bundle[message] ?? message, ...args);
    for (const r of results) {
      assert.ok(r.reason, `${r.signal}: ${r.explanation}`);
      assert.equal(renderReason(r.reason), r.explanation);
      assert.equal(signalText(r), r.explanation, "the CLI's English is the core's");
      assert.equal(describeSignals([r], english), `${r.signal}: ${r.explanation}`, "the panel's English is the core's");
      for (const chinese of [describeSignals([r], zh).slice(r.signal.length + 2), signalText(r, zhCnReasons)]) {
        let rest = chinese;
        for (const value of Object.values(r.reason).filter((v) => typeof v === 'string').sort((x, y) => y.length - x.length)) if (value !== r.reason.code) rest = rest.split(value).join(' ');
        // Left in Latin letters: the values, the finish reason "length", the recognised phrases of a math answer, "token".
        const left = rest.replace(/\\boxed|the answer is|value|length|\btoken\b/g, '').match(/[A-Za-z]{3,}/g) ?? [];
        assert.deepEqual(left, [], `${r.explanation} → ${chinese}`);
      }
    }
  });
});

/** Every .ts file under a folder of src. */
function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: join(dir, f), text: readFileSync(join(root, dir, f), 'utf8') }));
}

/** Regular-expression literals and `new RegExp(…)` sources in a file (a lexer would be exact; this finds every one written in this code base's style). */
function regexes(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[(,=:!&|?;{}\[]|\breturn)\s*\/((?![/*])(?:[^/\\\n[]|\\.|\[(?:[^\]\\\n]|\\.)*\])+)\/[dgimsuy]*/gm)) out.push(m[1]!);
  for (const m of text.matchAll(/new RegExp\(\s*[`'"]([^`'"]*)/g)) out.push(m[1]!);
  return out;
}

describe('reasons: no surface parses the English back', () => {
  it('the panel modules that word reasons and errors contain no regular expression at all', () => {
    for (const file of ['src/vscode/chat/reasonText.ts', 'src/vscode/chat/errorStates.ts', 'src/vscode/chat/errorCauses.ts']) {
      const text = readFileSync(join(root, file), 'utf8');
      assert.deepEqual(regexes(text), [], file);
      assert.doesNotMatch(text, /\.exec\(|new RegExp/, file);
    }
  });

  it('no regular expression in src/vscode or src/cli matches a piece of a reason template', () => {
    // The words between the placeholders of each template ("in settings", "the open file is").
    const pieces = [...new Set(Object.values(reasonTemplates).flatMap((t) => t.split(/\{\d+\}/).map((p) => p.trim().toLowerCase())))].filter((p) => p.length >= 6);
    const found: string[] = [];
    for (const { file, text } of [...sources('src/vscode'), ...sources('src/cli')]) {
      for (const source of regexes(text)) {
        const plain = source.replace(/\\(.)/g, '$1').toLowerCase();
        for (const piece of pieces) if (plain.includes(piece)) found.push(`${file}: /${source}/ has "${piece}"`);
      }
    }
    assert.deepEqual(found, []);
  });
});

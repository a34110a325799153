import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyTask as classify } from '../../../src/core/tasks/classify';
import { CUES } from '../../../src/core/tasks/cues';
import { createSwitchyard } from '../../../src/core/switchyard';
import { modeText, taskLabel, taskReasonText, whyTexts } from '../../../src/vscode/chat/reasonText';
import type { Candidate } from '../../../src/core/types';
import { TASKS } from '../../../src/core/types';
import { startOllamaServer, type OllamaServer } from '../../servers/ollama';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '../../servers/openaiCompatible';
import { config, memoryKeyStore } from '../router/helpers';
import { english } from './translate';

const bundle = JSON.parse(readFileSync(join(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
/** vscode.l10n.t with the zh-cn bundle loaded. */
const zh = (message: string, ...args: (string | number)[]) => english(bundle[message] ?? message, ...args);

/**
 * Latin words left after translation, minus what stays Latin in Chinese too: model and provider
 * names, file languages, "LaTeX", "token".
 */
function englishLeft(text: string, allowed: string[] = []): string[] {
  let rest = text;
  for (const name of allowed) rest = rest.split(name).join(' ');
  return (rest.match(/[A-Za-z][A-Za-z'-]+/g) ?? []).filter((word) => word !== 'LaTeX' && word !== 'token');
}

describe('reasonText: the panel\'s task, mode and "why" lines in the user\'s language', () => {
  it('translates every task name and mode', () => {
    for (const task of TASKS) assert.deepEqual(englishLeft(taskLabel(task, zh)), [], task);
    for (const mode of ['auto', 'local', 'cloud', 'pinned'] as const) assert.deepEqual(englishLeft(modeText(mode, zh)), [], mode);
  });

  it('translates every reason the task classifier can give, and drops the task name in front', () => {
    for (const cue of CUES) {
      const text = taskReasonText({ taskReason: '', taskReasonData: { code: 'task_cues', task: cue.task, cues: [{ code: cue.cue }] } }, zh);
      assert.deepEqual(englishLeft(text), [], cue.cue);
    }
    const classified = [
      classify({ text: 'Tom has 3 apples and buys 5 more. How many apples does he have?' }),
      classify({ text: 'Explain this', selection: 'x = 1', languageId: 'python' }),
      classify({ text: 'Check my proof', languageId: 'latex' }),
      classify({ text: 'hello there' }),
      classify({ text: 'summarize', contextTokens: 50_000 }),
      classify({ text: '写一个 Python 函数，修复这个 bug' }),
    ];
    for (const { task, reason, reasonData } of classified) {
      const text = taskReasonText({ taskReason: reason, taskReasonData: reasonData }, zh);
      assert.doesNotMatch(text, new RegExp(`^${task}:`), reason);
      assert.deepEqual(englishLeft(text, ['python', 'latex', 'Python']), [], `${reason} → ${text}`);
    }
  });

  it('keeps English readable and shows a reason without its data as core wrote it', () => {
    const c = classify({ text: 'Write a function that parses dates:\n```\nconst x = 1;\n```' });
    assert.equal(taskReasonText({ taskReason: c.reason, taskReasonData: c.reasonData }, english), c.reason.slice('code: '.length));
    assert.equal(taskReasonText({ taskReason: 'math: a new cue' }, zh), 'math: a new cue');
    assert.deepEqual(whyTexts({ why: ['a reason with no data'] }, zh), ['a reason with no data']);
  });

  describe("the router's reasons, as it gives them", () => {
    let ollama: OllamaServer;
    let groq: OpenAICompatibleServer;
    before(async () => {
      ollama = await startOllamaServer({ models: ['qwen2.5-coder:7b', 'llama3.2:3b'] });
      groq = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: 'gsk-test', models: ['llama-3.3-70b-versatile'] });
    });
    after(async () => {
      await Promise.all([ollama.close(), groq.close()]);
    });

    async function whys(extra: Record<string, unknown>, prompt: string): Promise<Candidate[]> {
      const cfg = config({
        providers: {
          ollama: { kind: 'ollama', baseUrl: ollama.url },
          groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: groq.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
        },
        ...extra,
      });
      const sy = createSwitchyard({ config: cfg, keys: memoryKeyStore({ [`groq@${groq.url}`]: 'gsk-test' }), env: {} });
      try {
        const decision = await sy.plan({ messages: [{ role: 'user', content: prompt }], workspaceId: 'w' });
        return decision.candidates;
      } finally {
        sy.dispose();
      }
    }

    it('translates the reasons of a settings list, the defaults, a pin and the fallbacks', async () => {
      const candidates = [
        ...(await whys({ tasks: { code: ['ollama/qwen2.5-coder', 'ollama/deepseek-coder-v2'] } }, 'Write a Python function that parses dates')),
        ...(await whys({ tasks: { chat: ['ollama/not-installed-model'] } }, 'hello there')),
        ...(await whys({}, 'Write a Python function that parses dates')),
        ...(await whys({ mode: 'pinned', pinned: 'ollama' }, 'hello there')),
      ];
      const seen = candidates.flatMap((c) => c.why);
      assert.ok(seen.some((why) => why.startsWith('#1 for code in settings')), seen.join(' | '));
      assert.ok(seen.some((why) => why.includes('is configured but not in the')), seen.join(' | '));
      assert.ok(seen.some((why) => why.startsWith('pinned to ollama')), seen.join(' | '));
      const names = ['llama-3.3-70b-versatile', 'qwen2.5-coder:7b', 'qwen2.5-coder', 'llama3.2:3b', 'ollama', 'groq'];
      for (const c of candidates) {
        assert.ok(c.reasons, `${c.why.join('; ')} has its reasons as data`);
        // The English the panel shows is the core's, word for word (code and chat are labelled by their ids).
        assert.deepEqual(whyTexts(c, english), c.why);
        for (const why of whyTexts(c, zh)) assert.deepEqual(englishLeft(why, names), [], `${c.why.join('; ')} → ${why}`);
      }
    });
  });
});

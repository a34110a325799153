/**
 * A workspace may make routing more private, never less: the user's own Local only and an
 * untrusted folder are binding (localOnlyPolicy + readRawSettings), the router holds them against
 * a request's mode or pin, and the panel says why. Workspace Trust is an input here because the
 * extension host cannot toggle `vscode.workspace.isTrusted`.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/core/config';
import { createSwitchyard } from '../../../src/core/switchyard';
import type { LocalOnlyReason, NormalizedError, RoutingDecision } from '../../../src/core/types';
import { describeError } from '../../../src/vscode/chat/errorStates';
import { localOnlyPolicy } from '../../../src/vscode/app/localOnlyPolicy';
import { localOnlyText } from '../../../src/vscode/chat/reasonText';
import { declaredSettings, readRawSettings, type InspectedSetting } from '../../../src/vscode/app/settingsModel';
import { TurnBuilder } from '../../../src/vscode/chat/turnModel';
import { startOllamaServer } from '../../servers/ollama';
import { startOpenAICompatibleServer } from '../../servers/openaiCompatible';

const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
const SETTINGS = declaredSettings(pkg);
const t = (message: string, ...args: (string | number)[]) => message.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)]));

function source(values: Record<string, InspectedSetting>) {
  return { inspect: (key: string) => values[key] ?? {} };
}

describe('localOnlyPolicy: the user setting and Workspace Trust', () => {
  it('an untrusted folder is Local only whatever any setting says', () => {
    for (const userMode of [undefined, 'auto', 'cloud', 'local']) {
      assert.deepEqual(localOnlyPolicy({ trusted: false, userMode, workspaceMode: 'cloud' }), { because: 'untrusted_workspace', reasons: [{ code: 'untrusted_workspace' }] });
    }
  });

  it('the user\'s Local only wins over the workspace mode, its pin, and the switcher choice', () => {
    assert.deepEqual(localOnlyPolicy({ trusted: true, userMode: 'local', workspaceMode: 'cloud' }), {
      because: 'user_setting',
      reasons: [{ code: 'user_local_only_wins', setting: 'mode', asked: 'cloud' }],
    });
    assert.deepEqual(localOnlyPolicy({ trusted: true, userMode: 'local', workspaceMode: 'pinned', workspacePinned: 'groq/llama' }), {
      because: 'user_setting',
      reasons: [
        { code: 'user_local_only_wins', setting: 'mode', asked: 'pinned' },
        { code: 'user_local_only_wins', setting: 'pinned', asked: 'groq/llama' },
      ],
    });
    assert.deepEqual(localOnlyPolicy({ trusted: true, userMode: 'local', workspaceMode: 'local', switcherMode: 'auto' })?.reasons, [
      { code: 'user_local_only_wins', setting: 'mode', asked: 'auto' },
    ]);
    assert.deepEqual(localOnlyPolicy({ trusted: true, userMode: 'local' }), { because: 'user_setting', reasons: [] }, 'binding, nothing overruled');
  });

  it('without a user Local only a trusted workspace chooses freely', () => {
    assert.equal(localOnlyPolicy({ trusted: true, userMode: 'auto', workspaceMode: 'cloud' }), undefined);
    assert.equal(localOnlyPolicy({ trusted: true, userMode: undefined, workspaceMode: 'local' }), undefined);
  });
});

describe('readRawSettings: Local only is binding', () => {
  it('a workspace mode or pin cannot lift the user\'s Local only', () => {
    const { raw, localOnly } = readRawSettings(
      source({ mode: { globalValue: 'local', workspaceValue: 'pinned' }, pinned: { workspaceFolderValue: 'groq/llama-3.3-70b-versatile' } }),
      SETTINGS,
      {},
    );
    assert.equal(raw['mode'], 'local');
    assert.equal(parseConfig(raw).config.mode, 'local');
    assert.equal(localOnly?.because, 'user_setting');
    assert.deepEqual(localOnly?.reasons.map((r) => r.code === 'user_local_only_wins' && r.setting), ['mode', 'pinned']);
  });

  it('nor can the per-workspace switcher choice', () => {
    const { raw } = readRawSettings(source({ mode: { globalValue: 'local' } }), SETTINGS, { mode: 'cloud' });
    assert.equal(raw['mode'], 'local');
  });

  it('in an untrusted folder: Local only, and no workspace value of a restricted setting is read', () => {
    const { raw, ignored, localOnly } = readRawSettings(
      source({
        mode: { globalValue: 'auto', workspaceValue: 'cloud' },
        tasks: { workspaceValue: { chat: ['groq/llama-3.3-70b-versatile'] } },
        'budget.dailyLimit': { workspaceValue: 0.5 },
        'escalation.policy': { globalValue: 'ask', workspaceValue: 'auto' },
        'completion.enabled': { workspaceValue: false },
      }),
      SETTINGS,
      { mode: 'cloud' },
      { trusted: false },
    );
    assert.equal(raw['mode'], 'local');
    assert.equal(localOnly?.because, 'untrusted_workspace');
    assert.equal(raw['tasks'], undefined);
    assert.equal((raw['budget'] as Record<string, unknown> | undefined)?.['dailyLimit'], undefined);
    assert.equal((raw['escalation'] as Record<string, unknown>)['policy'], 'ask', 'the user value stays');
    assert.equal((raw['completion'] as Record<string, unknown>)['enabled'], false, 'an unrestricted setting still follows the workspace');
    for (const key of ['mode', 'tasks', 'budget.dailyLimit', 'escalation.policy']) assert.ok(ignored.some((i) => i.key === key && i.reason === 'untrusted-workspace'), key);
  });

  it('a trusted workspace without a user Local only keeps its own mode', () => {
    const { raw, localOnly } = readRawSettings(source({ mode: { globalValue: 'local', workspaceValue: 'cloud' } }), SETTINGS, {}, { trusted: true });
    assert.equal(raw['mode'], 'local', 'user local still wins when trusted');
    assert.ok(localOnly);
    const free = readRawSettings(source({ mode: { globalValue: 'auto', workspaceValue: 'cloud' } }), SETTINGS, {}, { trusted: true });
    assert.equal(free.raw['mode'], 'cloud');
    assert.equal(free.localOnly, undefined);
  });

  it('a workspace can never confirm a LAN host as local (network.trustedLocalHosts is user-only)', () => {
    const { raw, ignored } = readRawSettings(source({ 'network.trustedLocalHosts': { workspaceValue: ['192.168.1.66'] } }), SETTINGS);
    assert.equal((raw['network'] as Record<string, unknown> | undefined)?.['trustedLocalHosts'], undefined);
    assert.deepEqual(ignored, [{ key: 'network.trustedLocalHosts', reason: 'user-only' }]);
    const props = pkg.contributes.configuration.properties;
    assert.equal(props['switchyard.network.trustedLocalHosts'].scope, 'machine');
  });
});

describe('package.json: Workspace Trust', () => {
  it('supports untrusted folders in a limited way, restricting every routing, budget and network setting', () => {
    const trust = pkg.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, 'limited');
    assert.match(trust.description, /^%.+%$/, 'localized through package.nls.json');
    const nls = JSON.parse(readFileSync(join(__dirname, '../../../package.nls.json'), 'utf8'));
    const nlsZh = JSON.parse(readFileSync(join(__dirname, '../../../package.nls.zh-cn.json'), 'utf8'));
    assert.ok(nls[trust.description.slice(1, -1)] && nlsZh[trust.description.slice(1, -1)]);
    const restricted = new Set(trust.restrictedConfigurations);
    const declared = Object.keys(pkg.contributes.configuration.properties);
    for (const name of declared.filter((n) => /^switchyard\.(mode|pinned|providers|tasks|budget\.|escalation\.|network\.)/.test(n))) assert.ok(restricted.has(name), name);
    for (const name of ['switchyard.completion.allowCloud', 'switchyard.completion.model', 'switchyard.local.ollamaHost']) assert.ok(restricted.has(name), name);
    for (const name of restricted) assert.ok(declared.includes(name as string), `${name} is a declared setting`);
    assert.ok(SETTINGS.find((s) => s.key === 'mode')?.restricted);
  });
});

describe('the router holds a binding Local only against the request', function () {
  this.timeout(20_000);

  it('"Retry with" a cloud model under the user\'s Local only: nothing reaches the cloud double, the decision says why', async () => {
    const ollama = await startOllamaServer({ models: ['qwen2.5:7b'], reply: { text: 'local' } });
    const cloud = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: 'gsk_x', models: ['llama-3.3-70b-versatile'] });
    const { config } = parseConfig({
      mode: 'local',
      providers: {
        ollama: { kind: 'ollama', baseUrl: ollama.url },
        groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: cloud.baseUrl, locality: 'cloud', models: ['llama-3.3-70b-versatile'] },
      },
    });
    const sy = createSwitchyard({ config, keys: { getKey: async () => 'gsk_x' }, env: {}, localOnly: { because: 'user_setting', reasons: [] } });
    try {
      for (const req of [{ mode: 'pinned' as const, pinned: 'groq/llama-3.3-70b-versatile' }, { mode: 'cloud' as const }]) {
        const events = [];
        for await (const ev of sy.stream({ messages: [{ role: 'user', content: 'hi' }], workspaceId: 'w', signal: new AbortController().signal, ...req })) events.push(ev);
        const decision = events.find((e) => e.type === 'decision');
        assert.equal(decision?.type === 'decision' && decision.decision.mode, 'local');
        assert.deepEqual(decision?.type === 'decision' && decision.decision.localOnly, [{ code: 'user_local_only_wins', setting: 'request', asked: req.pinned ?? req.mode }]);
      }
      // A local pin is no conflict and still works.
      const local = [];
      for await (const ev of sy.stream({ messages: [{ role: 'user', content: 'hi' }], workspaceId: 'w', signal: new AbortController().signal, mode: 'pinned', pinned: 'ollama/qwen2.5:7b' })) local.push(ev);
      const decision = local.find((e) => e.type === 'decision');
      assert.equal(decision?.type === 'decision' && decision.decision.localOnly, undefined);
      assert.ok(local.some((e) => e.type === 'text'));
      assert.equal(cloud.requests.length, 0, 'the cloud double saw nothing: no chat, no listing');
      const models = await sy.listModels();
      assert.ok(models.every((m) => m.locality === 'local'));
      assert.equal(cloud.requests.length, 0);
    } finally {
      sy.dispose();
      await Promise.all([ollama.close(), cloud.close()]);
    }
  });
});

describe('the panel says the user setting wins', () => {
  const reasons: LocalOnlyReason[] = [{ code: 'user_local_only_wins', setting: 'mode', asked: 'cloud' }];
  const decision: RoutingDecision = { task: 'chat', taskReason: 'chat', mode: 'local', candidates: [{ ref: { provider: 'ollama', model: 'm' }, locality: 'local', why: [] }], excluded: [], localOnly: reasons };

  it('as a notice on the answer', () => {
    const turn = { id: 't1', prompt: 'hi', answers: [] } as unknown as ConstructorParameters<typeof TurnBuilder>[0];
    const builder = new TurnBuilder(turn, 'r', 'USD', (usd) => usd, t);
    builder.apply({ type: 'decision', decision });
    const [update] = builder.apply({ type: 'start', attempt: 1, ref: { provider: 'ollama', model: 'm' }, locality: 'local', why: [] });
    assert.deepEqual(update?.type === 'answer' && update.answer.meta.notices, ['Your user setting switchyard.mode is Local only, and it wins over the mode "Cloud only" set in this workspace.']);
  });

  it('in the Local only error, and for an untrusted folder', () => {
    const error: NormalizedError = { kind: 'local_only', message: 'x', retryable: false } as NormalizedError;
    const shown = describeError(error, { ...decision, candidates: [], localOnly: [{ code: 'user_local_only_wins', setting: 'request', asked: 'groq/llama' }] }, t);
    assert.match(shown.message, /Local only mode\. Your user setting switchyard\.mode is Local only, and it wins over this request for "groq\/llama"\./);
    assert.match(localOnlyText({ code: 'untrusted_workspace' }, t), /not trusted/);
    assert.match(localOnlyText({ code: 'user_local_only_wins', setting: 'pinned', asked: 'groq/llama' }, t), /pinned model "groq\/llama"/);
  });
});

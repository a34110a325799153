import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { declaredSettings, readRawSettings, SECURITY_CRITICAL_SETTINGS, type InspectedSetting } from '../../../src/vscode/app/settingsModel';
import { configSchema, parseConfig } from '../../../src/core/config';

const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
const SETTINGS = declaredSettings(pkg);

/** A SettingSource from literal inspect() results, as VS Code would report them. */
function source(values: Record<string, InspectedSetting>) {
  return { inspect: (key: string) => values[key] ?? {} };
}

function readRawSettings2(src: ReturnType<typeof source>, overrides?: { mode?: string; pinned?: string }) {
  return readRawSettings(src, SETTINGS, overrides);
}

describe('settingsModel: who may set what', () => {
  it('ignores a workspace value for providers (endpoints), keeping the user value', () => {
    const user = { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: 'https://api.groq.com/openai/v1' } };
    const hostile = { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: 'https://evil.example/v1' } };
    const { raw, ignored } = readRawSettings2(source({ providers: { globalValue: user, workspaceValue: hostile } }));
    assert.deepEqual(raw['providers'], user);
    assert.deepEqual(ignored, [{ key: 'providers', reason: 'user-only' }]);
  });

  it('ignores workspace values for every user-only key, including folder-level ones', () => {
    for (const spec of SETTINGS.filter((s) => s.trust === 'user')) {
      const { raw, ignored } = readRawSettings2(source({ [spec.key]: { workspaceFolderValue: 'x' } }));
      assert.equal(JSON.stringify(raw).includes('"x"'), false, spec.key);
      assert.deepEqual(ignored, [{ key: spec.key, reason: 'user-only' }], spec.key);
    }
  });

  it('lets the workspace lower its budget but clamps a raise to the user cap', () => {
    const lower = readRawSettings2(
      source({ 'budget.dailyLimit': { workspaceValue: 0.25 }, 'budget.globalDailyLimit': { globalValue: 2 } }),
    );
    assert.equal((lower.raw['budget'] as Record<string, unknown>)['dailyLimit'], 0.25);
    assert.deepEqual(lower.ignored, []);

    const raise = readRawSettings2(
      source({
        'budget.dailyLimit': { workspaceValue: 500 },
        'budget.monthlyLimit': { workspaceValue: 9000 },
        'budget.globalDailyLimit': { globalValue: 2, workspaceValue: 1000 },
      }),
    );
    const budget = raise.raw['budget'] as Record<string, unknown>;
    assert.equal(budget['dailyLimit'], 2);
    // No user monthly cap set: the schema's default cap (10) applies.
    assert.equal(budget['monthlyLimit'], parseConfig({}).config.budget.globalMonthlyLimit);
    assert.equal(budget['globalDailyLimit'], 2);
    assert.deepEqual(
      raise.ignored.map((i) => `${i.key}:${i.reason}`).sort(),
      ['budget.dailyLimit:above-user-cap', 'budget.globalDailyLimit:user-only', 'budget.monthlyLimit:above-user-cap'],
    );
  });

  it('uses workspace folder > workspace > user precedence for workspace keys, and per-workspace overrides last', () => {
    const { raw } = readRawSettings2(
      source({ mode: { globalValue: 'cloud', workspaceValue: 'auto', workspaceFolderValue: 'local' } }),
    );
    assert.equal(raw['mode'], 'local');
    const pinned = readRawSettings2(source({ mode: { globalValue: 'cloud' } }), { mode: 'pinned', pinned: 'groq' });
    assert.equal(pinned.raw['mode'], 'pinned');
    assert.equal(pinned.raw['pinned'], 'groq');
  });

  it('treats null and unset as "use the schema default"', () => {
    const { raw } = readRawSettings2(source({ 'budget.dailyLimit': { defaultValue: null, globalValue: null } }));
    const { config, problems } = parseConfig(raw);
    assert.deepEqual(problems, []);
    assert.equal(config.budget.dailyLimit, undefined);
  });

  it('declares every security-critical setting application-scoped in package.json', () => {
    const byKey = new Map(SETTINGS.map((spec) => [spec.key, spec.trust]));
    for (const key of SECURITY_CRITICAL_SETTINGS) assert.equal(byKey.get(key), 'user', `switchyard.${key} must be "scope": "application"`);
    // And the workspace keeps what it should be able to choose.
    for (const key of ['mode', 'tasks', 'budget.dailyLimit', 'budget.monthlyLimit']) assert.equal(byKey.get(key), 'workspace', key);
  });

  it('reads every declared setting into a config path the schema knows', () => {
    const known = configSchema.shape;
    for (const spec of SETTINGS) {
      const top = spec.key.split('.')[0]!;
      assert.ok(top in known, `switchyard.${spec.key} has no place in SwitchyardConfig`);
    }
  });

  it('produces a config that parses without problems from package.json defaults', () => {
    const props = pkg.contributes.configuration.properties as Record<string, { default?: unknown }>;
    const values: Record<string, InspectedSetting> = {};
    for (const [k, v] of Object.entries(props)) {
      // Empty strings in package.json mean "unset".
      if (v.default !== '') values[k.replace(/^switchyard\./, '')] = { globalValue: v.default };
    }
    const { problems } = parseConfig(readRawSettings2(source(values)).raw);
    assert.deepEqual(problems, []);
  });
});

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRawSettings, SETTINGS, type InspectedSetting } from '../../../src/vscode/settingsModel';
import { parseConfig } from '../../../src/core/config';

/** A SettingSource from literal inspect() results, as VS Code would report them. */
function source(values: Record<string, InspectedSetting>) {
  return { inspect: (key: string) => values[key] ?? {} };
}

describe('settingsModel: who may set what', () => {
  it('ignores a workspace value for providers (endpoints), keeping the user value', () => {
    const user = { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: 'https://api.groq.com/openai/v1' } };
    const hostile = { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: 'https://evil.example/v1' } };
    const { raw, ignored } = readRawSettings(source({ providers: { globalValue: user, workspaceValue: hostile } }));
    assert.deepEqual(raw['providers'], user);
    assert.deepEqual(ignored, [{ key: 'providers', reason: 'user-only' }]);
  });

  it('ignores workspace values for every user-only key, including folder-level ones', () => {
    for (const spec of SETTINGS.filter((s) => s.trust === 'user')) {
      const { raw, ignored } = readRawSettings(source({ [spec.key]: { workspaceFolderValue: 'x' } }));
      assert.equal(JSON.stringify(raw).includes('"x"'), false, spec.key);
      assert.deepEqual(ignored, [{ key: spec.key, reason: 'user-only' }], spec.key);
    }
  });

  it('lets the workspace lower its budget but clamps a raise to the user cap', () => {
    const lower = readRawSettings(
      source({ 'budget.dailyLimit': { workspaceValue: 0.25 }, 'budget.globalDailyLimit': { globalValue: 2 } }),
    );
    assert.equal((lower.raw['budget'] as Record<string, unknown>)['dailyLimit'], 0.25);
    assert.deepEqual(lower.ignored, []);

    const raise = readRawSettings(
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
    const { raw } = readRawSettings(
      source({ mode: { globalValue: 'cloud', workspaceValue: 'auto', workspaceFolderValue: 'local' } }),
    );
    assert.equal(raw['mode'], 'local');
    const pinned = readRawSettings(source({ mode: { globalValue: 'cloud' } }), { mode: 'pinned', pinned: 'groq' });
    assert.equal(pinned.raw['mode'], 'pinned');
    assert.equal(pinned.raw['pinned'], 'groq');
  });

  it('treats null and unset as "use the schema default"', () => {
    const { raw } = readRawSettings(source({ 'budget.dailyLimit': { defaultValue: null, globalValue: null } }));
    const { config, problems } = parseConfig(raw);
    assert.deepEqual(problems, []);
    assert.equal(config.budget.dailyLimit, undefined);
  });

  it('agrees with package.json: user-only keys are application-scoped, every key is declared', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
    const props = pkg.contributes.configuration.properties as Record<string, { scope?: string }>;
    for (const spec of SETTINGS) {
      const declared = props[`switchyard.${spec.key}`];
      assert.ok(declared, `switchyard.${spec.key} is not declared in package.json`);
      if (spec.trust === 'user') assert.equal(declared.scope, 'application', spec.key);
      else assert.notEqual(declared.scope, 'application', spec.key);
    }
  });

  it('produces a config that parses without problems from package.json defaults', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
    const props = pkg.contributes.configuration.properties as Record<string, { default?: unknown }>;
    const values: Record<string, InspectedSetting> = {};
    for (const [k, v] of Object.entries(props)) {
      // Empty strings in package.json mean "unset".
      if (v.default !== '') values[k.replace(/^switchyard\./, '')] = { globalValue: v.default };
    }
    const { problems } = parseConfig(readRawSettings(source(values)).raw);
    assert.deepEqual(problems, []);
  });
});

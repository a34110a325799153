import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WALKTHROUGH_KEYS, walkthroughState, type WalkthroughFacts } from '../../../src/vscode/firstRun/walkthroughState';

const nothing: WalkthroughFacts = { ollamaStatus: 'missing', installed: [], recommended: ['qwen2.5-coder:7b', 'qwen2.5-coder:1.5b'], storedKeys: 0, budgetSet: false, promptSent: false };

describe('walkthroughState: each Get Started step from what was checked live', () => {
  it('a fresh machine: nothing is ticked', () => {
    assert.deepEqual(walkthroughState(nothing), { ollamaFound: false, modelPulled: false, keySet: false, budgetChosen: false, promptSent: false });
    assert.equal(walkthroughState({ ...nothing, ollamaStatus: 'unknown' }).ollamaFound, false, 'not looked at yet is not found');
  });

  it('Ollama found (installed but stopped) or running ticks the first step', () => {
    for (const s of ['down', 'starting', 'ready', 'loading'] as const) assert.equal(walkthroughState({ ...nothing, ollamaStatus: s }).ollamaFound, true, s);
  });

  it('a recommended model installed ticks the model step; another model does not', () => {
    assert.equal(walkthroughState({ ...nothing, ollamaStatus: 'ready', installed: ['llama3.2:latest'] }).modelPulled, false);
    assert.equal(walkthroughState({ ...nothing, ollamaStatus: 'ready', installed: ['qwen2.5-coder:1.5b'] }).modelPulled, true);
    assert.equal(walkthroughState({ ...nothing, ollamaStatus: 'ready', installed: ['phi4:latest'], recommended: ['phi4'] }).modelPulled, true, '":latest" is implied');
  });

  it('a key, a budget and a prompt tick theirs', () => {
    const s = walkthroughState({ ...nothing, storedKeys: 1, budgetSet: true, promptSent: true });
    assert.deepEqual([s.keySet, s.budgetChosen, s.promptSent], [true, true, true]);
  });

  it('every step of the contributed walkthrough completes on one of these keys, and every key has a step', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));
    const steps: { id: string; completionEvents: string[]; media: { markdown: string } }[] = pkg.contributes.walkthroughs.find((w: { id: string }) => w.id === 'gettingStarted').steps;
    const events = steps.flatMap((s) => s.completionEvents);
    assert.deepEqual(events.sort(), Object.values(WALKTHROUGH_KEYS).map((k) => `onContext:${k}`).sort());
    for (const s of steps) assert.ok(readFileSync(join(__dirname, '../../..', s.media.markdown), 'utf8').length > 0, s.media.markdown);
    assert.ok(pkg.contributes.commands.some((c: { command: string }) => c.command === 'switchyard.getStarted'));
  });
});

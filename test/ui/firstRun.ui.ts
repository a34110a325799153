/**
 * The first run on a machine with no Ollama and no API key, in the real workbench: the first
 * prompt is answered with one line per cause and its button ("Ollama is not installed" → Install
 * Ollama, "No API key for …" → Set API Key), Try the Demo, and the left-out models behind a
 * collapsed Details that opens on a click. Then Try the Demo: the easy sample is answered by the
 * demo local model for $0 and the hard one escalates to the demo cloud model with its cost, both
 * labelled demo in the panel and the status bar. Last, "Switchyard: Get Started" opens the walkthrough.
 */
import * as assert from 'node:assert/strict';
import { startUiSession, type UiSession } from '../harness/uiSession';
import { waitForActiveRow } from '../harness/quickAccess';
import { runCommand, screenshot, statusBarItem, webviewFrame } from '../harness/workbench';
import { commandWithInput } from './palette';
import { DEMO_SAMPLES } from '../../src/core/demo';
import { freePort } from '../unit/local/helpers';

const STEP_MS = 30_000;
const DEMO_PICK_TITLE = 'Switchyard Demo: pick a sample prompt';

describe('Switchyard first run with no Ollama and no key (UI)', function () {
  let ui: UiSession;

  before(async function () {
    this.timeout(180_000);
    // Nothing listens on this port and no `ollama` is on the machine: the sidecar finds it missing.
    const port = await freePort();
    ui = await startUiSession({ settings: { 'switchyard.local.ollamaHost': `http://127.0.0.1:${port}`, 'workbench.colorTheme': 'Default Dark Modern' } });
  });
  after(async () => {
    await ui?.close();
  });

  it('says each cause once with its button, and keeps the per-model list behind Details', async () => {
    await commandWithInput(ui.page, 'Switchyard: Ask…', 'Switchyard: Ask');
    await ui.page.locator('.quick-input-widget input').fill('Write a TypeScript function that reverses a string.');
    await ui.page.keyboard.press('Enter');
    const panel = webviewFrame(ui.page);
    const error = panel.locator('.turn-error.kind-no_provider').first();
    await error.waitFor({ timeout: STEP_MS });

    const lines = error.locator('.error-line');
    assert.equal(await lines.count(), 2);
    assert.equal((await lines.nth(0).locator('p').innerText()).trim(), 'Ollama is not installed.');
    assert.deepEqual(await lines.nth(0).locator('button').allInnerTexts(), ['Install Ollama']);
    assert.match((await lines.nth(1).locator('p').innerText()).trim(), /^No API key for [a-z]+(, [a-z]+)+\.$/);
    assert.deepEqual(await lines.nth(1).locator('button').allInnerTexts(), ['Set API Key']);
    const all = await error.innerText();
    assert.equal(all.match(/Ollama is not installed/g)?.length, 1, 'said once, not once per model');
    assert.ok(!/Start Ollama/.test(all), 'no Start Ollama when Ollama is not installed');
    assert.ok((await error.locator(':scope > .fix-actions button').allInnerTexts()).includes('Try the Demo'));

    // Details: collapsed at first, the left-out models inside; a click opens it.
    const details = error.locator('details.error-details');
    assert.equal(await details.getAttribute('open'), null);
    assert.equal(await details.locator('li').first().isVisible(), false);
    await screenshot(ui.page, 'first-run-error');
    await details.locator('summary').click();
    await details.locator('li').first().waitFor({ state: 'visible', timeout: STEP_MS });
    assert.ok((await details.locator('li').count()) > 2, 'every left-out model is listed');
    assert.match(await details.locator('li').first().innerText(), /^ollama\/\S+ — ollama: not available/);
    await screenshot(ui.page, 'first-run-error-details');
  });

  /** Picks a sample in Try the Demo's quick pick, Enter only with its box focused and the sample's row active. */
  async function pickSample(text: string): Promise<void> {
    await ui.page.locator('.quick-input-widget .quick-input-title', { hasText: DEMO_PICK_TITLE }).waitFor({ timeout: STEP_MS });
    const box = ui.page.locator('.quick-input-widget .quick-input-box input');
    await box.fill(text);
    await waitForActiveRow(ui.page, text, STEP_MS);
    await box.press('Enter');
  }

  it('Try the Demo: the easy sample answers locally for $0, the hard one escalates with its cost, both labelled demo', async function () {
    this.timeout(4 * STEP_MS);
    const panel = webviewFrame(ui.page);
    const turnsBefore = await panel.locator('.turn').count();
    await panel.locator('.turn-error.kind-no_provider').first().locator(':scope > .fix-actions button', { hasText: 'Try the Demo' }).click();
    await pickSample('Array.prototype.map');
    const easy = panel.locator('.turn').nth(turnsBefore).locator('.answer.status-done').last();
    await easy.waitFor({ timeout: STEP_MS });
    assert.match(await easy.locator('.model').innerText(), /^demo-local\/demo\/local-small/);
    assert.match(await easy.innerText(), /\[demo\]/);
    assert.match((await easy.locator('.meta').innerText()).replace(/\s+/g, ' '), /Cost: free \(local\)/);
    assert.match(await statusBarItem(ui.page, 'switchyard-dev.switchyard.switchyard.status').innerText(), /Demo/);

    await commandWithInput(ui.page, 'Switchyard: Try the Demo', DEMO_PICK_TITLE);
    await pickSample('twin primes');
    const hard = panel.locator('.turn').nth(turnsBefore + 1).locator('.answer.cloud.status-done');
    await hard.waitFor({ timeout: STEP_MS });
    assert.match(await panel.locator('.turn').nth(turnsBefore + 1).locator('.you, .prompt').first().innerText(), new RegExp(DEMO_SAMPLES.hard.slice(0, 20)));
    assert.match(await hard.locator('.model').innerText(), /^demo-cloud\/demo\/cloud-large/);
    assert.match(await hard.innerText(), /\[demo\]/);
    assert.match(await hard.locator('.answer-head').innerText(), /Escalated because/);
    assert.match((await hard.locator('.meta').innerText()).replace(/\s+/g, ' '), /Cost: \$0\.00\d+/);
    assert.match(await statusBarItem(ui.page, 'switchyard-dev.switchyard.switchyard.status').innerText(), /Demo/);
    await screenshot(ui.page, 'first-run-demo-escalated');
  });

  it('Switchyard: Get Started opens the walkthrough', async () => {
    await runCommand(ui.page, 'Switchyard: Get Started');
    await ui.page.locator('.gettingStartedContainer').first().waitFor({ timeout: STEP_MS });
    await screenshot(ui.page, 'first-run-walkthrough');
    await ui.page.locator('.getting-started-category .category-title', { hasText: 'Get Started with Switchyard' }).first().or(ui.page.getByText('Get Started with Switchyard').first()).waitFor({ timeout: STEP_MS });
  });
});

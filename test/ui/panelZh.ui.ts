/**
 * Simplified Chinese display language: palette titles, the status bar, the panel's own strings and
 * the answer's metadata all follow VS Code's language (zh-cn), end to end in the real workbench.
 */
import * as assert from 'node:assert/strict';
import { startUiSession, type UiSession } from '../harness/uiSession';
import { screenshot, statusBarItem, webviewFrame } from '../harness/workbench';
import { commandWithInput } from './palette';
import { startOllamaServer, type OllamaServer } from '../servers/ollama';

const STATUS_BAR_ID = 'switchyard-dev.switchyard.switchyard.status';
const LOCAL_MODEL = 'qwen2.5:7b';
const STEP_MS = 30_000;

describe('Switchyard in Simplified Chinese (UI)', function () {
  let ui: UiSession;
  let ollama: OllamaServer;

  before(async function () {
    this.timeout(180_000);
    ollama = await startOllamaServer({
      models: [LOCAL_MODEL],
      reply: { text: '二分查找的时间复杂度是 **O(log n)**：\n\n```python\ndef search(xs, x):\n    lo, hi = 0, len(xs)\n    return lo\n```', chunking: { delayMs: 10 } },
    });
    const chain = [`ollama/${LOCAL_MODEL}`];
    ui = await startUiSession({
      locale: 'zh-cn',
      settings: {
        'switchyard.local.manageOllama': false,
        'switchyard.providers': { ollama: { kind: 'ollama', baseUrl: ollama.url } },
        'switchyard.tasks': { chat: chain, code: chain, math: chain, reasoning: chain },
        'workbench.colorTheme': 'Default Light Modern',
      },
    });
  });

  after(async () => {
    await ui?.close();
    await ollama?.close();
  });

  it('shows palette titles, the status bar and the panel in Chinese', async () => {
    await commandWithInput(ui.page, 'Switchyard: 提问…', 'Switchyard：提问');
    const input = ui.page.locator('.quick-input-widget input');
    await input.fill('二分查找的时间复杂度是多少？');
    await ui.page.keyboard.press('Enter');

    const panel = webviewFrame(ui.page);
    const done = panel.locator('.answer.status-done').last();
    await done.waitFor({ timeout: STEP_MS });
    assert.equal(await panel.locator('#prompt').getAttribute('placeholder'), '向 Switchyard 提问…（Enter 发送，Shift+Enter 换行）');
    assert.equal((await panel.locator('#send').textContent())?.trim(), '发送');
    const meta = (await done.locator('.meta').innerText()).replace(/\s+/g, ' ');
    assert.match(meta, /费用: 免费（本地）/);
    assert.match(meta, /首 token: [\d,]+ ms/);
    assert.equal(await done.locator('.badge').textContent(), '本地');
    assert.equal((await done.locator('.code-block button[data-action="copy"]').textContent())?.trim(), '复制');
    // The panel opened while the answer streamed: what it shows is the answer, once (no text
    // counted both in the panel's first snapshot and in a delta after it).
    assert.equal((await done.locator('.md > p, .md p').first().innerText()).trim(), '二分查找的时间复杂度是 O(log n)：');
    assert.equal((await done.locator('.code-block code').innerText()).trim(), 'def search(xs, x):\n    lo, hi = 0, len(xs)\n    return lo');
    const item = statusBarItem(ui.page, STATUS_BAR_ID);
    assert.match(await item.innerText(), /自动/);
    await screenshot(ui.page, 'panel-zh-cn');
  });
});

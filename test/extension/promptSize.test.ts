/**
 * A prompt no configured model can hold, asked in a real extension host: the panel's turn says so
 * with the sizes (and the fixing buttons), and neither the local nor the cloud double got a request.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { CLOUD_MODEL, chatRequests, startSwitchyardEnv, type SwitchyardEnv } from './support/switchyardEnv';

describe('prompt too large (extension host)', function () {
  this.timeout(30_000);
  let env: SwitchyardEnv;

  before(async () => {
    env = await startSwitchyardEnv();
  });
  after(async () => {
    await env?.close();
  });

  it('Ask with a prompt larger than every context window: a clear error with the sizes, nothing sent', async () => {
    await vscode.commands.executeCommand('switchyard.newConversation');
    // 198,000 Chinese characters (under the panel's 200,000-character prompt limit): ~250,000 tokens,
    // over the local qwen2.5:7b's 32,768 and the cloud llama-3.3-70b's 131,072.
    const turn: any = await vscode.commands.executeCommand('switchyard.ask', '长文本'.repeat(66_000));
    assert.equal(turn?.error?.kind, 'prompt_too_large', JSON.stringify(turn?.error));
    assert.match(turn.error.message, new RegExp(`^The prompt is about [\\d,]+ tokens, plus 2,048 for the answer: .*\\(groq/${CLOUD_MODEL.replace(/\./g, '\\.')}, 131,072 tokens\\)\\. Nothing was sent\\.`));
    assert.deepEqual(
      turn.error.actions.map((a: { command: string }) => a.command),
      ['switchyard.newConversation', 'switchyard.switchMode', 'switchyard.openSettings'],
    );
    assert.equal(chatRequests(env.ollama).length, 0, 'no request to the local model');
    assert.equal(chatRequests(env.groq).length, 0, 'no request to the cloud model');
  });
});

/**
 * A cloud answer that stalls mid-stream, in a real extension host, with a forced GC during the
 * stall (after one, Node's fetch no longer passed the abort on to the socket, and the answer hung
 * for good, issue 14): the provider's idle timeout ends the turn with a timeout error, and Stop
 * ends it at once. Both close the connection to the model. Each prints the time it took.
 */
import * as assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import { waitFor } from '../harness/waitFor';
import { CLOUD_MODEL, chatRequests, settings, startSwitchyardEnv, type SwitchyardEnv } from './support/switchyardEnv';

/** The Groq double's timeoutMs here: short, so the timeout case stays quick. */
const IDLE_TIMEOUT_MS = 1_000;
/** Target 100 ms (issue 14); a generous bound for a loaded 2-core machine, the exact time is printed. */
const END_BOUND_MS = 2_000;

function forcedGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

describe('A stalled stream (extension host)', function () {
  this.timeout(30_000);
  let env: SwitchyardEnv;
  const gc = forcedGc();

  before(async () => {
    env = await startSwitchyardEnv();
    const providers = settings().get<Record<string, any>>('providers')!;
    await settings().update('providers', { ...providers, groq: { ...providers.groq, timeoutMs: IDLE_TIMEOUT_MS } }, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.api.services.config().providers['groq']?.timeoutMs === IDLE_TIMEOUT_MS, 'the timeout to reach the extension');
    await env.api.services.setWorkspaceMode('cloud');
  });
  after(async () => {
    await env?.api.services.setWorkspaceMode('auto');
    await env?.close();
  });
  beforeEach(async () => {
    await vscode.commands.executeCommand('switchyard.newConversation');
  });

  /** Starts an ask against a Groq double that stalls after its first chunks; resolves once it stalled, a GC done. */
  async function askIntoStall(): Promise<{ running: Thenable<any>; stalledAt: number; index: number }> {
    const index = env.groq.requests.length;
    env.groq.enqueue({ text: 'one two three four five six', chunking: { stallAfterChunks: 3 } });
    const running = vscode.commands.executeCommand('switchyard.ask', 'Say something long') as Thenable<any>;
    const rec = await waitFor(() => env.groq.requests.slice(index).find((r) => r.stalledAt !== undefined), 'the Groq double to stall');
    // The live turn (the store keeps snapshots from the start and end of a run).
    await waitFor(() => (env.api.session.turns.at(-1)?.answers[0]?.text.length ?? 0) > 0, 'the text before the stall');
    gc();
    gc();
    return { running, stalledAt: rec.stalledAt!, index: env.groq.requests.indexOf(rec) };
  }

  it('ends with a timeout error when the stream goes silent, and closes the connection', async () => {
    const { running, stalledAt, index } = await askIntoStall();
    const turn = await running;
    const endedAt = performance.now();
    assert.equal(turn.error?.kind, 'timeout', JSON.stringify(turn.error));
    assert.match(turn.error.message, /Groq stopped sending mid-answer: nothing came for 1\.0 s/);
    assert.equal(turn.answers[0].status, 'error');
    assert.ok(turn.answers[0].text.length > 0, 'the text before the stall is kept');
    assert.equal(env.api.session.streaming, false);
    assert.equal((await env.groq.settled(index, END_BOUND_MS)).aborted, true, 'the connection was closed');
    const late = endedAt - stalledAt - IDLE_TIMEOUT_MS;
    console.log(`      extension: the stalled turn ended ${late.toFixed(0)} ms after the timeout's deadline`);
    assert.ok(late < END_BOUND_MS, `ended ${late.toFixed(0)} ms after the timeout's deadline`);
  });

  it('Stop ends a stalled stream at once, and closes the connection', async () => {
    // Longer than the test: only Stop can end it in time.
    const providers = settings().get<Record<string, any>>('providers')!;
    await settings().update('providers', { ...providers, groq: { ...providers.groq, timeoutMs: 120_000 } }, vscode.ConfigurationTarget.Global);
    await waitFor(() => env.api.services.config().providers['groq']?.timeoutMs === 120_000, 'the timeout to reach the extension');
    const { running, index } = await askIntoStall();
    assert.equal(env.api.session.streaming, true);
    const stoppedAt = performance.now();
    await vscode.commands.executeCommand('switchyard.stop');
    const turn = await running;
    const took = performance.now() - stoppedAt;
    assert.equal(turn.answers[0].status, 'cancelled');
    assert.equal(turn.error, undefined, JSON.stringify(turn.error));
    assert.equal(env.api.session.streaming, false);
    assert.equal((await env.groq.settled(index, END_BOUND_MS)).aborted, true, 'the connection was closed');
    assert.equal(chatRequests({ requests: env.groq.requests.slice(index) }).length, 1, 'nothing was retried after Stop');
    console.log(`      extension: Stop ended the stalled turn in ${took.toFixed(0)} ms`);
    assert.ok(took < END_BOUND_MS, `Stop took ${took.toFixed(0)} ms`);
  });
});

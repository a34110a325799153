/**
 * The first-run error, end to end through the real core: the shipped provider list, the local
 * sidecar (real lifecycle manager) and the Ollama double, then the panel's words for it. One
 * line per cause with the button that fits it, never one per model; the per-model list is Details.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/core/config';
import { LocalSidecar } from '../../../src/core/local/localSidecar';
import { createSwitchyard } from '../../../src/core/switchyard';
import type { NormalizedError, RoutingDecision, StreamEvent } from '../../../src/core/types';
import { groupCauses } from '../../../src/vscode/chat/errorCauses';
import { budgetRefusal } from '../../../src/core/cost/refusal';
import { describeError } from '../../../src/vscode/chat/errorStates';
import type { TurnError } from '../../../src/shared/messages';
import { startOllamaServer, type OllamaServer } from '../../servers/ollama';
import { FAKE_BIN_DIR, freePort } from '../local/helpers';
import { english } from './translate';

const bundle = JSON.parse(readFileSync(join(__dirname, '../../../l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
const chinese = (m: string, ...args: (string | number)[]) => english(bundle[m] ?? `MISSING: ${m}`, ...args);
const GIB = 1024 ** 3;

/** Each line as "text → its buttons' commands". */
const lineView = (e: TurnError) => (e.lines ?? []).map((l) => `${l.text} → ${l.actions.map((a) => a.command).join(', ')}`);

describe('errorCauses: the first-run error says each cause once, with the action that fits it', function () {
  this.timeout(15_000);
  const disposers: (() => unknown)[] = [];
  let server: OllamaServer | undefined;
  afterEach(async () => {
    for (const d of disposers.splice(0).reverse()) await d();
    await server?.close();
    server = undefined;
  });

  /** Streams one prompt through the real core with no keys at all; returns its decision and error. */
  async function firstPrompt(port: number, opts: { binary?: string; manage?: boolean }): Promise<{ decision: RoutingDecision; error: NormalizedError }> {
    const env = { OLLAMA_HOST: `127.0.0.1:${port}` };
    const { config } = parseConfig({ local: { manageOllama: opts.manage ?? true, ollamaHost: `http://127.0.0.1:${port}`, startTimeoutMs: 3_000 } });
    const sidecar = new LocalSidecar({ config, logger: { info() {}, warn() {}, error() {} }, env, locateBinary: () => opts.binary, hardware: async () => ({ totalMemoryBytes: 32 * GIB }) });
    disposers.push(() => sidecar.dispose());
    const sy = createSwitchyard({ config, keys: { getKey: async () => undefined }, env, local: sidecar });
    disposers.push(() => sy.dispose());
    let decision: RoutingDecision | undefined;
    let error: NormalizedError | undefined;
    for await (const ev of sy.stream({ messages: [{ role: 'user', content: 'Write a TypeScript function that reverses a string.' }], workspaceId: 'w', signal: new AbortController().signal }) as AsyncIterable<StreamEvent>) {
      if (ev.type === 'decision') decision = ev.decision;
      if (ev.type === 'error') error = ev.error;
    }
    assert.ok(decision && error, 'a decision and an error');
    return { decision, error };
  }

  it('no Ollama binary and no keys → exactly "Ollama is not installed" (Install Ollama) and "No API key for …" (Set API Key), each once', async () => {
    const { decision, error } = await firstPrompt(await freePort(), {});
    assert.ok(decision.excluded.filter((e) => e.ref.startsWith('ollama/')).length >= 2, 'the shipped list asks for several Ollama models');
    const e = describeError(error, decision, english);
    assert.equal(e.kind, 'no_provider');
    const lines = lineView(e);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.equal(lines[0], 'Ollama is not installed. → switchyard.installOllama');
    assert.match(lines[1]!, /^No API key for [a-z]+(, [a-z]+)+\. → switchyard\.setApiKey$/);
    const providers = lines[1]!.replace(/^No API key for /, '').replace(/\. → .*/, '').split(', ');
    assert.equal(new Set(providers).size, providers.length, 'no provider named twice');
    assert.ok(!e.message.includes('ollama.com/download'), 'the download page is the button, not prose repeated per model');
    assert.equal(e.message.match(/Ollama is not installed/g)?.length, 1, e.message);
    assert.ok(!e.lines!.some((l) => l.actions.some((a) => a.command === 'switchyard.startOllama')), 'no Start Ollama when it is not installed');
    assert.deepEqual(e.actions.map((a) => a.command), ['switchyard.tryDemo', 'switchyard.openSettings']);
    // Every left-out model is in Details, with its reason.
    assert.equal(e.details!.length, decision.excluded.length);
    assert.ok(e.details!.every((d, i) => d.startsWith(`${decision.excluded[i]!.ref} — `)));
    // And in Chinese, the same two lines.
    const zh = lineView(describeError(error, decision, chinese));
    assert.equal(zh[0], '未安装 Ollama。 → switchyard.installOllama');
    assert.match(zh[1]!, /^[a-z, ]+ 没有 API 密钥。 → switchyard\.setApiKey$/);
  });

  it('Ollama installed but stopped → Start Ollama', async () => {
    const { decision, error } = await firstPrompt(await freePort(), { binary: join(FAKE_BIN_DIR, 'ollama'), manage: false });
    const lines = lineView(describeError(error, decision, english));
    assert.equal(lines[0], 'Ollama is installed but not running. → switchyard.startOllama');
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, /^No API key for /);
  });

  it('Ollama running without a suitable model → Pull a Model, naming the models the task wants', async () => {
    // Only an embedding model: nothing that can chat.
    server = await startOllamaServer({ models: [{ name: 'nomic-embed-text:latest', capabilities: ['embedding'], family: 'nomic-bert', parameterSize: '137M', quantization: 'F16', sizeBytes: 274_000_000, contextLength: 8_192 }] });
    const { decision, error } = await firstPrompt(server.port, {});
    const e = describeError(error, decision, english);
    const lines = lineView(e);
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0]!, /^Ollama is running but has none of the models for this task \([^)]+\)\. → switchyard\.manageLocalModels$/);
    assert.match(lines[1]!, /^No API key for /);
  });

  it('groups by the typed fix, not the sentence; the budget is a cause of its own', () => {
    const refusal = budgetRefusal(
      { workspaceId: 'w', task: 'chat', ref: { provider: 'groq', model: 'x' }, locality: 'cloud', inputTokensEstimate: 10, maxTokens: 100 },
      0.02,
      { scope: 'workspace', period: 'day', limitUsd: 1, label: 'workspace daily limit' },
      { spentUsd: 1, reservedUsd: 0, currency: { currency: 'USD', usdRate: 1 } },
    ).info;
    const causes = groupCauses(
      [
        { ref: 'ollama/a', why: 'whatever words', fix: { action: 'install_ollama', url: 'https://ollama.com/download' } },
        { ref: 'ollama/b', why: 'other words', fix: { action: 'install_ollama', url: 'https://ollama.com/download' } },
        { ref: 'groq/x', why: 'groq: no API key', fix: { action: 'set_key', provider: 'groq' } },
        { ref: 'groq/y', why: 'groq: no API key', fix: { action: 'set_key', provider: 'groq' } },
        { ref: 'zhipu/z', why: 'zhipu: no API key', fix: { action: 'set_key', provider: 'zhipu' } },
        { ref: 'npu/m', why: 'disabled in settings' },
      ],
      refusal,
    );
    assert.deepEqual(causes, [
      { cause: 'ollama_missing', url: 'https://ollama.com/download', refs: ['ollama/a', 'ollama/b'] },
      { cause: 'no_key', providers: ['groq', 'zhipu'], refs: ['groq/x', 'groq/y', 'zhipu/z'] },
      // The refusal's numbers travel as data; the panel words them (errorStates.ts), never by trimming the sentence.
      { cause: 'budget', message: refusal.message, reason: refusal.reason },
    ]);
  });
});

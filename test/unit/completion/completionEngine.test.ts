import { strict as assert } from 'node:assert';
import { manualTimers } from '../../harness/manualTimers';
import type { Timers } from '../../../src/core/timers';
import { CompletionEngine, DEFAULT_COMPLETION_MODEL, ORPHAN_GRACE_MS, type CompletionSettings, type CompletionStatus } from '../../../src/core/completion/completionEngine';
import type { ModelInfo } from '../../../src/core/types';
import { cursor, live, recordingLogger } from './helpers';
import { ScriptedRouter } from './scriptedRouter';

const SETTINGS: CompletionSettings = {
  enabled: true,
  disabledLanguages: ['markdown'],
  allowCloud: false,
  minDelayMs: 0,
  maxDelayMs: 0,
  maxPrefixTokens: 1500,
  maxSuffixTokens: 500,
  maxTokens: 128,
  contextTokens: 0,
  timeoutMs: 4000,
};

function setup(overrides: Partial<CompletionSettings> = {}, listModels?: () => Promise<ModelInfo[]>, timers?: Timers) {
  const router = new ScriptedRouter();
  const logger = recordingLogger();
  const logs = logger.lines;
  const status: CompletionStatus[] = [];
  const engine = new CompletionEngine({
    stream: router.stream,
    ...(listModels ? { listModels } : {}),
    settings: () => ({ ...SETTINGS, ...overrides }),
    logger,
    workspaceId: 'ws',
    onStatus: (s) => status.push(s),
    ...(timers ? { timers } : {}),
  });
  return { router, engine, logs, status };
}

/** Lets the engine consume what the scripted router was given. */
const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

describe('completion/completionEngine', () => {
  it('asks the router for a pinned local FIM completion with task "completion"', async () => {
    const { router, engine, status } = setup();
    const pending = engine.complete(cursor('const total = |;\nlog(total);'), live());
    const call = await router.next();
    assert.equal(call.req.task, 'completion');
    assert.equal(call.req.mode, 'local');
    assert.equal(call.req.pinned, DEFAULT_COMPLETION_MODEL);
    assert.deepEqual(call.req.fim, { prefix: 'const total = ', suffix: ';\nlog(total);' });
    assert.equal(call.req.maxTokens, 128);
    call.text('items.length');
    call.end();
    const out = await pending;
    assert.equal(out.kind, 'suggestion');
    assert.equal(out.kind === 'suggestion' && out.text, 'items.length');
    assert.equal(out.kind === 'suggestion' && out.source, 'model');
    assert.deepEqual(status[0], { generating: true, model: DEFAULT_COMPLETION_MODEL });
    assert.deepEqual(status.at(-1), { generating: false });
  });

  it('stops the stream early once the line is complete (the signal is aborted)', async () => {
    const { router, engine } = setup();
    const pending = engine.complete(cursor('const total = |'), live());
    const call = await router.next();
    call.text('a + b;');
    call.text('\nconst more = 1;');
    const out = await pending;
    assert.equal(out.kind === 'suggestion' && out.text, 'a + b;');
    assert.ok(call.aborted, 'early stop aborts the request');
    assert.equal(engine.stats.earlyStopped, 1);
    assert.equal(engine.stats.aborted, 0);
  });

  it('reuses the stream in flight when the user types what it predicts', async () => {
    const { router, engine } = setup();
    const first = new AbortController();
    const p1 = engine.complete(cursor('return |'), first.signal);
    const call = await router.next();
    call.text('Math.max(');
    // The user types "Ma": VS Code cancels the first call and asks again.
    const typed = cursor('return Ma|');
    engine.noteChange(typed, true);
    first.abort();
    const p2 = engine.complete(typed, live());
    call.text('a, b);');
    call.end();
    assert.equal((await p1).kind, 'none');
    const out = await p2;
    assert.equal(out.kind === 'suggestion' && out.text, 'th.max(a, b);');
    assert.equal(out.kind === 'suggestion' && out.source, 'reuse');
    assert.equal(router.calls.length, 1, 'no second request');
    assert.ok(!call.aborted || engine.stats.earlyStopped === 1);
  });

  it('aborts the request in flight the moment the user types something it does not predict', async () => {
    const { router, engine } = setup();
    const first = new AbortController();
    const p1 = engine.complete(cursor('return |'), first.signal);
    const call = await router.next();
    call.text('Math.max(');
    await flush();
    const diverged = cursor('return x|');
    engine.noteChange(diverged, true);
    assert.ok(call.aborted, 'aborted synchronously on the change');
    first.abort();
    const out1 = await p1;
    assert.equal(out1.kind === 'none' && out1.reason, 'superseded');
    const p2 = engine.complete(diverged, live());
    const second = await router.next(1);
    assert.equal(second.req.fim?.prefix, 'return x');
    second.text(' * 2;');
    second.end();
    assert.equal(((await p2) as { text: string }).text, ' * 2;');
    assert.equal(engine.stats.aborted, 1);
  });

  it('aborts when the cursor moves elsewhere, and when a delta shows the prediction diverged', async () => {
    const { router, engine } = setup();
    const p1 = engine.complete(cursor('let a = |;\nlet b = 2;'), live());
    const call = await router.next();
    await flush();
    engine.noteChange(cursor('let a = ;\nlet b = |2;'), false);
    assert.ok(call.aborted);
    assert.equal(((await p1) as { reason: string }).reason, 'superseded');

    const p2 = engine.complete(cursor('let c = |'), live());
    const call2 = await router.next(1);
    engine.noteChange(cursor('let c = 4|'), true); // nothing predicted yet: still consistent
    assert.ok(!call2.aborted);
    call2.text('17;'); // now it is known to disagree with "4"
    await flush();
    assert.ok(call2.aborted);
    await p2;
  });

  it('answers typing into, backspacing in and revisiting a suggestion from the cache', async () => {
    const { router, engine } = setup();
    const p = engine.complete(cursor('const area = |'), live());
    const call = await router.next();
    call.text('Math.PI * r * r;');
    call.end();
    await p;
    for (const [doc, expected] of [
      ['const area = Math.|', 'PI * r * r;'],
      ['const area = Mat|', 'h.PI * r * r;'],
      ['const area = |', 'Math.PI * r * r;'],
    ] as const) {
      const out = await engine.complete(cursor(doc), live());
      assert.equal(out.kind === 'suggestion' && out.text, expected, doc);
      assert.equal(out.kind === 'suggestion' && out.source, 'cache');
    }
    assert.equal(router.calls.length, 1);
    assert.equal(engine.stats.cacheHits, 3);
  });

  it('aborts an orphaned request that no new position adopts', async () => {
    const timers = manualTimers();
    const { router, engine } = setup({}, undefined, timers);
    const ac = new AbortController();
    const p = engine.complete(cursor('x = |'), ac.signal);
    const call = await router.next();
    ac.abort(); // e.g. Escape: VS Code cancels and asks nothing else
    assert.equal(((await p) as { reason: string }).reason, 'superseded');
    // Kept for the grace period in case the next position adopts it: one timer, nothing else.
    assert.deepEqual(timers.pending().map((t) => t.ms), [ORPHAN_GRACE_MS]);
    timers.advance(ORPHAN_GRACE_MS - 1);
    await flush();
    assert.ok(!call.aborted, 'kept for a moment in case the next position adopts it');
    timers.advance(1);
    await flush();
    assert.ok(call.aborted, 'aborted when the grace ran out with nobody waiting');
  });

  it('says why there is no suggestion, in the log too', async () => {
    const { engine, logs, router } = setup();
    const md = await engine.complete(cursor('# |', 'file:///r.md', 'markdown'), live());
    assert.equal(md.kind === 'none' && md.reason, 'disabled-language');
    const mid = await engine.complete(cursor('const resu|lt = 1'), live());
    assert.equal(mid.kind === 'none' && mid.reason, 'mid-word');
    const p = engine.complete(cursor('let a = 1;\n|\nlet b = 2;'), live());
    const call = await router.next();
    call.text('let b = 2;');
    call.end();
    const dup = await p;
    assert.equal(dup.kind === 'none' && dup.reason, 'duplicate-of-suffix');
    assert.ok(logs.some((l) => l.event === 'completion.none' && l.fields?.reason === 'disabled-language'));
    assert.ok(logs.some((l) => l.event === 'completion.none' && l.fields?.reason === 'duplicate-of-suffix'));
    const off = setup({ enabled: false });
    assert.equal(((await off.engine.complete(cursor('x|'), live())) as { reason: string }).reason, 'disabled');
  });

  it('maps router errors to reasons: budget, missing model', async () => {
    for (const [kind, reason] of [
      ['budget', 'budget'],
      ['model_not_found', 'no-local-model'],
      ['local_only', 'cloud-not-allowed'],
    ] as const) {
      const { engine, router } = setup();
      const p = engine.complete(cursor('y = |'), live());
      const call = await router.next();
      call.push({ type: 'error', error: { kind, message: `${kind} happened`, retryable: false } });
      call.push({ type: 'done', attempts: 1 });
      const out = await p;
      assert.equal(out.kind === 'none' && out.reason, reason, kind);
    }
  });

  it('times out when no text arrives', async () => {
    const { engine, router } = setup({ timeoutMs: 50 });
    const p = engine.complete(cursor('y = |'), live());
    const call = await router.next();
    const out = await p;
    assert.equal(out.kind === 'none' && out.reason, 'timeout');
    assert.ok(call.aborted);
  });

  it('checks the model before asking: not installed, no FIM, cloud not allowed', async () => {
    const local = (model: string, capabilities: string[]): ModelInfo => ({ ref: { provider: 'ollama', model }, locality: 'local', capabilities });
    const cases: [Partial<CompletionSettings>, ModelInfo[], string][] = [
      [{}, [local('llama3.2:3b', ['completion'])], 'no-local-model'],
      [{ model: 'ollama/llama3.2:3b' }, [local('llama3.2:3b', ['completion'])], 'model-without-fim'],
      [{ model: 'groq/llama-3.3-70b-versatile' }, [{ ref: { provider: 'groq', model: 'llama-3.3-70b-versatile' }, locality: 'cloud' }], 'cloud-not-allowed'],
    ];
    for (const [settings, models, reason] of cases) {
      const { engine, router } = setup(settings, async () => models);
      const out = await engine.complete(cursor('z = |'), live());
      assert.equal(out.kind === 'none' && out.reason, reason);
      assert.equal(router.calls.length, 0, 'no request made');
    }
    const ok = setup({}, async () => [local('qwen2.5-coder:1.5b', ['completion', 'insert'])]);
    const p = ok.engine.complete(cursor('z = |'), live());
    const call = await ok.router.next();
    call.text('1;');
    call.end();
    assert.equal((await p).kind, 'suggestion');
  });

  it('sends cloud completions through the router pinned (so the budget guard sees them) only when allowed', async () => {
    const { engine, router } = setup({ allowCloud: true, model: 'groq/llama-3.3-70b-versatile' }, async () => [
      { ref: { provider: 'groq', model: 'llama-3.3-70b-versatile' }, locality: 'cloud' },
    ]);
    const p = engine.complete(cursor('q = |'), live());
    const call = await router.next();
    assert.equal(call.req.mode, 'pinned');
    assert.equal(call.req.pinned, 'groq/llama-3.3-70b-versatile');
    call.text('0;');
    call.end();
    await p;
  });
});

/**
 * Demo mode (issue 16 point 3): the real Switchyard (router, Ollama and OpenAI-compatible
 * providers, escalation hook, spend guard) over the demo servers, configured exactly as the
 * extension configures demo mode — the easy sample is answered by the demo local model for
 * nothing, the hard one escalates to the demo cloud model and costs demo money, which lands in
 * the demo ledger and never in the real one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../../src/core/config';
import { createSpendGuard, defaultLedgerDir, demoLedgerDir, type CostService } from '../../../src/core/cost';
import {
  DEMO_CLOUD_MODEL,
  DEMO_CLOUD_PROVIDER,
  DEMO_LOCAL_MODEL,
  DEMO_LOCAL_PROVIDER,
  DEMO_SAMPLES,
  demoRawConfig,
} from '../../../src/core/demo';
import { demoKeyStore } from '../../../src/core/demoKeys';
import { createEscalationHook } from '../../../src/core/escalation/hook';
import { worstCaseFromPrices } from '../../../src/core/escalation';
import { createSwitchyard } from '../../../src/core/switchyard';
import { silentLogger, type StreamEvent } from '../../../src/core/types';
import { DEMO_CLOUD_ANSWER, DEMO_LOCAL_ANSWER, startDemoServers, type DemoServers } from '../../../src/demo/demoServers';
import { usageLines } from '../cost/helpers';

describe('demo mode (demo servers + the real router, escalation and ledger)', function () {
  this.timeout(20_000);
  let servers: DemoServers;
  let state: string;
  let env: NodeJS.ProcessEnv;
  const guards: CostService[] = [];

  beforeEach(async () => {
    servers = await startDemoServers();
    state = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-demo-state-'));
    env = { SWITCHYARD_STATE_DIR: state };
  });
  afterEach(async () => {
    // Awaited: dispose waits for background ledger writes, which would otherwise race the folder removal.
    await Promise.all(guards.splice(0).map((g) => g.dispose()));
    await servers.close();
    fs.rmSync(state, { recursive: true, force: true });
  });

  function demoSwitchyard() {
    const { config, problems } = parseConfig(demoRawConfig(servers));
    assert.deepEqual(problems, []);
    const cost = createSpendGuard({ dir: demoLedgerDir(env), config });
    guards.push(cost);
    // As the extension builds it (src/vscode/app/coreFactory.ts), the per-request cost ceiling included.
    const escalation = createEscalationHook({ config: config.escalation, estimateWorstCaseUsd: worstCaseFromPrices(config), logger: silentLogger });
    const sy = createSwitchyard({ config, keys: demoKeyStore(servers), escalation, spendGuard: cost, logger: silentLogger, env: {} });
    return { sy, cost, config };
  }

  async function ask(sy: ReturnType<typeof demoSwitchyard>['sy'], prompt: string): Promise<StreamEvent[]> {
    const events: StreamEvent[] = [];
    for await (const ev of sy.stream({ messages: [{ role: 'user', content: prompt }], workspaceId: 'demo-ws', signal: new AbortController().signal })) events.push(ev);
    return events;
  }
  const text = (events: StreamEvent[]) => events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
  const costs = (events: StreamEvent[]) => events.flatMap((e) => (e.type === 'cost' ? [e.cost] : []));
  const done = (events: StreamEvent[]) => events.at(-1) as Extract<StreamEvent, { type: 'done' }>;

  it('answers the easy sample from the demo local model, for nothing and with no cloud call', async () => {
    const { sy } = demoSwitchyard();
    const events = await ask(sy, DEMO_SAMPLES.easy);
    assert.deepEqual(done(events).finalRef, { provider: DEMO_LOCAL_PROVIDER, model: DEMO_LOCAL_MODEL });
    assert.equal(events.filter((e) => e.type === 'escalate').length, 0);
    assert.equal(text(events), DEMO_LOCAL_ANSWER);
    assert.match(text(events), /demo/);
    assert.ok(costs(events).every((c) => c.totalUsd === 0), JSON.stringify(costs(events)));
    await sy.dispose();
  });

  it('escalates the hard sample to the demo cloud model, with its cost in the demo ledger only', async () => {
    const { sy, cost } = demoSwitchyard();
    const events = await ask(sy, DEMO_SAMPLES.hard);
    const escalations = events.filter((e): e is Extract<StreamEvent, { type: 'escalate' }> => e.type === 'escalate');
    assert.equal(escalations.length, 1, JSON.stringify(events.map((e) => e.type)));
    assert.deepEqual(escalations[0]!.from, { provider: DEMO_LOCAL_PROVIDER, model: DEMO_LOCAL_MODEL });
    assert.deepEqual(done(events).finalRef, { provider: DEMO_CLOUD_PROVIDER, model: DEMO_CLOUD_MODEL });
    assert.ok(text(events).endsWith(DEMO_CLOUD_ANSWER));
    const billed = costs(events).reduce((sum, c) => sum + c.totalUsd, 0);
    assert.ok(billed > 0, 'the escalation costs demo money');

    // The demo ledger has the record, in its own folder beside the real ledger.
    assert.equal(path.dirname(demoLedgerDir(env)), path.dirname(defaultLedgerDir(env)));
    assert.notEqual(demoLedgerDir(env), defaultLedgerDir(env));
    const demoRecords = usageLines(demoLedgerDir(env));
    assert.ok(demoRecords.some((r) => JSON.stringify(r).includes(DEMO_CLOUD_MODEL)), JSON.stringify(demoRecords));
    assert.ok((await cost.summary('demo-ws')).today.spent > 0);

    // The real ledger (and so every real budget) saw nothing.
    const real = createSpendGuard({ dir: defaultLedgerDir(env), config: parseConfig({}).config });
    guards.push(real);
    const summary = await real.summary('demo-ws');
    assert.equal(summary.today.spent, 0);
    assert.equal(summary.globalToday.spent, 0);
    assert.deepEqual(fs.existsSync(defaultLedgerDir(env)) ? usageLines(defaultLedgerDir(env)) : [], []);
    await sy.dispose();
  });

  it('names nothing real: only the two demo providers, each model called demo/…', () => {
    const { config } = demoSwitchyard();
    assert.deepEqual(Object.keys(config.providers).sort(), [DEMO_CLOUD_PROVIDER, DEMO_LOCAL_PROVIDER].sort());
    for (const p of Object.values(config.providers)) for (const m of p.models) assert.match(m, /^demo\//);
  });
});

/**
 * The real `switchyard` process (src/cli/main.ts through tsx, with --expose-gc and a GC every
 * few ms) against a Groq double that stalls: the idle timeout ends the command with a timeout
 * error, and the first Ctrl-C stops it at the connection, prints a "cancelled" line, settles the
 * budget reservation and exits 130. Before the stream guard cancelled the body itself, both
 * hung once a GC had run (issue 14). Each case prints the time from the stall's deadline (or
 * the SIGINT) to the attempt's `finish` event, and on to the process's exit.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Chunking } from '../../servers/http';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '../../servers/openaiCompatible';

const ROOT = path.resolve(__dirname, '../../..');
const MAIN = path.join(ROOT, 'src/cli/main.ts');
const GC_PRESSURE = path.join(__dirname, 'support/gcPressure.cjs');
const MODEL = 'llama-3.3-70b-versatile';
/** The provider's timeoutMs in these runs: long enough for a GC to run inside the stall. */
const IDLE_TIMEOUT_MS = 1_000;
/**
 * The bound on the whole command (attempt end, settling, exit). The attempt's own end is pinned
 * tightly in test/unit/providers/stall.test.ts; here the child may still be loading modules
 * through tsx (the tokenizer for the estimate) when the stall begins, and the GC pressure slows
 * it further, so the bound only separates "ends" from "hangs" (it hung for good before); the
 * measured times are printed.
 */
const END_BOUND_MS = 5_000;

interface Child {
  proc: ChildProcess;
  stdout: string;
  stderr: string;
  /** performance.now() when the attempt's `finish` event line arrived (--events). */
  finishedAt?: number;
  exited: Promise<{ code: number | null; at: number }>;
}

function startCli(args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--expose-gc', '--require', GC_PRESSURE, '--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = {
    proc,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => proc.on('exit', (code) => resolve({ code, at: performance.now() }))),
  };
  proc.stdout!.on('data', (d: Buffer) => {
    child.stdout += d.toString('utf8');
    if (child.finishedAt === undefined && child.stdout.includes('"type":"finish"')) child.finishedAt = performance.now();
  });
  proc.stderr!.on('data', (d: Buffer) => (child.stderr += d.toString('utf8')));
  return child;
}

/** Resolves when the server has stalled (its stalledAt is set); polled, the server being in this process. */
async function stalled(server: OpenAICompatibleServer, child: Child): Promise<number> {
  for (;;) {
    const rec = server.requests.find((r) => r.path.endsWith('/chat/completions'));
    if (rec?.stalledAt !== undefined) return rec.stalledAt;
    if (child.proc.exitCode !== null) throw new Error(`the CLI exited before the stall: ${child.stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every budget reservation in the ledger has its usage record (settled), with these outcomes. */
async function ledgerOutcomes(dir: string): Promise<{ open: string[]; outcomes: string[] }> {
  const folder = path.join(dir, 'ledger');
  const files = (await fs.readdir(folder)).filter((f) => f.endsWith('.jsonl'));
  const records = (await Promise.all(files.map((f) => fs.readFile(path.join(folder, f), 'utf8'))))
    .join('\n')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const settled = new Set(records.filter((r) => r.t === 'usage').map((r) => r.id));
  return {
    open: records.filter((r) => r.t === 'reserve' && !settled.has(r.id)).map((r) => r.id),
    outcomes: records.filter((r) => r.t === 'usage').map((r) => r.outcome),
  };
}

describe('switchyard CLI process: a stalled stream (with GC pressure)', function () {
  // Starting tsx and the CLI takes a few seconds on a busy machine.
  this.timeout(40_000);
  let dir: string;
  let server: OpenAICompatibleServer;
  let child: Child | undefined;
  let configPath: string;

  async function start(chunking: Chunking, timeoutMs: number, output: string[]): Promise<void> {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'switchyard-stall-'));
    server = await startOpenAICompatibleServer({ vendor: 'groq', apiKey: 'gsk-stall', models: [MODEL], reply: { text: 'one two three four five', chunking } });
    configPath = path.join(dir, 'config.json');
    await fs.writeFile(
      configPath,
      // One attempt: this is about how a stall ends, not the reliability layer's retry of a timeout before the first token.
      JSON.stringify({ providers: { groq: { kind: 'openai-compatible', vendor: 'groq', baseUrl: server.baseUrl, locality: 'cloud', models: [MODEL], timeoutMs } }, reliability: { retry: { maxAttempts: 1 } } }),
    );
    child = startCli(['ask', ...output, '--config', configPath, '--model', `groq/${MODEL}`, 'hello'], { SWITCHYARD_STATE_DIR: dir, SWITCHYARD_KEY_GROQ: 'gsk-stall' });
  }

  afterEach(async () => {
    if (child && child.proc.exitCode === null) child.proc.kill('SIGKILL');
    child = undefined;
    await server?.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  for (const where of ['mid-stream', 'before headers'] as const) {
    const chunking: Chunking = where === 'mid-stream' ? { stallAfterChunks: 3 } : { stallBeforeHeaders: true };

    it(`${where}: the idle timeout ends the command with a timeout error, the reservation settled`, async () => {
      await start(chunking, IDLE_TIMEOUT_MS, ['--events']);
      const stallAt = await stalled(server, child!);
      const { code, at } = await child!.exited;
      assert.equal(code, 1, child!.stderr);
      const events = child!.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(events.find((e) => e.type === 'error')?.error.kind, 'timeout', child!.stdout);
      assert.equal(events.at(-1).type, 'done');
      const rec = await server.settled(server.requests.findIndex((r) => r.path.endsWith('/chat/completions')), END_BOUND_MS);
      assert.equal(rec.aborted, true, 'the connection was closed');
      const ledger = await ledgerOutcomes(dir);
      assert.deepEqual(ledger.open, [], 'no reservation left open');
      assert.deepEqual(ledger.outcomes, ['error']);
      const late = child!.finishedAt! - stallAt - IDLE_TIMEOUT_MS;
      console.log(`      CLI, stall ${where}: attempt ended ${late.toFixed(0)} ms after the timeout's deadline, process exited ${(at - child!.finishedAt!).toFixed(0)} ms later`);
      assert.ok(at - stallAt - IDLE_TIMEOUT_MS < END_BOUND_MS, `exited ${(at - stallAt - IDLE_TIMEOUT_MS).toFixed(0)} ms after the timeout's deadline`);
    });

    it(`${where}: the first Ctrl-C stops the request, says cancelled, settles the reservation and exits 130`, async () => {
      // A timeout far beyond the test's: only the Ctrl-C can end it in time.
      await start(chunking, 120_000, ['--events']);
      const stallAt = await stalled(server, child!);
      const rec = server.requests.find((r) => r.stalledAt === stallAt)!;
      const sentAt = performance.now();
      child!.proc.kill('SIGINT');
      const { code, at } = await child!.exited;
      assert.equal(code, 130, child!.stderr);
      assert.match(child!.stderr, /switchyard: cancelled \(Ctrl-C\)/);
      const closed = await server.settled(server.requests.indexOf(rec), END_BOUND_MS);
      assert.equal(closed.aborted, true, 'the connection was closed');
      const ledger = await ledgerOutcomes(dir);
      assert.deepEqual(ledger.open, [], 'no reservation left open');
      assert.ok(ledger.outcomes.includes('cancelled'), JSON.stringify(ledger.outcomes));
      const took = child!.finishedAt! - sentAt;
      console.log(`      CLI, stall ${where}: attempt ended ${took.toFixed(0)} ms after the first SIGINT, process exited ${(at - child!.finishedAt!).toFixed(0)} ms later`);
      assert.ok(at - sentAt < END_BOUND_MS, `exited ${(at - sentAt).toFixed(0)} ms after SIGINT`);
    });
  }
});

/**
 * Replays recorded edit sessions (bench/fixtures/edit-sessions/*.json: TypeScript, Python, Go,
 * Rust; human and burst typing speed) against a local Ollama completion server with realistic
 * latency, through Switchyard's completion engine and through a naive debounce-only client, and
 * prints what each costs and how fresh its suggestions are.
 *
 *   npm run bench:completion                          (all sessions, all at once: ~80 s of real time)
 *   npx tsx bench/completion-replay.ts --jobs 3       (three replays at a time: less contention, ~6 min)
 *   npx tsx bench/completion-replay.ts --only go      (sessions whose name contains "go")
 *   npx tsx bench/completion-replay.ts --accuracy 0.7 (share of positions the model predicts right)
 *
 * The server is the protocol-faithful Ollama double (test/servers/ollama.ts) answering
 * /api/generate with `suffix`: time to first token 150–400 ms, then 50 tokens/s. Its "model"
 * knows the file being typed and predicts the real continuation (rest of the line and the next
 * two lines) for half of the positions (--accuracy 0.7 to change) and a plausible wrong one otherwise, decided by position so
 * that every client gets the same answer at the same place.
 *
 * Clients:
 * - switchyard: CompletionEngine as the VS Code adapter drives it (noteChange on every edit, the
 *   previous call cancelled, a new complete() call).
 * - naive: a fixed 300 ms debounce, no cache, no stream reuse, no early stop; when the user types
 *   on, the answer is discarded but the request runs on (what a client that ignores its
 *   cancellation token does).
 * - naive+abort: the same, but aborting the request when the user types on.
 *
 * Metrics (per 100 keystrokes where it says so):
 * - requests: /api/generate requests the server received;
 * - aborted: share of requests the client aborted before their answer was used (Switchyard's
 *   early stops, which end a request whose answer IS used, are counted apart);
 * - cache: shown suggestions served from the cache or a stream in flight, without a new request;
 * - wasted tokens: tokens the server generated that never reached the screen;
 * - freshness: at each pause of ≥ 600 ms (where a person looks at the suggestion), the share of
 *   pauses that got a suggestion during the pause, and the median time from the last key to it;
 * - added latency: from the server's write of the last chunk the suggestion needed to the
 *   moment the client had the ghost text (p50/p95), i.e. what the client stack adds.
 */
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CompletionEngine, type CompletionOutcome, type CompletionSettings } from '../src/core/completion/completionEngine';
import { assemblePrompt } from '../src/core/completion/promptAssembly';
import { completionConfigSchema, parseConfig } from '../src/core/config';
import { createSwitchyard } from '../src/core/switchyard';
import { silentLogger, type RouteRequest, type StreamEvent } from '../src/core/types';
import { splitTokens } from '../test/servers/http';
import { startOllamaServer, type OllamaServer } from '../test/servers/ollama';
import type { EditSession } from './fixtures/edit-sessions/makeSessions';

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i === -1 ? undefined : process.argv[i + 1];
}

const SESSIONS_DIR = join(__dirname, 'fixtures/edit-sessions');
const MODEL = 'qwen2.5-coder:1.5b';
/** Realistic small-model latency on a laptop: first token after 150–400 ms, then 50 tokens/s. */
const TTFT_MS: [number, number] = [150, 400];
const TOKEN_INTERVAL_MS = 1000 / 50;
/** Share of positions where the server's "model" predicts what the user really types next. */
const PREDICTION_ACCURACY = Number(argValue('--accuracy') ?? 0.5);
/** Lines the model writes after the cursor line before it stops (FIM models often run on). */
const EXTRA_LINES = 2;
/** A gap this long after a key is a pause where the user looks for a suggestion. */
const PAUSE_MS = 600;
/** The naive client's fixed debounce: the common default of simple completion extensions. */
const NAIVE_DEBOUNCE_MS = 300;

type ClientName = 'switchyard' | 'naive' | 'naive+abort';

// --- server-side record of what was written when ------------------------------------------------

/** Write times and payloads per request, keyed by the request's header object (shared with RecordedRequest). */
const writes = new WeakMap<object, { at: number; text: string }[]>();
const originalWrite = http.ServerResponse.prototype.write;
http.ServerResponse.prototype.write = function (this: http.ServerResponse, chunk: unknown, ...rest: unknown[]) {
  const key = this.req?.headers;
  if (key) {
    const list = writes.get(key) ?? [];
    list.push({ at: performance.now(), text: String(chunk) });
    writes.set(key, list);
  }
  return (originalWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
} as typeof originalWrite;

/** Tokens streamed (NDJSON lines with text) and their arrival times with cumulative text length. */
function streamedTokens(headers: object): { at: number; cumChars: number }[] {
  const out: { at: number; cumChars: number }[] = [];
  let cum = 0;
  for (const w of writes.get(headers) ?? []) {
    for (const line of w.text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const obj = JSON.parse(line) as { response?: string; done?: boolean };
        if (obj.response) {
          cum += obj.response.length;
          out.push({ at: w.at, cumChars: cum });
        }
      } catch {
        /* partial line: the double writes whole lines */
      }
    }
  }
  return out;
}

function lastWriteAt(headers: object): number | undefined {
  return writes.get(headers)?.at(-1)?.at;
}

// --- the server's "model" ------------------------------------------------------------------------

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

function predictor(session: EditSession) {
  const final = session.before + session.typed + session.after;
  return (prompt: string): string => {
    const tail = prompt.slice(-400);
    const at = final.indexOf(tail);
    const pos = at === -1 ? -1 : at + tail.length;
    let end = pos === -1 ? -1 : pos;
    for (let lines = 0; end !== -1 && lines <= EXTRA_LINES; lines++) {
      const nl = final.indexOf('\n', end + (lines === 0 ? 0 : 1));
      end = nl === -1 ? final.length : nl;
    }
    if (pos === -1) return ' = undefined;\n'; // after a typo: the model guesses something
    const truth = final.slice(pos, end);
    const roll = hash(`${session.name}:${pos}`);
    if (roll < PREDICTION_ACCURACY) return truth || '\n';
    // Plausible but wrong: identifiers replaced.
    return truth.replace(/[A-Za-z_]\w*/g, (w) => (w.length > 2 ? 'value' : w)) || ' = 0;';
  };
}

async function startServer(session: EditSession): Promise<OllamaServer> {
  const predict = predictor(session);
  return startOllamaServer({
    models: [{ name: MODEL, capabilities: ['completion', 'insert'], family: 'qwen2' }],
    reply: (rec) => {
      const prompt = String(rec.body?.prompt ?? '');
      const ttft = TTFT_MS[0] + (TTFT_MS[1] - TTFT_MS[0]) * hash(`ttft:${prompt.length}:${prompt.slice(-50)}`);
      return { text: splitTokens(predict(prompt)), chunking: { headersDelayMs: Math.round(ttft), delayMs: TOKEN_INTERVAL_MS } };
    },
  });
}

// --- the stack between a client and the server ---------------------------------------------------

/**
 * The real stack: createSwitchyard() with one Ollama provider at the test server — the router
 * (selection, timing, spend accounting) and the Ollama provider (ollama-js, NDJSON parsing,
 * abort at the socket), exactly what the extension uses. Both clients go through it.
 */
function switchyardStream(baseUrl: string, prompts: string[]): (req: RouteRequest) => AsyncIterable<StreamEvent> {
  const { config, problems } = parseConfig({ providers: { ollama: { kind: 'ollama', baseUrl } } });
  if (problems.length) throw new Error(`bench config: ${JSON.stringify(problems)}`);
  const switchyard = createSwitchyard({ config, keys: { getKey: async () => undefined } });
  return (req) => {
    prompts.push(req.fim!.prefix);
    return switchyard.stream(req);
  };
}

// --- replay --------------------------------------------------------------------------------------

interface Shown {
  keyIndex: number;
  at: number;
  text: string;
  source: string;
  /** Server request index this suggestion's text came from (for the latency and token accounting). */
  request?: number;
  /** Characters of the request's raw answer needed for it, and whether the client stopped early. */
  rawChars?: number;
  stoppedEarly?: boolean;
}

interface RunResult {
  client: ClientName;
  session: EditSession;
  keyTimes: number[];
  shown: Shown[];
  server: OllamaServer;
  /** FIM prefix of each stream the client started, in order (serial - 1 → prompt). */
  prompts: string[];
  cacheHits: number;
  reuses: number;
  staleAborted: number;
  earlyStopped: number;
}

function applyEvent(state: { before: string }, ev: EditSession['events'][number]): void {
  if (ev.insert !== undefined) state.before += ev.insert;
  if (ev.backspace) state.before = state.before.slice(0, state.before.length - ev.backspace);
}

/** Calls `onKey(i)` at each event's recorded time (absolute schedule: no drift accumulates). */
async function playKeys(session: EditSession, onKey: (i: number, at: number) => void): Promise<number[]> {
  const start = performance.now() + 50;
  const times: number[] = [];
  let t = start;
  for (let i = 0; i < session.events.length; i++) {
    t += session.events[i]!.dt;
    const wait = t - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const now = performance.now();
    times.push(now);
    onKey(i, now);
  }
  // Let the last suggestion arrive.
  await new Promise((r) => setTimeout(r, 1500));
  return times;
}

const SETTINGS: CompletionSettings = { ...completionConfigSchema.parse({}), contextTokens: 0 };

async function runSwitchyard(session: EditSession): Promise<RunResult> {
  const server = await startServer(session);
  const prompts: string[] = [];
  const engine = new CompletionEngine({
    stream: switchyardStream(server.url, prompts),
    settings: () => SETTINGS,
    logger: silentLogger,
    workspaceId: 'bench',
    now: () => performance.now(),
  });
  const state = { before: session.before };
  const shown: Shown[] = [];
  let current: AbortController | undefined;
  const docKey = `file:///${session.filePath}`;
  const keyTimes = await playKeys(session, (i) => {
    applyEvent(state, session.events[i]!);
    const snap = { docKey, offset: state.before.length, before: state.before, after: session.after };
    engine.noteChange(snap, true);
    current?.abort();
    const ac = (current = new AbortController());
    void engine.complete({ ...snap, languageId: session.languageId, filePath: session.filePath }, ac.signal).then((out: CompletionOutcome) => {
      if (ac.signal.aborted || out.kind !== 'suggestion') return;
      shown.push({
        keyIndex: i,
        at: performance.now(),
        text: out.text,
        source: out.source,
        ...(out.stream ? { request: out.stream.serial - 1, rawChars: out.stream.rawChars, stoppedEarly: out.stream.stoppedEarly } : {}),
      });
    });
  });
  return { client: 'switchyard', session, keyTimes, shown, server, prompts, cacheHits: engine.stats.cacheHits, reuses: engine.stats.reuses, staleAborted: engine.stats.aborted, earlyStopped: engine.stats.earlyStopped };
}

async function runNaive(session: EditSession, abortOnType: boolean): Promise<RunResult> {
  const server = await startServer(session);
  const prompts: string[] = [];
  const stream = switchyardStream(server.url, prompts);
  const state = { before: session.before };
  const shown: Shown[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: AbortController | undefined;
  let lastKey = -1;
  let serial = 0;
  const keyTimes = await playKeys(session, (i) => {
    applyEvent(state, session.events[i]!);
    lastKey = i;
    clearTimeout(timer);
    if (abortOnType) inflight?.abort();
    const before = state.before;
    timer = setTimeout(async () => {
      const ac = (inflight = new AbortController());
      const request = serial++;
      const prompt = assemblePrompt(before, session.after, SETTINGS, session.languageId, session.filePath);
      let text = '';
      const req: RouteRequest = { messages: [], task: 'completion', mode: 'local', pinned: `ollama/${MODEL}`, fim: { prefix: prompt.prefix, suffix: prompt.suffix }, maxTokens: SETTINGS.maxTokens, workspaceId: 'bench', signal: ac.signal };
      for await (const ev of stream(req)) {
        if (ev.type === 'text') text += ev.text;
      }
      if (ac.signal.aborted || lastKey !== i) return;
      // It shows the first line (what a single-line ghost text can show).
      const line = text.split('\n')[0] ?? '';
      if (!line.trim()) return;
      shown.push({ keyIndex: i, at: performance.now(), text: line, source: 'model', request, rawChars: text.length, stoppedEarly: false });
    }, NAIVE_DEBOUNCE_MS);
  });
  return { client: abortOnType ? 'naive+abort' : 'naive', session, keyTimes, shown, server, prompts, cacheHits: 0, reuses: 0, staleAborted: 0, earlyStopped: 0 };
}

// --- metrics -------------------------------------------------------------------------------------

interface Totals {
  keys: number;
  requests: number;
  staleAborted: number;
  earlyStopped: number;
  shown: number;
  fromCache: number;
  generatedTokens: number;
  usedTokens: number;
  pauses: number;
  pausesServed: number;
  timeToGhost: number[];
  addedLatency: number[];
}

function measure(r: RunResult): Totals {
  const all = r.server.requests.filter((q) => q.path === '/api/generate');
  const tokensOfAll = all.map((q) => streamedTokens(q.headers));
  const generatedTokens = tokensOfAll.reduce((n, t) => n + t.length, 0);
  // Client stream n → the server request with its prompt (a stream aborted before it connected never reached the server).
  const used = new Set<number>();
  const generate = r.prompts.map((prompt) => {
    const i = all.findIndex((q, k) => !used.has(k) && q.body?.prompt === prompt);
    if (i === -1) return undefined;
    used.add(i);
    return all[i];
  });
  const tokensOf = generate.map((q) => (q ? streamedTokens(q.headers) : []));

  // Tokens used: per request, those covering the most of its answer that reached the screen.
  const covered = new Map<number, number>();
  for (const s of r.shown) {
    if (s.request === undefined) continue;
    const chars = s.source === 'model' && r.client !== 'switchyard' ? s.text.length : (s.rawChars ?? 0);
    covered.set(s.request, Math.max(covered.get(s.request) ?? 0, chars));
  }
  let usedTokens = 0;
  for (const [req, chars] of covered) {
    const toks = tokensOf[req] ?? [];
    const n = toks.findIndex((t) => t.cumChars >= chars);
    usedTokens += n === -1 ? toks.length : n + 1;
  }

  const addedLatency: number[] = [];
  for (const s of r.shown) {
    if (s.request === undefined || s.source === 'cache') continue;
    const q = generate[s.request];
    if (!q) continue;
    const toks = tokensOf[s.request] ?? [];
    let answerAt: number | undefined;
    if (s.stoppedEarly) answerAt = toks.find((t) => t.cumChars >= (s.rawChars ?? 0))?.at;
    else answerAt = lastWriteAt(q.headers);
    // A reused stream's answer may have arrived before the user reached this position.
    if (answerAt !== undefined) {
      const added = Math.max(0, s.at - Math.max(answerAt, r.keyTimes[s.keyIndex]!));
      addedLatency.push(added);
      if (process.env.BENCH_DEBUG && added > 50) console.log(r.client, r.session.name, { key: s.keyIndex, source: s.source, early: s.stoppedEarly, raw: s.rawChars, added: added.toFixed(1), answerAt: (answerAt - r.keyTimes[0]!).toFixed(0), keyAt: (r.keyTimes[s.keyIndex]! - r.keyTimes[0]!).toFixed(0), shownAt: (s.at - r.keyTimes[0]!).toFixed(0), toks: toks.map((t) => (t.at - r.keyTimes[0]!).toFixed(0) + ':' + t.cumChars).join(' ') });
    }
  }

  let pauses = 0;
  let pausesServed = 0;
  const timeToGhost: number[] = [];
  for (let i = 0; i < r.keyTimes.length; i++) {
    // Pauses as recorded (not as replayed), so every client is judged on the same pauses.
    const gap = r.session.events[i + 1]?.dt ?? Infinity;
    if (gap < PAUSE_MS) continue;
    pauses++;
    const s = r.shown.find((x) => x.keyIndex === i);
    if (s) {
      pausesServed++;
      timeToGhost.push(s.at - r.keyTimes[i]!);
    }
  }
  return {
    keys: r.session.events.length,
    requests: all.length,
    // Switchyard's own count (its early stops also close sockets); the naive clients' from the server.
    staleAborted: r.client === 'switchyard' ? r.staleAborted : all.filter((q) => q.aborted).length,
    earlyStopped: r.earlyStopped,
    shown: r.shown.length,
    fromCache: r.shown.filter((s) => s.source !== 'model').length,
    generatedTokens,
    usedTokens,
    pauses,
    pausesServed,
    timeToGhost,
    addedLatency,
  };
}

function add(a: Totals, b: Totals): Totals {
  return {
    keys: a.keys + b.keys,
    requests: a.requests + b.requests,
    staleAborted: a.staleAborted + b.staleAborted,
    earlyStopped: a.earlyStopped + b.earlyStopped,
    shown: a.shown + b.shown,
    fromCache: a.fromCache + b.fromCache,
    generatedTokens: a.generatedTokens + b.generatedTokens,
    usedTokens: a.usedTokens + b.usedTokens,
    pauses: a.pauses + b.pauses,
    pausesServed: a.pausesServed + b.pausesServed,
    timeToGhost: [...a.timeToGhost, ...b.timeToGhost],
    addedLatency: [...a.addedLatency, ...b.addedLatency],
  };
}

function pct(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const only = argValue('--only');
  const sessions = readdirSync(SESSIONS_DIR)
    .filter((f) => f.endsWith('.json') && (!only || f.includes(only)))
    .map((f) => JSON.parse(readFileSync(join(SESSIONS_DIR, f), 'utf8')) as EditSession);
  const seconds = sessions.map((s) => s.events.reduce((n, e) => n + e.dt, 0) / 1000 + 2);
  console.log(`Replaying ${sessions.length} sessions × 3 clients (${Math.ceil(seconds.reduce((a, b) => a + b, 0) * 3)} s of typing in all, run ${argValue('--jobs') ?? 'all'} at a time)…`);

  // Each job replays one session through one client on its own server; --jobs bounds how many
  // run at once (fewer: less contention in this one process, cleaner latency numbers, longer run).
  const jobs = sessions.flatMap((s) => [() => runSwitchyard(s), () => runNaive(s, false), () => runNaive(s, true)]);
  const limit = Math.max(1, Number(argValue('--jobs') ?? jobs.length));
  const runs: RunResult[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, jobs.length) }, async () => {
      while (next < jobs.length) runs.push(await jobs[next++]!());
    }),
  );
  const groups = new Map<string, Totals>();
  for (const r of runs) {
    const key = `${r.client} | ${r.session.speed}`;
    const m = measure(r);
    groups.set(key, groups.has(key) ? add(groups.get(key)!, m) : m);
  }
  await Promise.all(runs.map((r) => r.server.close()));

  const rows = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  const header = ['client | speed', 'keys', 'req/100k', 'aborted', 'early-stop', 'cache+reuse', 'wasted tok/100k', 'pauses served', 'ghost p50', 'added p50/p95'];
  const table = rows.map(([key, t]) => [
    key,
    String(t.keys),
    ((100 * t.requests) / t.keys).toFixed(1),
    t.requests ? `${((100 * t.staleAborted) / t.requests).toFixed(0)}%` : '-',
    String(t.earlyStopped),
    t.shown ? `${((100 * t.fromCache) / t.shown).toFixed(0)}% of ${t.shown}` : '-',
    ((100 * (t.generatedTokens - t.usedTokens)) / t.keys).toFixed(0),
    t.pauses ? `${((100 * t.pausesServed) / t.pauses).toFixed(0)}% of ${t.pauses}` : '-',
    t.timeToGhost.length ? `${pct(t.timeToGhost, 50).toFixed(0)} ms` : '-',
    t.addedLatency.length ? `${pct(t.addedLatency, 50).toFixed(1)}/${pct(t.addedLatency, 95).toFixed(1)} ms` : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of table) console.log(line(r));
  console.log(
    `\nServer: Ollama double, TTFT ${TTFT_MS[0]}–${TTFT_MS[1]} ms, ${1000 / TOKEN_INTERVAL_MS} tok/s, predicts the real continuation at ${PREDICTION_ACCURACY * 100}% of positions.` +
      `\n"aborted": requests stopped before their answer was used; "early-stop": requests ended by Switchyard once the suggestion was complete (answer used).` +
      `\n"pauses served": pauses ≥ ${PAUSE_MS} ms that got a suggestion; "ghost p50": median time from the last key to the ghost text in those pauses.`,
  );
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

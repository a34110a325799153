/**
 * Evaluates the escalation signals on the hand-labelled set of local answers
 * (test/fixtures/escalation/labelled.jsonl) and prints plain tables:
 *   1. per policy: escalation rate, precision, recall, F1;
 *   2. per signal (default policy): how often it fired, rightly and wrongly, and alone;
 *   3. a grid over the logprob thresholds (F1 and escalation rate), from which the defaults come;
 *   4. RouteLLM-style calibration: the logprob threshold that sends a target share to the cloud.
 *
 *   npm run eval:escalation
 *   npx tsx scripts/eval-escalation.ts --target-cloud-share 0.2 [--verbose]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escalationSignalsSchema, type EscalationSignalsConfig } from '../src/core/config';
import { calibrateThreshold, evaluate, judgeSample, type Evaluation, type LabelledSample } from '../src/core/escalation/calibration';

const SET = join(__dirname, '..', 'test', 'fixtures', 'escalation', 'labelled.jsonl');
/** Shares the calibration table always shows (RouteLLM reports its routers at such cost points). */
const DEFAULT_TARGET_SHARES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
const GRID_LOW_PROBS = [0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5];
const GRID_SHARES = [0.05, 0.1, 0.15, 0.2];

function parseArgs(argv: string[]): { targets: number[]; verbose: boolean } {
  let targets = DEFAULT_TARGET_SHARES;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--verbose') verbose = true;
    else if (arg === '--target-cloud-share' || arg.startsWith('--target-cloud-share=')) {
      const raw = arg.includes('=') ? arg.split('=')[1] : argv[++i];
      const share = Number(raw);
      if (raw === undefined || !(share >= 0 && share <= 1)) {
        console.error(`--target-cloud-share needs a number between 0 and 1 (e.g. 0.2), got "${raw ?? ''}"`);
        process.exit(2);
      }
      targets = [share];
    } else {
      console.error(`unknown argument "${arg}"; usage: eval-escalation [--target-cloud-share 0.2] [--verbose]`);
      process.exit(2);
    }
  }
  return { targets, verbose };
}

function loadSet(): LabelledSample[] {
  return readFileSync(SET, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l) as LabelledSample;
      } catch (err) {
        throw new Error(`${SET}:${i + 1}: not JSON (${(err as Error).message})`);
      }
    });
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => x.toFixed(2);

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function withLogprobs(base: EscalationSignalsConfig, patch: Partial<EscalationSignalsConfig['logprobs']>): EscalationSignalsConfig {
  return { ...base, logprobs: { ...base.logprobs, ...patch } };
}

function only(base: EscalationSignalsConfig, keep: (keyof EscalationSignalsConfig)[]): EscalationSignalsConfig {
  const out = structuredClone(base);
  for (const key of Object.keys(out) as (keyof EscalationSignalsConfig)[]) out[key].enabled = keep.includes(key);
  return out;
}

/**
 * The baseline the issue warns against: mean token probability over the whole answer, with its
 * threshold set so that it escalates as often as the default policy (a fair comparison).
 */
function meanBaseline(samples: LabelledSample[], base: EscalationSignalsConfig, rate: number): Evaluation & { threshold: number } {
  const others = withLogprobs(base, { enabled: false });
  const otherFired = samples.map((s) => judgeSample(s, others).length > 0);
  const mean = (s: LabelledSample) =>
    s.tokens && s.tokens.length >= base.logprobs.minTokens ? s.tokens.reduce((a, t) => a + Math.exp(t.logprob), 0) / s.tokens.length : Infinity;
  const candidates = samples.map((s, i) => (otherFired[i] ? Infinity : mean(s))).filter(Number.isFinite).sort((a, b) => a - b);
  const extra = Math.max(0, Math.round(rate * samples.length) - otherFired.filter(Boolean).length);
  const threshold = extra === 0 ? 0 : extra >= candidates.length ? 1 : (candidates[extra - 1]! + candidates[extra]!) / 2;
  let tp = 0, fp = 0, fn = 0;
  samples.forEach((s, i) => {
    const esc = otherFired[i] || mean(s) < threshold;
    if (esc && s.should_escalate) tp++;
    else if (esc) fp++;
    else if (s.should_escalate) fn++;
  });
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    samples: samples.length, escalated: tp + fp, escalationRate: (tp + fp) / samples.length, truePositives: tp, falsePositives: fp,
    falseNegatives: fn, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    perSignal: {}, missed: [], wronglyEscalated: [], threshold,
  };
}

function main(): void {
  const { targets, verbose } = parseArgs(process.argv.slice(2));
  const samples = loadSet();
  const defaults = escalationSignalsSchema.parse({});
  const positives = samples.filter((s) => s.should_escalate).length;
  const lp = defaults.logprobs;
  console.log(`Escalation evaluation on ${samples.length} labelled local answers (${positives} should escalate; ` +
    `${samples.filter((s) => s.lang === 'zh').length} Chinese; ${samples.filter((s) => !s.tokens).length} without logprobs)\n`);

  const policies: [string, EscalationSignalsConfig][] = [
    [`default (p<${lp.lowTokenProb}, share>${pct(lp.maxLowShare)})`, defaults],
    ['no logprobs (marker + task checks)', withLogprobs(defaults, { enabled: false })],
    ['logprobs only', only(defaults, ['logprobs'])],
    ['marker only', only(defaults, ['marker'])],
    ['lenient logprobs (p<0.20, >15%)', withLogprobs(defaults, { lowTokenProb: 0.2, maxLowShare: 0.15 })],
    ['strict logprobs (p<0.40, >5%)', withLogprobs(defaults, { lowTokenProb: 0.4, maxLowShare: 0.05 })],
  ];
  const results = policies.map(([name, cfg]) => [name, evaluate(samples, cfg)] as const);
  const defaultEval = results[0]![1];
  const baseline = meanBaseline(samples, defaults, defaultEval.escalationRate);
  const row = (name: string, e: Evaluation) => [name, pct(e.escalationRate), num(e.precision), num(e.recall), num(e.f1), e.truePositives, e.falsePositives, e.falseNegatives];
  console.log('Policies (policy "off" never escalates: rate 0%)');
  console.log(table(['policy', 'escalates', 'precision', 'recall', 'F1', 'TP', 'FP', 'FN'], [
    ...results.map(([name, e]) => row(name, e)),
    row(`baseline: mean p < ${baseline.threshold.toFixed(3)} (same rate)`, baseline),
  ]));

  console.log('\nPer signal, default policy (alone = the only signal on a right escalation)');
  console.log(table(['signal', 'fired', 'right', 'wrong', 'alone'],
    Object.entries(defaultEval.perSignal).sort((a, b) => b[1].fired - a[1].fired)
      .map(([name, c]) => [name, c.fired, c.truePositives, c.falsePositives, c.onlyThisSignal])));

  console.log('\nLogprob threshold grid, all other signals on: F1 (escalation rate)');
  console.log(table(['low-token p \\ share >', ...GRID_SHARES.map(pct)], GRID_LOW_PROBS.map((p) => [
    `p < ${p.toFixed(2)}`,
    ...GRID_SHARES.map((share) => {
      const e = evaluate(samples, withLogprobs(defaults, { lowTokenProb: p, maxLowShare: share }));
      return `${num(e.f1)} (${pct(e.escalationRate)})`;
    }),
  ])));

  // With every signal on, the other signals' share is a floor no threshold goes below (this set is
  // enriched with failures, so that floor is high); "logprobs alone" is RouteLLM's setting, where
  // the router's score is the only thing deciding.
  const logprobsAlone = only(defaults, ['logprobs']);
  console.log(`\nCalibration (RouteLLM-style): low-token threshold for a target cloud share, share > ${pct(lp.maxLowShare)} kept`);
  console.log(table(['target share', 'lowTokenProb', 'achieved', 'other signals alone', 'precision', 'recall', 'logprobs alone: lowTokenProb', 'achieved'], targets.map((t) => {
    const c = calibrateThreshold(t, samples, defaults);
    const e = evaluate(samples, withLogprobs(defaults, { lowTokenProb: c.lowTokenProb }));
    const alone = calibrateThreshold(t, samples, logprobsAlone);
    return [pct(t), c.lowTokenProb.toFixed(4), pct(c.achievedShare), pct(c.baseShare), num(e.precision), num(e.recall), alone.lowTokenProb.toFixed(4), pct(alone.achievedShare)];
  })));

  if (verbose) {
    console.log(`\nDefault policy missed: ${defaultEval.missed.join(', ') || '-'}`);
    console.log(`Default policy escalated wrongly: ${defaultEval.wronglyEscalated.join(', ') || '-'}`);
  }
}

main();

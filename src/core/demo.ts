/**
 * Demo mode (issue 16): what a newcomer with no local model and no key sees Switchyard do —
 * routing, escalation, cost and budget — against two canned servers on 127.0.0.1 that speak the
 * real Ollama and OpenAI-compatible wire protocols (src/demo/). This file is the part both sides
 * agree on: the names, the sample prompts, the configuration (the separate demo ledger's folder is demoLedgerDir in cost/index.ts). Plain
 * TypeScript (no vscode), shared by the extension, the servers and the tests.
 *
 * Honesty rules: every name says "demo" (providers, models, the panel's notice, the status bar,
 * the usage report), and demo spending goes to its own ledger, never the real one.
 */

/** The demo's local provider (an Ollama-protocol server) and its one model. */
export const DEMO_LOCAL_PROVIDER = 'demo-local';
/** With Ollama's tag: the router names an Ollama model by its full "name:tag", as `ollama list` does. */
export const DEMO_LOCAL_MODEL = 'demo/local-small:latest';
/** The demo's "cloud" provider (an OpenAI-compatible server, also on 127.0.0.1) and its one model. */
export const DEMO_CLOUD_PROVIDER = 'demo-cloud';
export const DEMO_CLOUD_MODEL = 'demo/cloud-large';
/** The bearer key the demo cloud server checks: not a secret, it exists so the real key path runs. */
export const DEMO_CLOUD_KEY = 'demo-key-not-a-secret';

/**
 * Invented prices, per 1M tokens, in USD: high enough that one escalation shows a cost of a
 * fraction of a cent rather than $0.00 (about a large cloud model's list price in 2025).
 */
export const DEMO_CLOUD_PRICE = { input: 10, output: 30 } as const;
/**
 * The demo budget, USD: small, so the status bar's "spent / cap" visibly moves with each
 * escalation (about $0.002 at the demo prices, measured in test/unit/demo/), yet room for ~100 of them a day before the demo
 * shows "budget reached" (the demo ledger persists, like the real one).
 */
export const DEMO_DAILY_LIMIT_USD = 0.25;
export const DEMO_MONTHLY_LIMIT_USD = 2.5;

/** Environment variables by which `npm start` hands running demo servers to the extension. */
export const DEMO_LOCAL_URL_ENV = 'SWITCHYARD_DEMO_LOCAL_URL';
export const DEMO_CLOUD_URL_ENV = 'SWITCHYARD_DEMO_CLOUD_URL';

/** The two sample prompts: the easy one the local model answers, the hard one it is unsure of. */
export const DEMO_SAMPLES = {
  easy: 'What does Array.prototype.map return in JavaScript?',
  hard: 'Prove that there are infinitely many twin primes.',
} as const;

/** Words that make the demo local model answer UNCERTAIN (the hard sample has them). */
export const DEMO_HARD_MARKERS = ['prove', 'twin prime', '证明'];

export function isDemoProvider(providerId: string | undefined): boolean {
  return providerId === DEMO_LOCAL_PROVIDER || providerId === DEMO_CLOUD_PROVIDER;
}

export interface DemoEndpoints {
  /** The Ollama-protocol server, e.g. "http://127.0.0.1:PORT". */
  localUrl: string;
  /** The OpenAI-compatible base URL, e.g. "http://127.0.0.1:PORT/v1". */
  cloudBaseUrl: string;
}

/**
 * The raw settings demo mode runs with, replacing the user's: only the two demo providers exist,
 * so nothing real can be called (and nothing real is pretended), escalation is automatic (the
 * escalation is what the demo shows), and the budget is the demo's own.
 */
export function demoRawConfig(endpoints: DemoEndpoints): Record<string, unknown> {
  const local = `${DEMO_LOCAL_PROVIDER}/${DEMO_LOCAL_MODEL}`;
  const cloud = `${DEMO_CLOUD_PROVIDER}/${DEMO_CLOUD_MODEL}`;
  // Required here: src/vscode imports this file on the activation path, which loads the shared core types once only.
  const { TASKS } = require('./types') as typeof import('./types');
  return {
    mode: 'auto',
    providers: {
      [DEMO_LOCAL_PROVIDER]: { kind: 'ollama', baseUrl: endpoints.localUrl, locality: 'local', models: [DEMO_LOCAL_MODEL] },
      [DEMO_CLOUD_PROVIDER]: { kind: 'openai-compatible', vendor: 'custom', baseUrl: endpoints.cloudBaseUrl, locality: 'cloud', models: [DEMO_CLOUD_MODEL] },
    },
    tasks: Object.fromEntries(TASKS.map((task) => [task, [local, cloud]])),
    // No per-request ceiling beyond the demo budget: the default ceiling ($0.05) is below the
    // worst case of a full-length answer at the demo prices, which would keep every escalation
    // local; the budget guard instead lowers max_tokens to fit, as it does for real spending.
    escalation: { policy: 'auto', maxCostPerRequestUsd: 0 },
    budget: {
      currency: 'USD',
      dailyLimit: DEMO_DAILY_LIMIT_USD,
      monthlyLimit: DEMO_MONTHLY_LIMIT_USD,
      globalDailyLimit: DEMO_DAILY_LIMIT_USD,
      globalMonthlyLimit: DEMO_MONTHLY_LIMIT_USD,
      priceOverrides: { [cloud]: DEMO_CLOUD_PRICE },
    },
    // The demo servers never start or stop a real Ollama.
    local: { manageOllama: false },
  };
}

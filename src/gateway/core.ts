/**
 * The ONE place the gateway assembles the core: settings file, env keys, the machine's ledger,
 * escalation and the probe-only local sidecar, the way src/cli/run.ts does today. When the
 * shared core-assembly function lands in src/core, this function's body becomes a call to it;
 * nothing else in src/gateway builds a core.
 *
 * Two Switchyard instances share the spend guard (one ledger, one cap) and the sidecar:
 *   answer  — with the escalation hook: a non-streaming answer can be replaced by the escalated
 *             one before any byte is sent, exactly as the panel does;
 *   stream  — without it: a streaming client has already received the local answer's tokens,
 *             and an OpenAI stream cannot take them back (decision where issue 19 is silent).
 */
import { createSpendGuard, defaultLedgerDir, type CostService } from '../core/cost';
import type { SwitchyardConfig } from '../core/config';
import { createEscalationHook, worstCaseFromPrices } from '../core/escalation';
import { LocalSidecar } from '../core/local/localSidecar';
import { providerBaseUrl } from '../core/providers';
import { type AssembledSwitchyard, createSwitchyard, effectiveProviderConfigs } from '../core/switchyard';
import type { Logger } from '../core/types';
import { createEnvKeyStore } from '../cli/envKeys';

export interface GatewayCore {
  config: SwitchyardConfig;
  /** With escalation (non-streaming answers). */
  answer: AssembledSwitchyard;
  /** Without escalation (streams). */
  stream: AssembledSwitchyard;
  /** The machine's ledger; undefined only when a test turns the budget off. */
  ledger?: CostService;
  close(): Promise<void>;
}

export interface GatewayCoreOptions {
  config: SwitchyardConfig;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Default true: spend from the machine's one ledger, like the panel and CLI. */
  budget?: boolean;
}

export function openGatewayCore(options: GatewayCoreOptions): GatewayCore {
  const { config, env, logger } = options;
  const configs = effectiveProviderConfigs(config, env);
  const keys = createEnvKeyStore(env, configs, (id) => {
    const c = configs[id];
    try {
      return c ? new URL(providerBaseUrl(id, c)).origin : undefined;
    } catch {
      return undefined;
    }
  });
  const ledger = options.budget === false ? undefined : createSpendGuard({ dir: defaultLedgerDir(env), config, logger });
  // Policy "ask" has nobody to ask in a server: the hook declines (never spends without asking).
  const escalation = createEscalationHook({ config: config.escalation, logger, estimateWorstCaseUsd: worstCaseFromPrices(config) });
  // Probe-only like the CLI: the gateway never starts `ollama serve` itself (for now).
  const local = new LocalSidecar({ config: { ...config, local: { ...config.local, manageOllama: false } }, logger, keys, env });
  const answer = createSwitchyard({ config, keys, logger, spendGuard: ledger, escalation, env, local });
  const stream = createSwitchyard({ config, keys, logger, spendGuard: ledger, env, local });
  return {
    config,
    answer,
    stream,
    ledger,
    async close() {
      answer.dispose();
      stream.dispose();
      await Promise.all([ledger?.dispose(), local.dispose()]);
    },
  };
}

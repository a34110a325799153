/**
 * The ONE place the gateway assembles the core, through the one wiring every surface uses
 * (assembleCore, src/core/assemble.ts): settings file, env keys, the machine's ledger, escalation
 * and the probe-only local sidecar, as the CLI does; nothing else in src/gateway builds a core.
 *
 * Two Switchyard instances share the spend guard (one ledger, one cap) and the sidecar:
 *   answer  — with the escalation hook: a non-streaming answer can be replaced by the escalated
 *             one before any byte is sent, exactly as the panel does;
 *   stream  — without it: a streaming client has already received the local answer's tokens,
 *             and an OpenAI stream cannot take them back (decision where issue 19 is silent).
 */
import { assembleCore } from '../core/assemble';
import type { CostService } from '../core/cost';
import type { SwitchyardConfig } from '../core/config';
import { type AssembledSwitchyard, effectiveProviderConfigs } from '../core/switchyard';
import type { Logger } from '../core/types';
import { envKeyStoreFor } from '../cli/envKeys';

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
  const keys = envKeyStoreFor(effectiveProviderConfigs(config, env), env);
  // Policy "ask" has nobody to ask in a server: without a confirm the hook declines (never spends without asking).
  // Probe-only like the CLI: the gateway never starts `ollama serve` itself (for now).
  const answer = assembleCore({ config }, { keys, logger, env, manageOllama: false, ...(options.budget === false ? { spendGuard: null } : {}) });
  // The same ledger, sidecar and reliability guard, without the escalation hook.
  const stream = assembleCore({ config }, { keys, logger, env, spendGuard: answer.spendGuard ?? null, local: answer.local ?? null, providerGuard: answer.providerGuard ?? null, escalate: false });
  return {
    config,
    answer: answer.switchyard,
    stream: stream.switchyard,
    ledger: answer.spendGuard,
    async close() {
      await stream.dispose();
      await answer.dispose();
    },
  };
}

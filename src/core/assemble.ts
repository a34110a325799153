/**
 * The one wiring of the core: settings in, a running Switchyard out — providers, the budget
 * guard over the machine's ledger, the escalation hook, the local sidecar, fetch/proxy and the
 * binding Local-only policy, built the same way for every surface. The VS Code extension
 * (src/vscode/app/coreFactory.ts, localModelsService.ts) and the CLI (src/cli/run.ts) call it; the
 * gateway server and the VS Code LM provider are meant to call it next, with a host of their own.
 *
 *   const core = assembleCore({ config }, { keys, logger, env, manageOllama: false });
 *   for await (const ev of core.switchyard.stream(request)) …
 *   core.dispose();
 *
 * A `host` says only what differs per surface: where keys come from, where logs go, the state
 * and ledger directories, the clock, whether this surface may start `ollama serve`, its fetch, how
 * it asks the user, and which long-lived parts (ledger, sidecar) it keeps across rebuilds.
 */
import type { SwitchyardConfig } from './config';
import { type BudgetAlert, type CostService, createSpendGuard, defaultLedgerDir, legacyCliLedgerDir } from './cost';
import { type ConfirmEscalation, createEscalationHook, worstCaseFromPrices } from './escalation';
import { LocalSidecar } from './local/localSidecar';
import { createProviderGuard, defaultGuardDir, keyFingerprint, type SwitchyardProviderGuard } from './reliability';
import type { FetchLike } from './net/keyOrigin';
import { type AssembledSwitchyard, createSwitchyard, effectiveProviderConfigs } from './switchyard';
import type { BindingLocalOnly, EscalationHook, KeyStore, LocalAvailability, Logger } from './types';

/** What the settings decide: the parsed configuration and, when it binds, Local only. */
export interface CoreSettings {
  config: SwitchyardConfig;
  /** Local only that no request can lift (the user's own mode setting, or an untrusted folder). */
  localOnly?: BindingLocalOnly;
}

/** What differs per surface. Everything is optional but the key store and the logger. */
export interface CoreHost {
  keys: KeyStore;
  logger: Logger;
  /** State directory (SWITCHYARD_STATE_DIR…), OLLAMA_HOST, proxy variables; process.env when absent. */
  env?: NodeJS.ProcessEnv;
  /** The ledger directory; the machine's one (defaultLedgerDir(env), shared by every surface) when absent. */
  ledgerDir?: string;
  /**
   * Ledgers of earlier versions merged into the ledger once. The CLI's old ledger is always merged
   * into the machine's ledger; a ledger of the host's own (`ledgerDir`) gets only these.
   */
  migrateLedgersFrom?: readonly string[];
  /** Clock of the budget periods and of health-probe freshness (a test crossing midnight); Date.now when absent. */
  now?: () => number;
  /** Whether this surface may start `ollama serve` (a one-shot command may not); the local.manageOllama setting when absent. */
  manageOllama?: boolean;
  /** Replaces the proxy-aware fetch for every provider and local probe (a test's, a caller's own). */
  fetch?: FetchLike;
  /** Asks the user whether to escalate (policy "ask"); without it "ask" declines. */
  confirm?: ConfirmEscalation;
  /** Budget alerts as the ledger crosses them (50 / 80 / 100 %). */
  onBudgetAlert?(alert: BudgetAlert): void;
  /**
   * The budget guard: one the host keeps across rebuilds (the extension's), `null` for none (the
   * CLI's `--no-budget`, a plan); built over the ledger when absent, and disposed with the core.
   */
  spendGuard?: CostService | null;
  /**
   * Local availability: the host's own sidecar (the extension shares one with its local models
   * view), `null` for none (demo mode); built when absent, and disposed with the core.
   */
  local?: LocalAvailability | null;
  /** `false`: no escalation hook (the CLI's `--no-escalate`, a plan). */
  escalate?: boolean;
  /**
   * The reliability guard (quotas, retries, breakers; src/core/reliability): one the host keeps
   * across rebuilds (the extension's, settings pushed with updateSettings), `null` for none (demo
   * mode's doubles are not the machine's providers); built over the machine's one state
   * (<state dir>/reliability) when absent, and closed with the core.
   */
  providerGuard?: SwitchyardProviderGuard | null;
}

export interface AssembledCore {
  readonly switchyard: AssembledSwitchyard;
  readonly spendGuard: CostService | undefined;
  readonly escalation: EscalationHook | undefined;
  readonly local: LocalAvailability | undefined;
  /** The machine-wide reliability guard the router asks (statusSnapshot, resetProvider, updateSettings). */
  readonly providerGuard: SwitchyardProviderGuard | undefined;
  /** Frees the router and what was built here (not what the host passed in); resolves once the ledger is closed and a sidecar stopped. */
  dispose(): Promise<void>;
}

/** The budget guard over the ledger: the machine's one unless the host names another, earlier ledgers merged in once. */
export function assembleSpendGuard(settings: CoreSettings, host: Pick<CoreHost, 'logger' | 'env' | 'ledgerDir' | 'migrateLedgersFrom' | 'now' | 'onBudgetAlert'>): CostService {
  const env = host.env ?? process.env;
  const own = host.migrateLedgersFrom ?? [];
  return createSpendGuard({
    dir: host.ledgerDir ?? defaultLedgerDir(env),
    migrateFrom: host.ledgerDir === undefined ? [...own, legacyCliLedgerDir(env)] : own,
    config: settings.config,
    logger: host.logger,
    ...(host.onBudgetAlert ? { onAlert: host.onBudgetAlert } : {}),
    ...(host.now ? { now: host.now } : {}),
  });
}

/**
 * The reliability guard over the machine's one state directory, with these settings. A provider's
 * vendor (its free-tier defaults) is read from the settings in force when asked, so a rebuilt
 * router's providers are seen by a guard the host kept.
 */
export function assembleProviderGuard(settings: CoreSettings, host: Pick<CoreHost, 'logger' | 'env' | 'now'>): SwitchyardProviderGuard {
  const fingerprints = new Map<string, string>();
  const vendors = new Map<string, string>();
  for (const [id, p] of Object.entries(effectiveProviderConfigs(settings.config, host.env ?? process.env))) if (p.vendor !== 'custom') vendors.set(id, p.vendor);
  const guard = createProviderGuard({
    dir: defaultGuardDir(host.env ?? process.env),
    settings: settings.config.reliability,
    logger: host.logger,
    vendorOf: (provider) => vendors.get(provider),
    // A "needs key" mark holds until the key this process sends changes (keysSeenBy records it).
    keyFingerprint: (provider) => fingerprints.get(provider),
    ...(host.now ? { now: host.now } : {}),
  });
  KEY_FINGERPRINTS.set(guard, fingerprints);
  return guard;
}

/** The fingerprints of the keys last read per provider, for each guard built here (the guard's keyFingerprint is synchronous, key stores are not). */
const KEY_FINGERPRINTS = new WeakMap<SwitchyardProviderGuard, Map<string, string>>();

/** The key store, noting each key's fingerprint for the guard as it is read (selection reads it before any gate). */
function keysSeenBy(keys: KeyStore, guard: SwitchyardProviderGuard | undefined): KeyStore {
  const fingerprints = guard && KEY_FINGERPRINTS.get(guard);
  if (!fingerprints) return keys;
  return {
    async getKey(providerId, origin) {
      const key = await keys.getKey(providerId, origin);
      if (key) fingerprints.set(providerId, keyFingerprint(key));
      else fingerprints.delete(providerId);
      return key;
    },
  };
}

/** The local sidecar; it starts `ollama serve` only where the host may (and the settings let it). */
export function assembleLocalSidecar(settings: CoreSettings, host: Pick<CoreHost, 'keys' | 'logger' | 'env' | 'manageOllama' | 'fetch' | 'now'>): LocalSidecar {
  const { config } = settings;
  const manageOllama = config.local.manageOllama && host.manageOllama !== false;
  return new LocalSidecar({
    config: manageOllama === config.local.manageOllama ? config : { ...config, local: { ...config.local, manageOllama } },
    logger: host.logger,
    keys: host.keys,
    ...(host.env ? { env: host.env } : {}),
    ...(host.fetch ? { fetch: host.fetch as typeof fetch } : {}),
    ...(host.now ? { now: host.now } : {}),
  });
}

export function assembleCore(settings: CoreSettings, host: CoreHost): AssembledCore {
  const { config, localOnly } = settings;
  const { keys, logger } = host;
  const env = host.env ?? process.env;
  const ownSpendGuard = host.spendGuard === undefined ? assembleSpendGuard(settings, host) : undefined;
  const spendGuard = host.spendGuard === undefined ? ownSpendGuard : (host.spendGuard ?? undefined);
  const ownLocal = host.local === undefined ? assembleLocalSidecar(settings, host) : undefined;
  const local = host.local === undefined ? ownLocal : (host.local ?? undefined);
  const ownGuard = host.providerGuard === undefined ? assembleProviderGuard(settings, { ...host, env }) : undefined;
  const providerGuard = host.providerGuard === undefined ? ownGuard : (host.providerGuard ?? undefined);
  const escalation =
    host.escalate === false
      ? undefined
      : createEscalationHook({
          config: config.escalation,
          logger,
          // The per-request ceiling needs prices; without them escalation could go past it.
          estimateWorstCaseUsd: worstCaseFromPrices(config),
          ...(host.confirm ? { confirm: host.confirm } : {}),
        });
  const switchyard = createSwitchyard({
    config,
    keys: keysSeenBy(keys, providerGuard),
    logger,
    env,
    ...(spendGuard ? { spendGuard } : {}),
    ...(escalation ? { escalation } : {}),
    ...(local ? { local } : {}),
    ...(providerGuard ? { providerGuard } : {}),
    ...(localOnly ? { localOnly } : {}),
    ...(host.fetch ? { fetch: host.fetch } : {}),
  });
  // One line per assembly, the same from every surface: what a request will be routed through.
  logger.info('core.assembled', {
    providers: Object.keys(switchyard.providerConfigs)
      .filter((id) => switchyard.provider(id))
      .sort()
      .map((id) => `${id} ${switchyard.provider(id)!.locality} ${switchyard.endpointOrigin(id)}`),
    unavailable: [...switchyard.unavailable.keys()].sort(),
    ledger: spendGuard ? spendGuard.dir : 'none',
    reliability: providerGuard ? (ownGuard ? defaultGuardDir(env) : 'host') : 'none',
    escalation: escalation ? config.escalation.policy : 'off',
    local: local ? (ownLocal ? (config.local.manageOllama && host.manageOllama !== false ? 'managed' : 'probe-only') : 'host') : 'none',
    ...(localOnly ? { localOnly: localOnly.because } : {}),
  });
  return {
    switchyard,
    spendGuard,
    escalation,
    local,
    providerGuard,
    async dispose() {
      switchyard.dispose();
      ownGuard?.close();
      await Promise.all([ownSpendGuard?.dispose(), ownLocal?.dispose()]);
    },
  };
}

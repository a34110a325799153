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
import { createHealthChecker, healthTargetsOf, type HealthChecker } from './reliability/health';
import type { ReliabilityGuard } from './reliability/guard';
import { primaryStore } from './router/primary';
import { parseRoutingSettings, type RoutingSettings } from './router/routingSettings';
import { stateDir } from './stateDir';
import { type AssembledSwitchyard, createSwitchyard } from './switchyard';
import type { Timers } from './timers';
import type { BindingLocalOnly, EscalationHook, KeyStore, LocalAvailability, Logger } from './types';

/** What the settings decide: the parsed configuration and, when it binds, Local only. */
export interface CoreSettings {
  config: SwitchyardConfig;
  /** Local only that no request can lift (the user's own mode setting, or an untrusted folder). */
  localOnly?: BindingLocalOnly;
  /** switchyard.routing.* (router/routingSettings.ts); priority when absent. */
  routing?: RoutingSettings;
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
   * across rebuilds (the extension's, from assembleProviderGuard), `null` for none (demo mode's
   * doubles are not the machine's providers); built over the machine's one guard log in the
   * state directory when absent, so every window, the CLI and the gateway count the same quotas.
   */
  providerGuard?: SwitchyardProviderGuard | null;
}

export interface AssembledCore {
  readonly switchyard: AssembledSwitchyard;
  readonly spendGuard: CostService | undefined;
  readonly escalation: EscalationHook | undefined;
  readonly local: LocalAvailability | undefined;
  /** Quotas, breakers and provider status (Show Provider Status, `switchyard status`); undefined when the host turned it off. */
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

/**
 * The reliability guard over the machine's one state directory, with these settings: built by
 * assembleCore when the host keeps none, or once by a host that keeps it across rebuilds (the
 * extension, which pushes changed settings with updateSettings).
 */
export function assembleProviderGuard(settings: CoreSettings, host: Pick<CoreHost, 'logger' | 'env' | 'now'>): SwitchyardProviderGuard {
  const env = host.env ?? process.env;
  const seen: GuardSeen = { fingerprints: new Map(), vendors: new Map() };
  const guard = createProviderGuard({
    dir: defaultGuardDir(env),
    settings: settings.config.reliability,
    logger: host.logger,
    // Each assembly over this guard records its providers' vendors (their free-tier defaults).
    vendorOf: (provider) => seen.vendors.get(provider),
    // A "needs key" mark holds until the key this process sends changes (keysSeenBy records it).
    keyFingerprint: (provider) => seen.fingerprints.get(provider),
    primary: () => primaryIn(env).primary?.get(),
    ...(host.now ? { now: host.now } : {}),
  });
  SEEN.set(guard, seen);
  return guard;
}

/** What the guard's synchronous callbacks read: the fingerprints of the keys last read and each provider's vendor. */
interface GuardSeen {
  fingerprints: Map<string, string>;
  vendors: Map<string, string>;
}
const SEEN = new WeakMap<SwitchyardProviderGuard, GuardSeen>();

/**
 * The key store, noting a one-way fingerprint of each key as it is read (selection reads it
 * before any gate), so the guard never sees a key.
 */
function keysSeenBy(keys: KeyStore, guard: SwitchyardProviderGuard | undefined): KeyStore {
  const fingerprints = guard && SEEN.get(guard)?.fingerprints;
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

export function assembleCore(settings: CoreSettings, host: CoreHost): AssembledCore {
  const { config, localOnly } = settings;
  const { logger } = host;
  const env = host.env ?? process.env;
  const ownGuard = host.providerGuard === undefined ? assembleProviderGuard(settings, { ...host, env }) : undefined;
  const providerGuard = host.providerGuard === undefined ? ownGuard : (host.providerGuard ?? undefined);
  const keys = keysSeenBy(host.keys, providerGuard);
  const ownSpendGuard = host.spendGuard === undefined ? assembleSpendGuard(settings, host) : undefined;
  const spendGuard = host.spendGuard === undefined ? ownSpendGuard : (host.spendGuard ?? undefined);
  const ownLocal = host.local === undefined ? assembleLocalSidecar(settings, { ...host, keys }) : undefined;
  const local = host.local === undefined ? ownLocal : (host.local ?? undefined);
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
    keys,
    logger,
    env,
    ...(spendGuard ? { spendGuard } : {}),
    ...(escalation ? { escalation } : {}),
    ...(local ? { local } : {}),
    ...(localOnly ? { localOnly } : {}),
    ...(host.fetch ? { fetch: host.fetch } : {}),
    ...(providerGuard ? { providerGuard } : {}),
    // The manual primary lives in the state directory, so every window and the CLI read the same one.
    routing: { settings: settings.routing ?? routingOf(config, logger), ...primaryIn(env) },
  });
  const vendors = providerGuard && SEEN.get(providerGuard)?.vendors;
  if (vendors) for (const [id, c] of Object.entries(switchyard.providerConfigs)) if (c.vendor !== 'custom') vendors.set(id, c.vendor);
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
  let disposed = false;
  return {
    switchyard,
    spendGuard,
    escalation,
    local,
    providerGuard,
    async dispose() {
      if (disposed) return;
      disposed = true;
      switchyard.dispose();
      ownGuard?.close();
      await Promise.all([ownSpendGuard?.dispose(), ownLocal?.dispose()]);
    },
  };
}

/**
 * The health checker over the assembled providers (reliability/health.ts), feeding `guard`. Not
 * started: the host starts it after its activation (VS Code: src/vscode/reliability/healthFocus.ts).
 */
export function assembleHealthChecker(switchyard: AssembledSwitchyard, guard: ReliabilityGuard, host: Pick<CoreHost, 'logger'> & { timers?: Timers }): HealthChecker {
  const targets = () =>
    healthTargetsOf(
      Object.entries(switchyard.providerConfigs)
        .filter(([id, c]) => c.enabled && switchyard.provider(id))
        .map(([id, c]) => ({ id, provider: switchyard.provider(id)!, models: c.models })),
    );
  return createHealthChecker({ guard, targets, logger: host.logger, ...(host.timers ? { timers: host.timers } : {}) });
}

/** switchyard.routing.* from the settings; a bad value is logged by its full name and its default applies. */
function routingOf(config: SwitchyardConfig, logger: Logger): RoutingSettings {
  const { settings, problems } = parseRoutingSettings(config.routing);
  for (const p of problems) logger.warn('settings.problem', { setting: p.setting, message: p.message });
  return settings;
}

/** The manual primary shared by every window and the CLI (the VS Code command requires it from here, on first use). */
export function openPrimaryStore(env: NodeJS.ProcessEnv = process.env): ReturnType<typeof primaryStore> {
  return primaryStore(stateDir(env));
}

/** The shared primary store; none when the state directory cannot be named (a relative SWITCHYARD_STATE_DIR, said elsewhere). */
function primaryIn(env: NodeJS.ProcessEnv): { primary?: ReturnType<typeof primaryStore> } {
  try {
    return { primary: primaryStore(stateDir(env)) };
  } catch {
    return {};
  }
}

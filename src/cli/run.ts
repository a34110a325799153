/**
 * The `switchyard` command line as a function: `runCli(argv, io)` returns the exit code and
 * touches the world only through `io`, so tests run it in-process against local test servers.
 * main.ts binds it to the real process (stdout, stderr, env, files, Ctrl-C).
 */
import { version } from '../../package.json';
import { type AssembledCore, assembleCore } from '../core/assemble';
import { type AssembledSwitchyard, effectiveProviderConfigs } from '../core/switchyard';
import type { ChatMessage, Fix, Logger, RouteRequest } from '../core/types';
import { SwitchyardError, formatModelRef, silentLogger } from '../core/types';
import { primaryStore } from '../core/router/primary';
import { stateDir } from '../core/stateDir';
import { type AskOptions, type PrimaryOptions, USAGE, UsageError, parseCommand } from './args';
import { envKeyStoreFor } from './envKeys';
import { cliFixText } from './fixText';
import { cliLanguage, cliReasonTable } from './messages';
import { renderStatusText } from './statusText';
import { loadConfig } from './loadConfig';
import { ResultCollector, type Sink, TerminalRenderer, formatDecision, signalText } from './render';

export interface CliIo {
  stdout: Sink;
  stderr: Sink;
  env: NodeJS.ProcessEnv;
  readFile(file: string): Promise<string>;
  /** Reads all of stdin; undefined when stdin is a terminal (nothing piped). */
  readStdin?(): Promise<string | undefined>;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Asks the user a yes/no question (escalation policy "ask"); absent when nobody can answer (no terminal). */
  confirm?(question: string): Promise<boolean>;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, the shell convention for "interrupted". */
export const EXIT_CANCELLED = 130;
/** Said on stderr when Ctrl-C stopped the request (after the stream ended and the budget was settled). */
export const CANCELLED_LINE = 'switchyard: cancelled (Ctrl-C): the request was stopped at the connection, and its budget settled\n';

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const command = parseCommand(argv);
    switch (command.name) {
      case 'help':
        io.stdout.write(USAGE);
        return EXIT_OK;
      case 'version':
        io.stdout.write(`switchyard ${version}\n`);
        return EXIT_OK;
      case 'models':
        return await listModels(command.options, io);
      case 'primary':
        return await primary(command.options, io);
      case 'status':
        return await showStatus(command.options, io);
      case 'plan':
      case 'ask':
        return await ask(command.name, command.options, io);
      case 'serve':
        // Required on use: the server (and Fastify) load only for `serve`.
        return await (require('../gateway/serveCommand') as typeof import('../gateway/serveCommand')).runServe(command.options, io);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`switchyard: ${err.message}\n`);
      return EXIT_USAGE;
    }
    const message = err instanceof SwitchyardError ? err.info.message : err instanceof Error ? err.message : String(err);
    io.stderr.write(`switchyard: ${message}\n`);
    return EXIT_FAILURE;
  }
}

interface Session {
  switchyard: AssembledSwitchyard;
  /** The machine-wide reliability guard this session's router asks. */
  providerGuard: AssembledCore['providerGuard'];
  /** The CLI's words for an error's fix (the key's environment variables, the settings file). */
  fixText(fix: Fix): string;
  close(): void;
}

async function openSession(options: { configPath?: string; budget?: boolean; escalate?: boolean }, io: CliIo): Promise<Session> {
  const loaded = await loadConfig(options.configPath, io.env, io.readFile);
  const where = `settings ${loaded.path ?? ''}`;
  for (const p of loaded.problems) if (p.effect === 'default') io.stderr.write(`switchyard: ${where} ${p.path}: ${p.message} (ignored, default used)\n`);
  // A cap, endpoint or mode that cannot be read fails closed: its default could allow more than
  // was meant, and a one-shot command has nobody to show a refusal to later, so nothing runs.
  const failed = loaded.problems.filter((p) => p.effect === 'fail_closed');
  if (failed.length > 0) {
    throw new UsageError(
      failed.map((p) => `${where} ${p.path || '(the whole file)'}: ${p.message}`).join('\nswitchyard: ') +
        `\nswitchyard: ${failed.length === 1 ? 'this setting' : 'these settings'} cannot be read, and the default could allow more than you meant (a higher cap, another endpoint, cloud instead of local): fix ${failed.length === 1 ? 'it' : 'them'} and run again.`,
    );
  }
  const config = loaded.config;
  const logger = cliLogger(io);
  const configs = effectiveProviderConfigs(config, io.env);
  const keys = envKeyStoreFor(configs, io.env);
  // Policy "ask" asks on the terminal; without one it declines (never spend without asking).
  const confirm = io.confirm;
  const core = assembleCore(
    { config },
    {
      keys,
      logger,
      env: io.env,
      // Probe-only sidecar: the router skips a local server that is down, but a one-shot command
      // never starts `ollama serve` (it would start and stop it on every call).
      manageOllama: false,
      // The machine's one ledger, shared with VS Code (the CLI's old one is merged in once); none without --budget.
      ...(options.budget ? {} : { spendGuard: null }),
      escalate: options.escalate === true,
      ...(confirm
        ? {
            confirm: (reasons, next) =>
              confirm(`\nThe local answer looks unreliable (${reasons.filter((r) => r.fired).map((r) => signalText(r, cliReasonTable(io.env))).join('; ')}). Ask ${formatModelRef(next.ref)} (${next.locality}) instead? [y/N] `),
          }
        : {}),
    },
  );
  return {
    switchyard: core.switchyard,
    providerGuard: core.providerGuard,
    fixText: (fix) => cliFixText(fix, configs, loaded.path),
    close: () => core.dispose(),
  };
}

async function ask(kind: 'ask' | 'plan', options: AskOptions, io: CliIo): Promise<number> {
  const prompt = await promptOf(options, io);
  const messages: ChatMessage[] = [];
  if (options.system) messages.push({ role: 'system', content: options.system });
  messages.push({ role: 'user', content: prompt });
  const signal = io.signal ?? new AbortController().signal;
  const request: RouteRequest = {
    messages,
    task: options.task,
    languageId: options.languageId,
    // --model pins unless the mode says otherwise (Local only still wins over a cloud pin).
    mode: options.mode ?? (options.model ? 'pinned' : undefined),
    pinned: options.model,
    maxTokens: options.maxTokens,
    temperature: options.temperature,
    thinking: options.thinking || undefined,
    workspaceId: options.workspace,
    signal,
  };

  const session = await openSession({ configPath: options.configPath, budget: kind === 'ask' && options.budget, escalate: kind === 'ask' && options.escalate }, io);
  try {
    if (kind === 'plan') {
      const decision = await session.switchyard.plan(request);
      io.stdout.write(options.json || options.events ? JSON.stringify(decision, null, 2) + '\n' : formatDecision(decision, session.fixText, cliReasonTable(io.env)));
      return decision.candidates.length > 0 ? EXIT_OK : EXIT_FAILURE;
    }

    const collector = new ResultCollector();
    const terminal = options.json || options.events ? undefined : new TerminalRenderer(io.stdout, io.stderr, session.fixText, cliReasonTable(io.env));
    for await (const ev of session.switchyard.stream(request)) {
      collector.add(ev);
      if (options.events) io.stdout.write(JSON.stringify(ev) + '\n');
      terminal?.add(ev);
    }
    const result = collector.result;
    if (options.json) io.stdout.write(JSON.stringify(result, null, 2) + '\n');
    terminal?.summary(result);
    if (result.cancelled || signal.aborted) {
      io.stderr.write(CANCELLED_LINE);
      return EXIT_CANCELLED;
    }
    return result.ok ? EXIT_OK : EXIT_FAILURE;
  } finally {
    session.close();
  }
}

/** Shows, sets or clears the manual primary in the shared state directory (router/primary.ts). */
async function primary(options: PrimaryOptions, io: CliIo): Promise<number> {
  const zh = cliLanguage(io.env) === 'zh-cn';
  const store = primaryStore(stateDir(io.env));
  if (options.clear) {
    store.set(undefined);
    io.stdout.write(zh ? '已清除首选提供方：按路由策略的顺序尝试\n' : 'primary cleared: providers are tried in the routing strategy\'s order\n');
    return EXIT_OK;
  }
  if (!options.provider) {
    const p = store.get();
    io.stdout.write(p ? `${p}\n` : zh ? '没有首选提供方\n' : 'no primary set\n');
    return EXIT_OK;
  }
  const loaded = await loadConfig(options.configPath, io.env, io.readFile);
  const known = Object.keys(effectiveProviderConfigs(loaded.config, io.env));
  if (!known.includes(options.provider)) {
    io.stderr.write(zh ? `switchyard: 没有 id 为 "${options.provider}" 的提供方；可用：${known.join(', ')}\n` : `switchyard: no provider "${options.provider}"; known: ${known.join(', ')}\n`);
    return EXIT_USAGE;
  }
  store.set(options.provider);
  io.stdout.write(zh ? `首选提供方：${options.provider}（所有窗口和命令行都先尝试它）\n` : `primary: ${options.provider} (tried first by every window and the CLI)\n`);
  return EXIT_OK;
}

async function listModels(options: { json: boolean; configPath?: string; mode?: RouteRequest['mode'] }, io: CliIo): Promise<number> {
  const session = await openSession({ configPath: options.configPath }, io);
  try {
    const sy = session.switchyard;
    const models = await sy.listModels(io.signal);
    // --mode local lists what Local-only mode may use (and asks no cloud provider anything).
    const shown = options.mode === 'local' ? models.filter((m) => m.locality === 'local') : options.mode === 'cloud' ? models.filter((m) => m.locality === 'cloud') : models;
    if (options.json) {
      io.stdout.write(JSON.stringify({ models: shown, unavailable: Object.fromEntries(sy.unavailable) }, null, 2) + '\n');
    } else {
      for (const m of shown) {
        const extra = [m.parameterSize, m.quantization, m.contextWindow ? `ctx ${m.contextWindow}` : undefined].filter(Boolean).join(', ');
        io.stdout.write(`${m.ref.provider}/${m.ref.model}\t${m.locality}${extra ? `\t${extra}` : ''}\n`);
      }
      if (shown.length === 0) io.stderr.write('switchyard: no models found (is Ollama running? are keys set?)\n');
      for (const [id, why] of sy.unavailable) io.stderr.write(`switchyard: provider ${id} unavailable: ${why}\n`);
    }
    return EXIT_OK;
  } finally {
    session.close();
  }
}

/** `switchyard status`: the machine's provider status from the shared reliability state (no request is sent). */
async function showStatus(options: { json: boolean; configPath?: string }, io: CliIo): Promise<number> {
  const session = await openSession({ configPath: options.configPath }, io);
  try {
    const sy = session.switchyard;
    const configured = Object.entries(sy.providerConfigs)
      .filter(([id]) => sy.provider(id))
      .flatMap(([id, p]) => (p.models ?? []).map((model) => ({ ref: { provider: id, model }, locality: sy.provider(id)!.locality })));
    const snapshot = session.providerGuard?.reliability.statusSnapshot(configured) ?? { at: new Date().toISOString(), providers: [] };
    io.stdout.write(options.json ? JSON.stringify(snapshot, null, 2) + '\n' : renderStatusText(snapshot, cliLanguage(io.env)));
    return EXIT_OK;
  } finally {
    session.close();
  }
}

async function promptOf(options: AskOptions, io: CliIo): Promise<string> {
  let prompt = options.prompt;
  if (prompt === undefined || prompt === '-') prompt = (await io.readStdin?.()) ?? undefined;
  if (prompt === undefined || !prompt.trim()) throw new UsageError('no prompt: write switchyard ask "your question", or pipe text into switchyard ask -');
  return prompt;
}

/** Logs as JSON lines on stderr when SWITCHYARD_DEBUG is set; silent otherwise (stderr is for the user). */
function cliLogger(io: CliIo): Logger {
  if (!io.env.SWITCHYARD_DEBUG) return silentLogger;
  const write = (level: string) => (event: string, fields?: Record<string, unknown>) => void io.stderr.write(JSON.stringify({ level, event, ...fields }) + '\n');
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * The command line's grammar: `switchyard ask|plan|models …`, parsed with Node's own parseArgs
 * into a typed command, or a UsageError that says exactly what was wrong (exit code 2).
 */
import { parseArgs } from 'node:util';
import { TASKS, type Mode, type Task } from '../core/types';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `switchyard serve`: the local gateway (src/gateway). */
export interface ServeOptions {
  port: number;
  host: string;
  workspace: string;
  configPath?: string;
  /** Replace the token and exit; a running gateway takes the new one at once. */
  rotateToken: boolean;
}
/** The design note's base URL is http://localhost:8000/api/llm. */
export const DEFAULT_SERVE_PORT = 8000;
export const DEFAULT_SERVE_HOST = '127.0.0.1';
/** The budget the gateway spends from unless --workspace says otherwise. */
export const DEFAULT_SERVE_WORKSPACE = 'gateway';

export interface AskOptions {
  prompt?: string;
  task?: Task;
  mode?: Mode;
  /** "provider" or "provider/model"; implies mode pinned. */
  model?: string;
  /** One JSON object at the end. */
  json: boolean;
  /** Every stream event as one JSON line (NDJSON). */
  events: boolean;
  configPath?: string;
  maxTokens?: number;
  temperature?: number;
  languageId?: string;
  system?: string;
  thinking: boolean;
  workspace: string;
  /** Turn off the escalation hook (no UNCERTAIN instruction, no answer checks). */
  escalate: boolean;
  /** Turn off the budget (no ledger); cloud calls are then unbounded. */
  budget: boolean;
}

export type Command =
  | { name: 'ask'; options: AskOptions }
  | { name: 'plan'; options: AskOptions }
  | { name: 'models'; options: { json: boolean; configPath?: string; mode?: Mode } }
  | { name: 'status'; options: { json: boolean; configPath?: string } }
  | { name: 'serve'; options: ServeOptions }
  | { name: 'primary'; options: PrimaryOptions }
  | { name: 'help' }
  | { name: 'version' };

/** `switchyard primary [<provider> | --clear]`: the manual primary shared with every VS Code window. */
export interface PrimaryOptions {
  provider?: string;
  clear: boolean;
  configPath?: string;
}

const MODES: readonly Mode[] = ['auto', 'local', 'cloud', 'pinned'];
/** The budget the CLI spends from unless --workspace says otherwise. */
export const DEFAULT_CLI_WORKSPACE = 'cli';

export const USAGE = `Usage:
  switchyard ask "<prompt>" [options]     answer a prompt (use "-" or a pipe to read stdin)
  switchyard plan "<prompt>" [options]    show which models would be tried, and why
  switchyard models [--json] [--mode M]   list the models of every enabled provider
  switchyard status [--json]              each provider's state, latency, success rate and quota use (the machine's)
  switchyard serve [--port 8000] [--host 127.0.0.1] [--workspace ID] [--config FILE]
                                          a local gateway: OpenAI-compatible /v1 and /api/llm
  switchyard serve --rotate-token         replace the gateway's token (a running one takes it at once)
  switchyard primary [<provider>|--clear] show, set or clear the provider tried first (every window agrees)

Options:
  --task T            ${TASKS.join('|')}
  --mode M            auto|local|cloud|pinned (default: from settings, else auto)
  --model P[/M]       pin a provider or provider/model, e.g. ollama/qwen2.5-coder:7b
  --json              print one JSON object (decision, model, text, tokens, timing, cost)
  --events            print every stream event as a JSON line (NDJSON)
  --config FILE       settings file (default: ~/.config/switchyard/config.json)
  --max-tokens N      cap the answer length
  --temperature X     sampling temperature
  --language ID       editor language id, a hint for the task (e.g. python)
  --system TEXT       system prompt
  --thinking          ask for deep thinking where the model supports it
  --workspace ID      budget to spend from (default: ${DEFAULT_CLI_WORKSPACE})
  --no-escalate       do not check local answers or escalate them
  --no-budget         do not use the budget ledger (cloud spending unbounded)
  -h, --help          this help;  -v, --version  the version

Keys come from the environment: SWITCHYARD_KEY_<PROVIDER> (e.g. SWITCHYARD_KEY_GROQ), or the
provider's apiKeyEnv (GROQ_API_KEY, DASHSCOPE_API_KEY, ZHIPU_API_KEY, GEMINI_API_KEY, OPENAI_API_KEY).
Exit codes: 0 answered, 1 failed, 2 usage or settings error, 130 cancelled.
`;

export function parseCommand(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') return { name: 'help' };
  if (name === '-v' || name === '--version' || name === 'version') return { name: 'version' };
  if (name === 'ask' || name === 'plan') return { name, options: parseAsk(rest) };
  if (name === 'models') return { name: 'models', options: parseModels(rest) };
  if (name === 'serve') return { name: 'serve', options: parseServe(rest) };
  if (name === 'primary') return { name: 'primary', options: parsePrimary(rest) };
  if (name === 'status') return { name: 'status', options: parseStatus(rest) };
  throw new UsageError(`unknown command "${name}": use ask, plan, models, status, serve or primary`);
}

function parseAsk(argv: string[]): AskOptions {
  const { values, positionals } = parse(argv, {
    task: { type: 'string' },
    mode: { type: 'string' },
    model: { type: 'string' },
    json: { type: 'boolean', default: false },
    events: { type: 'boolean', default: false },
    config: { type: 'string' },
    'max-tokens': { type: 'string' },
    temperature: { type: 'string' },
    language: { type: 'string' },
    system: { type: 'string' },
    thinking: { type: 'boolean', default: false },
    workspace: { type: 'string' },
    'no-escalate': { type: 'boolean', default: false },
    'no-budget': { type: 'boolean', default: false },
  });
  if (positionals.length > 1) throw new UsageError(`expected one prompt, got ${positionals.length} arguments: quote the prompt ("…")`);
  if (values.json && values.events) throw new UsageError('--json and --events cannot be combined: pick one output format');
  const task = values.task as string | undefined;
  if (task !== undefined && !(TASKS as readonly string[]).includes(task)) throw new UsageError(`--task "${task}" is not a task: use one of ${TASKS.join(', ')}`);
  const model = values.model as string | undefined;
  if (model !== undefined && (!model.trim() || model.endsWith('/') || model.startsWith('/'))) throw new UsageError(`--model "${model}": write "provider" or "provider/model", e.g. ollama/qwen2.5-coder:7b`);
  return {
    prompt: positionals[0],
    task: task as Task | undefined,
    mode: parseMode(values.mode as string | undefined),
    model,
    json: values.json === true,
    events: values.events === true,
    configPath: values.config as string | undefined,
    maxTokens: parseNumber('--max-tokens', values['max-tokens'] as string | undefined, { integer: true, min: 1 }),
    temperature: parseNumber('--temperature', values.temperature as string | undefined, { min: 0, max: 2 }),
    languageId: values.language as string | undefined,
    system: values.system as string | undefined,
    thinking: values.thinking === true,
    workspace: (values.workspace as string | undefined) ?? DEFAULT_CLI_WORKSPACE,
    escalate: values['no-escalate'] !== true,
    budget: values['no-budget'] !== true,
  };
}

function parseModels(argv: string[]): { json: boolean; configPath?: string; mode?: Mode } {
  const { values, positionals } = parse(argv, { json: { type: 'boolean', default: false }, config: { type: 'string' }, mode: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`models takes no arguments, got "${positionals[0]}"`);
  return { json: values.json === true, configPath: values.config as string | undefined, mode: parseMode(values.mode as string | undefined) };
}

function parseStatus(argv: string[]): { json: boolean; configPath?: string } {
  const { values, positionals } = parse(argv, { json: { type: 'boolean', default: false }, config: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`status takes no arguments, got "${positionals[0]}"`);
  return { json: values.json === true, ...(values.config !== undefined ? { configPath: values.config as string } : {}) };
}

function parseServe(argv: string[]): ServeOptions {
  const { values, positionals } = parse(argv, { port: { type: 'string' }, host: { type: 'string' }, workspace: { type: 'string' }, config: { type: 'string' }, 'rotate-token': { type: 'boolean', default: false } });
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments, got "${positionals[0]}"`);
  const host = (values.host as string | undefined)?.trim() || DEFAULT_SERVE_HOST;
  return {
    port: parseNumber('--port', values.port as string | undefined, { integer: true, min: 0, max: 65535 }) ?? DEFAULT_SERVE_PORT,
    host,
    workspace: (values.workspace as string | undefined) ?? DEFAULT_SERVE_WORKSPACE,
    configPath: values.config as string | undefined,
    rotateToken: values['rotate-token'] === true,
  };
}

function parsePrimary(argv: string[]): PrimaryOptions {
  const { values, positionals } = parse(argv, { clear: { type: 'boolean', default: false }, config: { type: 'string' } });
  if (positionals.length > 1) throw new UsageError(`primary takes one provider id, got ${positionals.length}`);
  if (values.clear && positionals.length) throw new UsageError('give a provider or --clear, not both');
  return { ...(positionals[0] ? { provider: positionals[0] } : {}), clear: values.clear === true, ...(values.config ? { configPath: values.config as string } : {}) };
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: boolean }>;

function parse(argv: string[], options: OptionSpec): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    // "-" is a positional (read stdin); parseArgs treats it that way already.
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
  } catch (err) {
    // parseArgs says e.g. "Unknown option '--foo'"; keep its words, add the way out.
    throw new UsageError(`${(err as Error).message.replace(/\. To specify a positional.*$/s, '')} (see switchyard --help)`);
  }
}

function parseMode(value: string | undefined): Mode | undefined {
  if (value === undefined) return undefined;
  if (!(MODES as readonly string[]).includes(value)) throw new UsageError(`--mode "${value}" is not a mode: use auto, local, cloud or pinned`);
  return value as Mode;
}

function parseNumber(flag: string, value: string | undefined, rule: { integer?: boolean; min?: number; max?: number }): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const ok = value.trim() !== '' && Number.isFinite(n) && (!rule.integer || Number.isInteger(n)) && (rule.min === undefined || n >= rule.min) && (rule.max === undefined || n <= rule.max);
  if (!ok) {
    const range = `${rule.integer ? 'a whole number' : 'a number'}${rule.min !== undefined ? ` ≥ ${rule.min}` : ''}${rule.max !== undefined ? ` and ≤ ${rule.max}` : ''}`;
    throw new UsageError(`${flag} "${value}" must be ${range}`);
  }
  return n;
}

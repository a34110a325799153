/**
 * The contracts every part of Switchyard speaks: tasks, the provider interface, the one
 * normalized stream event type, errors, and the hooks through which budgets and escalation
 * take part in routing. Plain TypeScript with no `vscode` import, so the extension, the CLI
 * and the tests all share it.
 *
 * A request flows: caller → Router.stream(RouteRequest) → [SpendGuard.reserve] →
 * Provider.stream(ProviderRequest) → ProviderEvent… → Router adds timing, cost, failover and
 * escalation → StreamEvent… → caller. One AbortSignal travels the whole way down.
 */
import type { BudgetRefusal, CandidateReason, ExcludedReason, NoticeReason, SignalReason, TaskReason } from './reasons/types';
export type { BudgetRefusal, CandidateReason, CueReason, ExcludedReason, NoticeReason, Reason, SignalReason, TaskReason } from './reasons/types';

/** What a request is for. The router picks candidate models per task. */
export const TASKS = [
  'chat',
  'code',
  'math',
  'reasoning',
  'summarize',
  'translate',
  'classify',
  'creative',
  'long_context',
  'vision',
  'audio',
  /** Inline ghost-text completion: its own task so it gets a small fast model and its own usage line. */
  'completion',
] as const;
export type Task = (typeof TASKS)[number];

/** Where a model runs. "local" means no byte leaves the machine (Ollama, NPU, LM Studio on loopback…). */
export type Locality = 'local' | 'cloud';

/** Routing mode, chosen per workspace. "local" is a hard guarantee: no cloud call at all. */
export type Mode = 'auto' | 'local' | 'cloud' | 'pinned';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A model named as "providerId/modelName"; the model part may itself contain slashes. */
export interface ModelRef {
  provider: string;
  model: string;
}

export function parseModelRef(ref: string): ModelRef {
  const slash = ref.indexOf('/');
  if (slash <= 0 || slash === ref.length - 1) {
    throw new Error(`"${ref}" is not a model reference: write it as "provider/model", e.g. "ollama/qwen2.5-coder:7b"`);
  }
  return { provider: ref.slice(0, slash), model: ref.slice(slash + 1) };
}

export function formatModelRef(ref: ModelRef): string {
  return `${ref.provider}/${ref.model}`;
}

export interface TokenLogprob {
  token: string;
  /** Natural log of the token's probability (≤ 0). */
  logprob: number;
  top?: { token: string; logprob: number }[];
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache (billed at the cached rate where one exists). */
  cachedInputTokens?: number;
  /** Reasoning/thinking tokens; included in outputTokens when the provider bills them as output. */
  reasoningTokens?: number;
  /** True when we counted with our tokenizer because the provider reported nothing. */
  estimated: boolean;
  /** A cost the provider itself reported for this request, in USD. Preferred over our arithmetic. */
  reportedCostUsd?: number;
}

export type FinishReason = 'stop' | 'length' | 'cancelled' | 'error' | 'content_filter' | 'tool_calls';

/** Every failure is classified once, here, and decided on by kind — never by matching message strings later. */
export type ErrorKind =
  | 'auth' // key missing, wrong or expired
  | 'rate_limit' // per-minute quota: retry after a wait
  | 'quota' // balance or daily quota exhausted: do not retry this provider today
  | 'model_not_found'
  | 'context_length'
  | 'content_filter'
  | 'bad_request'
  | 'server' // 5xx
  | 'overloaded' // 503 / 529 / Zhipu 1305: try another provider
  | 'network' // connection refused, reset, DNS
  | 'timeout'
  | 'bad_response' // malformed stream or body
  | 'cancelled'
  | 'budget' // our own refusal: the workspace budget does not allow the call
  | 'local_only' // our own refusal: a cloud call was needed in Local-only mode
  | 'config_invalid' // our own refusal: a setting that fails closed cannot be read, so no cloud call is made
  | 'unknown';

/**
 * What fixes a failure, as data rather than prose: each surface words it itself (the CLI names
 * the environment variable, VS Code offers its "Set API Key" command or opens the setting).
 */
export type Fix =
  /** A key for this provider's endpoint is missing or was rejected. */
  | { action: 'set_key'; provider: string; origin?: string }
  /** A setting (path below `switchyard.`, e.g. "budget.dailyLimit") must be corrected. */
  | { action: 'fix_setting'; setting: string }
  /** Ollama is not installed: get it from `url` (Switchyard never downloads executables itself). */
  | { action: 'install_ollama'; url: string }
  /** This local provider is installed (or configured) but not answering: start it. */
  | { action: 'start_local'; provider: string }
  /** This local provider runs but lacks a suitable model: pull one (`model` when one was named). */
  | { action: 'pull_model'; provider: string; model?: string };

/**
 * A setting that could not be read and whose default would allow more than the user may have
 * meant (a budget cap, an endpoint, the mode…; see parseConfig). While one stands the core
 * refuses every cloud call with this reason; local calls go on.
 */
export interface ConfigInvalid {
  code: 'config_invalid';
  /** Path below `switchyard.`: "budget.dailyLimit", "providers.groq.baseUrl". */
  setting: string;
  /** What is wrong with the value, e.g. "Number must be greater than or equal to 0". */
  problem: string;
}

export interface NormalizedError {
  kind: ErrorKind;
  /** A sentence a user can act on. Never contains a key. */
  message: string;
  provider?: string;
  model?: string;
  status?: number;
  /** The vendor's own code, e.g. Zhipu "1302", OpenAI "insufficient_quota", Gemini "RESOURCE_EXHAUSTED". */
  providerCode?: string;
  retryAfterMs?: number;
  /** Whether trying the same provider again later can succeed. */
  retryable: boolean;
  /** What the user can do about it, when there is one thing to do. */
  fix?: Fix;
  /** The refusal's numbers, for callers that say it in their own words (the CLI, the panel in the UI language). */
  reason?: ErrorReason;
  /** The error answer's x-ratelimit-* / retry-after headers (providers/rateLimitHeaders.ts), for the reliability guard. */
  rateLimit?: Readonly<Record<string, string>>;
}

/**
 * No model's context window holds the prompt plus the answer (kind `context_length`), decided
 * before any request was sent. `model` has the largest window of those considered.
 */
export interface PromptTooLarge {
  code: 'prompt_too_large';
  promptTokens: number;
  /** The answer's budget (max tokens) the window must also hold. */
  answerTokens: number;
  largestWindow: number;
  model: string;
}
/** A refusal's numbers; its English `message` is rendered from the same reason (src/core/reasons). */
export type ErrorReason = PromptTooLarge | BudgetRefusal;

/** A model left out because its context window cannot hold prompt + answer (`needed` tokens). */
export interface ContextTooSmall {
  code: 'context_too_small';
  /** "provider/model". */
  model: string;
  window: number;
  needed: number;
}
/**
 * A local provider cannot take requests: Ollama is not installed (`missing`), or it (or another
 * local endpoint) is installed or configured but not answering (`down`).
 */
export interface LocalUnavailable {
  code: 'local_unavailable';
  provider: string;
  state: 'missing' | 'down';
}

/** A local provider answers but has not got the model (`model`), or no chat model at all (no `model`). */
export interface ModelNotPulled {
  code: 'model_not_pulled';
  provider: string;
  model?: string;
}
export type ExclusionReason = ContextTooSmall | LocalUnavailable | ModelNotPulled;

export class SwitchyardError extends Error {
  constructor(readonly info: NormalizedError) {
    super(info.message);
    this.name = 'SwitchyardError';
  }
}

// ---------------------------------------------------------------------------------------------
// Providers

export type ProviderKind = 'ollama' | 'openai-compatible' | 'npu-simple';

export interface ProviderCapabilities {
  streaming: boolean;
  thinking: boolean;
  logprobs: boolean;
  /** Fill-in-the-middle with a suffix (Ollama `suffix`, /v1/completions `suffix`). */
  fim: boolean;
  embeddings: boolean;
  /** Usage arrives inside the stream (on the last chunk or a usage chunk) without a second call. */
  usageInStream: boolean;
}

export interface ModelInfo {
  ref: ModelRef;
  locality: Locality;
  contextWindow?: number;
  sizeBytes?: number;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  /** Ollama's capability words: completion, insert, thinking, tools, vision, embedding. */
  capabilities?: string[];
}

export interface ProviderRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  stop?: string[];
  /** Ask for reasoning ("deep thinking") where the model supports it. */
  thinking?: boolean;
  /** Ask for per-token log-probabilities (used by escalation). */
  logprobs?: boolean;
  /** Fill-in-the-middle: when set, `messages` is ignored and the provider completes between prefix and suffix. */
  fim?: { prefix: string; suffix: string };
  /** Ollama keep_alive, passed through (duration string or seconds). */
  keepAlive?: string | number;
  signal: AbortSignal;
}

/** What a provider yields. Failures before or during the stream are thrown as SwitchyardError. */
export type ProviderEvent =
  | { type: 'thinking'; text: string }
  | { type: 'text'; text: string; logprobs?: TokenLogprob[] }
  | { type: 'usage'; usage: Usage }
  | {
      type: 'finish';
      reason: FinishReason;
      /** Server-side durations where the provider reports them (Ollama: eval_duration etc.), in ms. */
      serverTiming?: { totalMs?: number; loadMs?: number; promptEvalMs?: number; evalMs?: number };
      /** The answer's x-ratelimit-* / retry-after headers, for the reliability guard to learn the quota from. */
      rateLimit?: Readonly<Record<string, string>>;
    };

export interface Provider {
  /** The configured id, e.g. "ollama", "groq", "dashscope", "zhipu", "gemini", "npu". */
  readonly id: string;
  readonly kind: ProviderKind;
  readonly locality: Locality;
  readonly capabilities: ProviderCapabilities;
  /**
   * Streams one answer. On abort it stops reading promptly, closes the socket, yields
   * `{type:'finish', reason:'cancelled'}` and returns; it never yields after that.
   */
  stream(req: ProviderRequest): AsyncIterable<ProviderEvent>;
  /** Models the endpoint has (installed for local ones, configured or listed for cloud ones). */
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  /** A free request that proves the endpoint answers (health checks); without it listModels is the probe. */
  probe?(signal?: AbortSignal): Promise<unknown>;
}

// ---------------------------------------------------------------------------------------------
// Routing

export interface RouteRequest {
  messages: ChatMessage[];
  /** Names the request in the router's log lines (eventLog.ts); a surface passes its own to tie them to its lines. */
  requestId?: string;
  /** Set when the caller knows it (a command does); otherwise the router classifies the prompt. */
  task?: Task;
  /** The editor's language id, a hint for classification and for code checks. */
  languageId?: string;
  /** Overrides the configured mode for this request. */
  mode?: Mode;
  /** For mode "pinned", or a "Retry with…" choice: "provider" or "provider/model". */
  pinned?: string;
  maxTokens?: number;
  temperature?: number;
  thinking?: boolean;
  fim?: { prefix: string; suffix: string };
  /** Identifies the budget this request spends from. */
  workspaceId: string;
  /** Skip local candidates and start at the first cloud one (the user pressed "Escalate"). */
  escalateFrom?: { answer: string; reason: string };
  signal: AbortSignal;
}

export interface Candidate {
  ref: ModelRef;
  locality: Locality;
  /** Why this candidate is in the list, and at this place: English, rendered from `reasons`, for logs. */
  why: string[];
  /** The same reasons as data, for surfaces that word them in their own language. */
  reasons?: CandidateReason[];
  /** Tokens (prompt + answer) the model holds, when selection knew it (see router/contextWindows.ts). */
  contextWindow?: number;
}

export interface RoutingDecision {
  task: Task;
  /** Why this task: "math: contains an equation", or "given by the command". */
  taskReason: string;
  /** The same reason as data (absent when the caller gave the task). */
  taskReasonData?: TaskReason;
  mode: Mode;
  candidates: Candidate[];
  /** Models left out and why ("groq: no API key", "ollama/llama3.2: not installed"), what would bring one back, and `reason` when it has numbers. */
  excluded: Excluded[];
  /** The prompt's estimated size (src/core/tokenEstimate.ts), when selection checked context windows. */
  promptTokens?: number;
  /** Set when Local only is binding and something asked for more: why it still is Local only. */
  localOnly?: LocalOnlyReason[];
}

/** A model left out: `why` in English (rendered from `because`, for logs), `because` as data for surfaces, `fix` what would bring it back. */
export interface Excluded {
  ref: string;
  why: string;
  because?: ExcludedReason;
  fix?: Fix;
  reason?: ExclusionReason;
}

/**
 * Why Local only holds whatever a workspace or a request asks: typed, so each caller (panel,
 * CLI, log) words it in its own language. A workspace may make routing more private, never less.
 */
export type LocalOnlyReason =
  /** The user's own settings say Local only; `setting` (the workspace's value, or the request) asked for `asked`. */
  | { code: 'user_local_only_wins'; setting: 'mode' | 'pinned' | 'request'; asked?: string }
  /** The folder is not trusted (VS Code Workspace Trust): Switchyard runs Local only with the user's settings. */
  | { code: 'untrusted_workspace' };

/** A Local only that the request cannot lift (SwitchyardDeps.localOnly). */
export interface BindingLocalOnly {
  /** What makes it binding: the user's own mode setting, or an untrusted folder. */
  because: 'user_setting' | 'untrusted_workspace';
  /** What the settings tried and was overruled, shown with every decision. */
  reasons: LocalOnlyReason[];
}

/** Measured by the router for each attempt. */
export interface Timing {
  startedAt: number;
  /** Time to first token (text or thinking), ms. */
  ttftMs?: number;
  totalMs: number;
  /** Output tokens per second over the generation phase. */
  tokensPerSecond?: number;
}

export interface CostBreakdown {
  currency: 'USD';
  inputUsd: number;
  outputUsd: number;
  totalUsd: number;
  /** True when tokens were estimated (the provider reported no usage) or the model has no known price. */
  estimated: boolean;
  /** Where the price came from: "table 2026-11", "settings override", "provider-reported", "local". */
  priceSource: string;
}

/** The one event type every caller (panel, CLI, HTTP, completion) consumes. */
export type StreamEvent =
  | { type: 'decision'; decision: RoutingDecision }
  | { type: 'start'; attempt: number; ref: ModelRef; locality: Locality; why: string[]; reasons?: CandidateReason[] }
  | { type: 'thinking'; attempt: number; text: string }
  | { type: 'text'; attempt: number; text: string; logprobs?: TokenLogprob[] }
  | { type: 'usage'; attempt: number; usage: Usage }
  | { type: 'cost'; attempt: number; cost: CostBreakdown }
  /** e.g. "max_tokens lowered from 4096 to 812 so that groq/… fits the budget"; `reason` when a surface can word it itself. */
  | { type: 'notice'; attempt: number; message: string; reason?: NoticeReason }
  | { type: 'failover'; from: ModelRef; to: ModelRef; error: NormalizedError }
  | { type: 'escalate'; from: ModelRef; to: ModelRef; reasons: SignalResult[] }
  | { type: 'finish'; attempt: number; reason: FinishReason; timing: Timing }
  | { type: 'error'; error: NormalizedError }
  /** Always the last event. */
  | { type: 'done'; attempts: number; finalRef?: ModelRef };

// ---------------------------------------------------------------------------------------------
// Hooks: budgets (cost module) and escalation (escalation module) plug into the router here.

export interface SpendRequest {
  workspaceId: string;
  task: Task;
  ref: ModelRef;
  locality: Locality;
  inputTokensEstimate: number;
  maxTokens: number;
  escalatedFrom?: ModelRef;
  /** Shared by every attempt of one RouteRequest, so the ledger links retries and escalations. */
  requestId?: string;
  /** Thinking was requested: some vendors (Qwen) bill thinking-mode output at a higher rate. */
  thinking?: boolean;
}

export interface Reservation {
  id: string;
  /** May be lower than asked, so that the worst case fits the budget. */
  maxTokens: number;
  /** Said to the user when the reservation changed the request (English, rendered from `noticeReason`). */
  notice?: string;
  noticeReason?: NoticeReason;
  /**
   * Told of every event the provider streams (text, thinking, usage, finish), before `settle`:
   * the cost module records progress in the ledger from it, so that a process killed mid-stream
   * is settled from what it had received rather than at its worst case. Must be cheap and never throw.
   */
  observe?(event: ProviderEvent): void;
  /** Settles with real usage; called exactly once, also on cancel and failure. */
  settle(outcome: {
    usage?: Usage;
    finish: FinishReason;
    latencyMs: number;
    /** Everything the model produced (thinking + answer); estimated into tokens when `usage` is missing. */
    outputText?: string;
  }): Promise<CostBreakdown>;
}

export interface SpendGuard {
  /** Throws SwitchyardError{kind:'budget'} with spent/limit in the message when the call cannot fit. */
  reserve(req: SpendRequest): Promise<Reservation>;
}

export interface SignalResult {
  /** "logprobs", "marker", "code_parse", "math_final", "truncated", "empty", "refusal", "user". */
  signal: string;
  fired: boolean;
  /** "12% of tokens below p=0.30 (limit 8%)": English, rendered from `reason`, for logs and calibration. */
  explanation: string;
  /** The same verdict as data, for surfaces that word it in their language. */
  reason?: SignalReason;
}

export interface AnswerWatcher {
  /** Called per delta; returning results that fired stops the local stream at once. */
  onText(text: string, logprobs?: TokenLogprob[]): SignalResult[] | undefined;
  /** Called when the attempt ends; returns every signal's verdict. */
  onFinish(finalText: string, reason: FinishReason): SignalResult[];
}

export interface EscalationHook {
  /** Text appended to the local model's system prompt (the UNCERTAIN-marker instruction), if any. */
  systemPromptFor(task: Task, locality: Locality): string | undefined;
  watch(task: Task, ref: ModelRef, locality: Locality, languageId?: string): AnswerWatcher;
  /**
   * Policy "ask": resolves true when the user agrees to escalate. "auto" resolves true, "off" false.
   * `context` (optional) lets the hook apply the per-request cost ceiling and Local-only mode.
   */
  confirm(reasons: SignalResult[], next: Candidate, context?: EscalationContext): Promise<boolean>;
}

/** What the router knows about the request when it asks to escalate; every field is optional. */
export interface EscalationContext {
  workspaceId?: string;
  /** Prompt tokens of the request as the next candidate will see it (for the worst-case cost). */
  inputTokensEstimate?: number;
  /** The output-token cap the next attempt would run with. */
  maxTokens?: number;
  mode?: Mode;
}

/** Where API keys come from: SecretStorage in VS Code, environment variables in the CLI. */
export interface KeyStore {
  /**
   * The key stored for this provider *and this endpoint origin*. A key is only returned for the
   * origin it was stored for, so a changed base URL can never receive it.
   */
  getKey(providerId: string, endpointOrigin: string): Promise<string | undefined>;
}

/**
 * The local sidecar as the router sees it (implemented by LocalSidecar in src/core/local/): the
 * router asks before using a local provider and skips it when it is down, so a stopped Ollama
 * costs no timeout. Optional everywhere: without it every local provider counts as available.
 */
export interface LocalAvailability {
  /**
   * Starts Ollama on first need (when installed and managed) or probes a local endpoint; answers
   * from cache otherwise. Non-local provider ids answer `{available: true}`.
   */
  ensureAvailable(providerId: string): Promise<LocalAvailabilityResult>;
  /** keep_alive for a local model from the residency plan (0 for a model that must make room again). */
  keepAliveFor?(model: string): string | number;
}

export interface LocalAvailabilityResult {
  available: boolean;
  reason?: string;
  /** Why it is not available, as data: Ollama not installed (`missing`) or not answering (`down`). */
  state?: 'missing' | 'down';
  /** Where to get it, when `missing`. */
  installUrl?: string;
}

/** Structured log sink; the VS Code adapter writes to the output channel, the CLI to stderr. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

// ---------------------------------------------------------------------------------------------
// The assembled core, as built by createSwitchyard() in src/core/switchyard.ts and used by the
// VS Code adapters, the CLI and the completion provider.

export interface Switchyard {
  /** Plans, calls, fails over and escalates; always ends with a `done` event. Never throws. */
  stream(req: RouteRequest): AsyncIterable<StreamEvent>;
  /** The routing decision alone, without calling any model (for `--dry-run` and the switcher UI). */
  plan(req: Omit<RouteRequest, 'signal'> & { signal?: AbortSignal }): Promise<RoutingDecision>;
  /** Every model of every enabled provider, with locality (installed models for local providers). */
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  provider(id: string): Provider | undefined;
  dispose(): void;
}

/**
 * The panel protocol: every message between the extension host and the webview, as zod
 * schemas in ONE module imported by both sides. A message that does not match fails at the
 * edge (and is logged) instead of half-working. Nothing here may carry an API key: the webview
 * only ever sees answers, metadata and localized strings.
 */
import type { z } from 'zod/v3';

/** Bounds so that a confused or hostile peer cannot make the other side allocate without limit. */
const MAX_PROMPT_CHARS = 200_000;
const MAX_CODE_CHARS = 1_000_000;
/** One delta message; a longer batch is sent as several (chatSession.ts). */
export const MAX_DELTA_CHARS = 1_000_000;
/**
 * The largest answer text a message or the saved conversation may carry: the top of the
 * switchyard.panel.maxAnswerMB setting (20 MB). The answer itself is cut at the setting's value.
 */
export const MAX_ANSWER_CHARS = 20_000_000;
/** A link target: the longest URL browsers commonly accept in their address bar. */
const MAX_URL_CHARS = 4096;
const MAX_ID_CHARS = 64;
/** A setting's full name ("switchyard.providers.<id>.baseUrl"); far longer than any real one. */
const MAX_SETTING_CHARS = 256;

/** An error's cause lines, their buttons and its Details list: far more than any real decision has. */
const MAX_ERROR_LINES = 16;
const MAX_ERROR_ACTIONS = 8;
const MAX_ERROR_DETAILS = 200;
const MAX_ERROR_LINE_CHARS = 2_000;

/** zod's namespace: the only value this module needs from the package. */
type Zod = typeof z;

/** The conversation's data: a turn, its answers, errors with their fixing buttons, the budget. */
function turnSchemas(z: Zod) {
  const id = z.string().min(1).max(MAX_ID_CHARS);

  /** What the panel shows under an answer. All optional: filled in as events arrive. */
  const answerMeta = z.object({
    task: z.string().optional(),
    taskReason: z.string().optional(),
    mode: z.string().optional(),
    /** Why this model: the router's reasons, and for an escalated answer why the previous one was not enough. */
    why: z.array(z.string()).default([]),
    escalationReason: z.string().optional(),
    /** Set on a local answer that was escalated or failed over: why a stronger/other model was asked. */
    supersededBecause: z.string().optional(),
    inputTokens: z.number().nonnegative().optional(),
    outputTokens: z.number().nonnegative().optional(),
    tokensEstimated: z.boolean().optional(),
    ttftMs: z.number().nonnegative().optional(),
    totalMs: z.number().nonnegative().optional(),
    tokensPerSecond: z.number().nonnegative().optional(),
    costTotal: z.number().nonnegative().optional(),
    costEstimated: z.boolean().optional(),
    currency: z.string().optional(),
    priceSource: z.string().optional(),
    notices: z.array(z.string()).default([]),
    /** The answer was cut at this many characters (switchyard.panel.maxAnswerMB); the panel says so. */
    truncatedAt: z.number().int().positive().optional(),
  });

  const answerStatus = z.enum(['streaming', 'done', 'cancelled', 'error', 'escalated', 'failed_over']);

  const answer = z.object({
    id,
    provider: z.string(),
    model: z.string(),
    locality: z.enum(['local', 'cloud']),
    text: z.string().max(MAX_ANSWER_CHARS),
    thinking: z.string().max(MAX_ANSWER_CHARS).default(''),
    status: answerStatus,
    meta: answerMeta,
  });

  /** An answer in an `answer` message: text and thinking left out once the deltas brought some (turnProtocol.ts). */
  const answerUpdate = answer.extend({ text: z.string().max(MAX_ANSWER_CHARS).optional(), thinking: z.string().max(MAX_ANSWER_CHARS).optional() });

  /**
   * Commands the webview may ask the host to run (fix buttons, toolbar). An allow-list, not a
   * free string: a compromised webview cannot run arbitrary VS Code commands.
   */
  const panelCommand = z.enum([
    'switchyard.setApiKey',
    'switchyard.switchMode',
    'switchyard.setBudget',
    'switchyard.showUsage',
    'switchyard.showLog',
    'switchyard.openSettings',
    'switchyard.startOllama',
    'switchyard.newConversation',
    'switchyard.retryLast',
    'switchyard.installOllama',
    'switchyard.manageLocalModels',
    'switchyard.tryDemo',
  ]);

  /**
   * The setting "Open Setting" opens the Settings UI at ("switchyard.budget.dailyLimit"): only
   * with switchyard.openSettings, and only one of ours.
   */
  const settingKey = z.string().max(MAX_SETTING_CHARS).regex(/^switchyard(\.\S+)?$/);

  /** A fixing action offered with an error: runs one of the allow-listed commands below. */
  const fixAction = z.object({ label: z.string(), command: panelCommand, setting: settingKey.optional() });

  /** One cause of a failure in one sentence ("Ollama is not installed") with the buttons that fix it. */
  const errorLine = z.object({ text: z.string().max(MAX_ERROR_LINE_CHARS), actions: z.array(fixAction).max(MAX_ERROR_ACTIONS).default([]) });

  const turnError = z.object({
    kind: z.string(),
    /** The whole state in prose (saved conversations, logs, and errors without `lines`). */
    message: z.string(),
    actions: z.array(fixAction).default([]),
    /** When set, the panel shows these lines (one per cause) instead of `message`. */
    lines: z.array(errorLine).max(MAX_ERROR_LINES).optional(),
    /** What was left out and why, one entry per model: behind a collapsed "Details". */
    details: z.array(z.string().max(MAX_ERROR_LINE_CHARS)).max(MAX_ERROR_DETAILS).optional(),
  });

  const turn = z.object({
    id,
    prompt: z.string().max(MAX_PROMPT_CHARS),
    /** Short label for what the prompt was built from ("Explain · main.ts:10-24"). */
    label: z.string().optional(),
    createdAt: z.number(),
    answers: z.array(answer),
    error: turnError.optional(),
    done: z.boolean(),
  });

  const budgetView = z.object({
    currency: z.string(),
    today: z.number().nonnegative(),
    month: z.number().nonnegative(),
    dailyLimit: z.number().nonnegative().optional(),
    monthlyLimit: z.number().nonnegative().optional(),
  });

  return { id, answerMeta, answerStatus, answer, answerUpdate, panelCommand, settingKey, fixAction, turnError, turn, budgetView };
}

/** The messages both ways, over the conversation's data. */
function messageUnions(z: Zod, t: ReturnType<typeof turnSchemas>) {
  const { id, answerUpdate, panelCommand, settingKey, turnError, turn, budgetView } = t;

  // ---------------------------------------------------------------------------------------------
  // Host → webview

  const toWebview = z.discriminatedUnion('type', [
    z.object({
      type: z.literal('init'),
      /** English source string → localized string, for everything the webview shows. */
      strings: z.record(z.string(), z.string()),
      locale: z.string(),
      turns: z.array(turn),
      budget: budgetView.optional(),
      streaming: z.boolean(),
    }),
    // One run of a turn: turnStart → (answer | delta)* → turnEnd, applied by the reducer in
    // src/shared/turnProtocol.ts on both sides (the sequence is documented there).
    z.object({ type: z.literal('turnStart'), turn: turn.pick({ id: true, prompt: true, label: true, createdAt: true }) }),
    /** An answer started or its status/metadata changed; text and thinking are left out once it has some. */
    z.object({ type: z.literal('answer'), turnId: id, answer: answerUpdate }),
    /** Appended text; batched by the host, rendered by the webview at most once per frame. */
    z.object({
      type: z.literal('delta'),
      turnId: id,
      answerId: id,
      text: z.string().max(MAX_DELTA_CHARS).default(''),
      thinking: z.string().max(MAX_DELTA_CHARS).default(''),
    }),
    /** The run is over: the turn's error, if any (answers are never re-sent). */
    z.object({ type: z.literal('turnEnd'), turnId: id, error: turnError.optional() }),
    z.object({ type: z.literal('budget'), budget: budgetView.optional() }),
    z.object({ type: z.literal('streaming'), streaming: z.boolean() }),
    z.object({ type: z.literal('cleared') }),
    /** Puts a prompt into the input box (Ask about Selection when the user still has to type). */
    z.object({ type: z.literal('focusInput'), prefill: z.string().max(MAX_PROMPT_CHARS).optional() }),
  ]);

  // ---------------------------------------------------------------------------------------------
  // Webview → host

  const fromWebview = z.discriminatedUnion('type', [
    z.object({ type: z.literal('ready') }),
    z.object({ type: z.literal('ask'), prompt: z.string().trim().min(1).max(MAX_PROMPT_CHARS) }),
    z.object({ type: z.literal('stop') }),
    z.object({ type: z.literal('retryWith'), turnId: id }),
    z.object({ type: z.literal('escalate'), turnId: id }),
    z.object({ type: z.literal('copy'), code: z.string().max(MAX_CODE_CHARS) }),
    z.object({ type: z.literal('insert'), code: z.string().max(MAX_CODE_CHARS) }),
    z.object({ type: z.literal('newFile'), code: z.string().max(MAX_CODE_CHARS), language: z.string().max(MAX_ID_CHARS).optional() }),
    /** A click on a link: the host shows the real target and opens it only if the user agrees. */
    z.object({ type: z.literal('openLink'), href: z.string().max(MAX_URL_CHARS) }),
    /** "Open the full answer in an editor" under a truncated answer. */
    z.object({ type: z.literal('openAnswer'), turnId: id, answerId: id }),
    z.object({ type: z.literal('command'), command: panelCommand, setting: settingKey.optional() }),
  ]);

  return { toWebview, fromWebview };
}

function buildSchemas(z: Zod) {
  const data = turnSchemas(z);
  const { answerMeta, answerStatus, answer, answerUpdate, panelCommand, fixAction, turnError, turn, budgetView } = data;
  const { toWebview, fromWebview } = messageUnions(z, data);
  return { answerMeta, answerStatus, answer, answerUpdate, panelCommand, fixAction, turnError, turn, budgetView, toWebview, fromWebview };
}

export type MessageSchemas = ReturnType<typeof buildSchemas>;
let built: MessageSchemas | undefined;

/**
 * The schemas, built on first use: both sides validate only once messages flow, and compiling
 * zod plus building these schemas was ~20 ms of the extension's activation (issue 3: < 50 ms).
 */
export function messageSchemas(): MessageSchemas {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (built ??= buildSchemas((require('zod/v3') as typeof import('zod/v3')).z));
}

export type AnswerMeta = z.infer<MessageSchemas['answerMeta']>;
export type AnswerStatus = z.infer<MessageSchemas['answerStatus']>;
export type Answer = z.infer<MessageSchemas['answer']>;
export type AnswerUpdate = z.infer<MessageSchemas['answerUpdate']>;
export type PanelCommand = z.infer<MessageSchemas['panelCommand']>;
export type FixAction = z.infer<MessageSchemas['fixAction']>;
export type TurnError = z.infer<MessageSchemas['turnError']>;
export type Turn = z.infer<MessageSchemas['turn']>;
export type BudgetView = z.infer<MessageSchemas['budgetView']>;
export type ToWebview = z.infer<MessageSchemas['toWebview']>;
export type FromWebview = z.infer<MessageSchemas['fromWebview']>;

/** Every string the webview shows, in English; the host sends their translations in `init`. */
export const WEBVIEW_STRINGS = [
  'Ask Switchyard… (Enter to send, Shift+Enter for a new line)',
  'Message',
  'Send',
  'Stop',
  'New conversation',
  'Conversation',
  'Thinking',
  'Copy',
  'Copied',
  'Insert at cursor',
  'New file',
  'Retry with…',
  'Escalate',
  'Local',
  'Cloud',
  'Task',
  'Mode',
  'Why',
  'Tokens',
  'estimated',
  'measured',
  'First token',
  'Speed',
  'Cost',
  'free (local)',
  'Escalated because',
  'Local answer (kept for reference)',
  'Earlier answer (kept for reference)',
  'Stopped',
  'Failed over',
  'Today',
  'This month',
  'No cap',
  'Budget',
  'Budget reached',
  'Details',
  'Ask about your code, math or anything else. Local models answer first; the cloud is used only when needed and within your budget.',
  'Answer',
  'Code block',
  'You',
  'Contains {0} invisible or text-direction characters (shown marked; Copy leaves them out)',
  'Look-alike letters: the real address is in punycode',
  'The link text names another site than the target',
  'Long block: shown as plain text',
  'Truncated at {0} MB',
  'Open the full answer in an editor',
  'Opens',
] as const;
export type WebviewString = (typeof WEBVIEW_STRINGS)[number];

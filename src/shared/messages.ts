/**
 * The panel protocol: every message between the extension host and the webview, as zod
 * schemas in ONE module imported by both sides. A message that does not match fails at the
 * edge (and is logged) instead of half-working. Nothing here may carry an API key: the webview
 * only ever sees answers, metadata and localized strings.
 */
import { z } from 'zod/v3';

/** Bounds so that a confused or hostile peer cannot make the other side allocate without limit. */
const MAX_PROMPT_CHARS = 200_000;
const MAX_CODE_CHARS = 1_000_000;
const MAX_DELTA_CHARS = 1_000_000;
const MAX_ID_CHARS = 64;

const id = z.string().min(1).max(MAX_ID_CHARS);

/** What the panel shows under an answer. All optional: filled in as events arrive. */
export const answerMetaSchema = z.object({
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
});
export type AnswerMeta = z.infer<typeof answerMetaSchema>;

export const answerStatusSchema = z.enum(['streaming', 'done', 'cancelled', 'error', 'escalated', 'failed_over']);
export type AnswerStatus = z.infer<typeof answerStatusSchema>;

export const answerSchema = z.object({
  id,
  provider: z.string(),
  model: z.string(),
  locality: z.enum(['local', 'cloud']),
  text: z.string().max(MAX_DELTA_CHARS),
  thinking: z.string().max(MAX_DELTA_CHARS).default(''),
  status: answerStatusSchema,
  meta: answerMetaSchema,
});
export type Answer = z.infer<typeof answerSchema>;

/**
 * Commands the webview may ask the host to run (fix buttons, toolbar). An allow-list, not a
 * free string: a compromised webview cannot run arbitrary VS Code commands.
 */
export const panelCommandSchema = z.enum([
  'switchyard.setApiKey',
  'switchyard.switchMode',
  'switchyard.setBudget',
  'switchyard.showUsage',
  'switchyard.showLog',
  'switchyard.openSettings',
  'switchyard.startOllama',
  'switchyard.newConversation',
  'switchyard.retryLast',
]);
export type PanelCommand = z.infer<typeof panelCommandSchema>;

/** A fixing action offered with an error: runs one of the allow-listed commands below. */
export const fixActionSchema = z.object({ label: z.string(), command: panelCommandSchema });
export type FixAction = z.infer<typeof fixActionSchema>;

export const turnErrorSchema = z.object({
  kind: z.string(),
  message: z.string(),
  actions: z.array(fixActionSchema).default([]),
});
export type TurnError = z.infer<typeof turnErrorSchema>;

export const turnSchema = z.object({
  id,
  prompt: z.string().max(MAX_PROMPT_CHARS),
  /** Short label for what the prompt was built from ("Explain · main.ts:10-24"). */
  label: z.string().optional(),
  createdAt: z.number(),
  answers: z.array(answerSchema),
  error: turnErrorSchema.optional(),
  done: z.boolean(),
});
export type Turn = z.infer<typeof turnSchema>;

export const budgetViewSchema = z.object({
  currency: z.string(),
  today: z.number().nonnegative(),
  month: z.number().nonnegative(),
  dailyLimit: z.number().nonnegative().optional(),
  monthlyLimit: z.number().nonnegative().optional(),
});
export type BudgetView = z.infer<typeof budgetViewSchema>;


// ---------------------------------------------------------------------------------------------
// Host → webview

export const toWebviewSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    /** English source string → localized string, for everything the webview shows. */
    strings: z.record(z.string(), z.string()),
    locale: z.string(),
    turns: z.array(turnSchema),
    budget: budgetViewSchema.optional(),
    streaming: z.boolean(),
  }),
  z.object({ type: z.literal('turn'), turn: turnSchema }),
  z.object({ type: z.literal('answer'), turnId: id, answer: answerSchema }),
  /** Appended text; batched by the host, rendered by the webview at most once per frame. */
  z.object({
    type: z.literal('delta'),
    turnId: id,
    answerId: id,
    text: z.string().max(MAX_DELTA_CHARS).default(''),
    thinking: z.string().max(MAX_DELTA_CHARS).default(''),
  }),
  z.object({ type: z.literal('budget'), budget: budgetViewSchema.optional() }),
  z.object({ type: z.literal('streaming'), streaming: z.boolean() }),
  z.object({ type: z.literal('cleared') }),
  /** Puts a prompt into the input box (Ask about Selection when the user still has to type). */
  z.object({ type: z.literal('focusInput'), prefill: z.string().max(MAX_PROMPT_CHARS).optional() }),
]);
export type ToWebview = z.infer<typeof toWebviewSchema>;

// ---------------------------------------------------------------------------------------------
// Webview → host

export const fromWebviewSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('ask'), prompt: z.string().trim().min(1).max(MAX_PROMPT_CHARS) }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('retryWith'), turnId: id }),
  z.object({ type: z.literal('escalate'), turnId: id }),
  z.object({ type: z.literal('copy'), code: z.string().max(MAX_CODE_CHARS) }),
  z.object({ type: z.literal('insert'), code: z.string().max(MAX_CODE_CHARS) }),
  z.object({ type: z.literal('newFile'), code: z.string().max(MAX_CODE_CHARS), language: z.string().max(MAX_ID_CHARS).optional() }),
  z.object({ type: z.literal('openLink'), href: z.string().max(4096) }),
  z.object({ type: z.literal('command'), command: panelCommandSchema }),
]);
export type FromWebview = z.infer<typeof fromWebviewSchema>;

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
  'Ask about your code, math or anything else. Local models answer first; the cloud is used only when needed and within your budget.',
  'Answer',
  'Code block',
  'You',
] as const;
export type WebviewString = (typeof WEBVIEW_STRINGS)[number];

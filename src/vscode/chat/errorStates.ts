/**
 * The panel's "clear states": each failure says what happened and offers the button that fixes
 * it (set a key, start Ollama, raise the budget, switch mode, retry when back online).
 * Pure: the caller passes its translate function, so tests run without VS Code.
 */
import type { NormalizedError, PromptTooLarge, RoutingDecision } from '../../core/types';
import type { FixAction, TurnError } from '../../shared/messages';
import { type Cause, groupCauses } from './errorCauses';
import { localOnlyText, reasonText } from './reasonText';

export type Translate = (message: string, ...args: (string | number)[]) => string;

/** Provider ids that mean "the local Ollama" for the Start Ollama button. */
const OLLAMA_PROVIDER = 'ollama';

export function describeError(error: NormalizedError, decision: RoutingDecision | undefined, t: Translate): TurnError {
  const who = error.provider ? (error.model ? `${error.provider}/${error.model}` : error.provider) : undefined;
  const actions: FixAction[] = [];
  const switchMode: FixAction = { label: t('Switch Mode or Provider'), command: 'switchyard.switchMode' };
  const retry: FixAction = { label: t('Retry'), command: 'switchyard.retryLast' };
  const showLog: FixAction = { label: t('Show Log'), command: 'switchyard.showLog' };
  let message: string;

  // Checked before anything was sent: said from its numbers, in the UI language.
  if (error.reason?.code === 'prompt_too_large') return promptTooLarge(error.reason, t);

  if (decision && decision.candidates.length === 0 && error.kind !== 'budget' && error.kind !== 'local_only' && error.kind !== 'config_invalid') {
    return noCandidate(decision, error, t);
  }

  switch (error.kind) {
    case 'auth':
      message = t('{0} rejected the API key, or none is stored for its endpoint.', who ?? t('The provider'));
      actions.push({ label: t('Set API Key'), command: 'switchyard.setApiKey' }, switchMode);
      break;
    case 'budget':
      // A refusal with numbers is said from them; the cost module's other refusals (a locked ledger, no price) as it wrote them.
      message = t('Budget reached: {0}', budgetText(error, t));
      actions.push(
        { label: t('Set Budget'), command: 'switchyard.setBudget' },
        { label: t('Show Usage Report'), command: 'switchyard.showUsage' },
        { label: t('Use Local Only'), command: 'switchyard.switchMode' },
      );
      break;
    case 'local_only':
      message = t('This needs a cloud model, but the workspace is in Local only mode.');
      // Said when a workspace or request asked for the cloud and the user's setting (or an untrusted folder) refused it.
      for (const reason of decision?.localOnly ?? []) message += ' ' + localOnlyText(reason, t);
      actions.push(switchMode);
      break;
    case 'config_invalid': {
      // The core refuses every cloud call while a setting that fails closed cannot be read.
      const setting = error.fix?.action === 'fix_setting' && error.fix.setting ? `switchyard.${error.fix.setting}` : 'switchyard';
      message = t(
        'Cloud models are refused in this workspace: the setting {0} cannot be read, and its default could allow more than you meant. Fix it to use cloud models again; local models still answer.',
        setting,
      );
      actions.push({ label: t('Open Setting'), command: 'switchyard.openSettings', setting });
      break;
    }
    case 'network':
    case 'timeout':
      if (error.provider === OLLAMA_PROVIDER) {
        message = t('Ollama is not running or cannot be reached ({0}).', error.message);
        actions.push({ label: t('Start Ollama'), command: 'switchyard.startOllama' }, retry);
      } else {
        message = t('Could not reach {0}. You may be offline: {1}', who ?? t('the provider'), error.message);
        actions.push(retry, { label: t('Use Local Only'), command: 'switchyard.switchMode' });
      }
      break;
    case 'quota':
    case 'rate_limit':
      message = t('{0} is out of quota for now: {1}', who ?? t('The provider'), error.message);
      actions.push(switchMode, retry);
      break;
    case 'model_not_found':
      message = t('{0} does not have this model: {1}', who ?? t('The provider'), error.message);
      actions.push(switchMode, { label: t('Open Settings'), command: 'switchyard.openSettings' });
      break;
    case 'cancelled':
      message = t('Stopped.');
      break;
    default:
      // A skip by the provider guard already names the model it is about.
      message = who && !error.message.startsWith(`${who}:`) ? `${who}: ${error.message}` : error.message;
      actions.push(retry, showLog);
  }
  return { kind: error.kind, message, actions };
}

/** What the budget refused, in the user's language when the refusal has its numbers (src/core/cost/refusal.ts). */
export function budgetText(error: Pick<NormalizedError, 'message' | 'reason'>, t: Translate): string {
  return error.reason?.code === 'budget_refused' ? reasonText(error.reason, t) : error.message;
}

/** No model's context window holds the prompt plus the answer (src/core/router/contextFit.ts). */
function promptTooLarge(r: PromptTooLarge, t: Translate): TurnError {
  const n = (x: number) => x.toLocaleString('en-US');
  return {
    kind: 'prompt_too_large',
    message: t(
      'The prompt is about {0} tokens, plus {1} for the answer: more than the largest context window available ({2}, {3} tokens). Nothing was sent. Shorten the prompt or attach less, or add a model with a larger window.',
      n(r.promptTokens),
      n(r.answerTokens),
      r.model,
      n(r.largestWindow),
    ),
    actions: [
      // The earlier turns of the conversation are part of the prompt: a fresh one is the quickest fix.
      { label: t('New Conversation'), command: 'switchyard.newConversation' },
      { label: t('Switch Mode or Provider'), command: 'switchyard.switchMode' },
      { label: t('Open Settings'), command: 'switchyard.openSettings' },
    ],
  };
}

/** The demo mode's command (issue 16): offered whenever nothing real can answer yet. */
export const TRY_DEMO_COMMAND = 'switchyard.tryDemo';

type ErrorLine = NonNullable<TurnError['lines']>[number];

/** How a provider id is said in a cause line: Ollama by its name, others by their id. */
const displayName = (provider: string) => (provider === OLLAMA_PROVIDER ? 'Ollama' : provider);

/** One line per cause, each with the one button that fixes it. */
function causeLines(cause: Cause, t: Translate): ErrorLine[] {
  switch (cause.cause) {
    case 'ollama_missing':
      return [{ text: t('Ollama is not installed.'), actions: [{ label: t('Install Ollama'), command: 'switchyard.installOllama' }] }];
    case 'local_stopped': {
      const lines: ErrorLine[] = [];
      // Start Ollama only where it can work: Ollama is installed and stopped. Another local server is the user's to start.
      if (cause.providers.includes(OLLAMA_PROVIDER)) {
        lines.push({ text: t('Ollama is installed but not running.'), actions: [{ label: t('Start Ollama'), command: 'switchyard.startOllama' }] });
      }
      const others = cause.providers.filter((p) => p !== OLLAMA_PROVIDER);
      if (others.length > 0) {
        lines.push({ text: t('Not answering: {0}. Start the server, or check its address in the settings.', others.join(', ')), actions: [{ label: t('Open Settings'), command: 'switchyard.openSettings' }] });
      }
      return lines;
    }
    case 'no_local_model': {
      const who = cause.providers.map(displayName).join(', ');
      const text = cause.models.length > 0
        ? t('{0} is running but has none of the models for this task ({1}).', who, cause.models.join(', '))
        : t('{0} is running but has no chat model installed.', who);
      return [{ text, actions: [{ label: t('Pull a Model'), command: 'switchyard.manageLocalModels' }] }];
    }
    case 'no_key':
      return [{ text: t('No API key for {0}.', cause.providers.join(', ')), actions: [{ label: t('Set API Key'), command: 'switchyard.setApiKey' }] }];
    case 'budget':
      return [{ text: t('Budget reached: {0}', budgetText(cause, t)), actions: [{ label: t('Set Budget'), command: 'switchyard.setBudget' }] }];
  }
}

/**
 * No model could take the request. Each cause the router's exclusions carry (Ollama missing or
 * stopped, no model pulled, cloud keys missing) is one line with its button; every left-out
 * model with its reason goes to Details. Try the Demo is offered in any case: it works with nothing set up.
 */
function noCandidate(decision: RoutingDecision, error: NormalizedError, t: Translate): TurnError {
  const lines = groupCauses(decision.excluded, error).flatMap((c) => causeLines(c, t));
  if (lines.length === 0) {
    lines.push({
      text: t('No model is available for this request. Install a local model with Ollama, or add an API key for a cloud provider.'),
      actions: [
        { label: t('Pull a Model'), command: 'switchyard.manageLocalModels' },
        { label: t('Set API Key'), command: 'switchyard.setApiKey' },
      ],
    });
  }
  const message = [t('No model could take this request.'), ...lines.map((l) => l.text)].join(' ');
  const actions: FixAction[] = [
    { label: t('Try the Demo'), command: TRY_DEMO_COMMAND },
    { label: t('Open Settings'), command: 'switchyard.openSettings' },
  ];
  const details = decision.excluded.map((e) => `${e.ref} — ${e.because ? reasonText(e.because, t) : e.why}`);
  return { kind: 'no_provider', message, actions, lines, details };
}

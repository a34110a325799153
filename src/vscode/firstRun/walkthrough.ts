/**
 * The Get Started walkthrough (package.json contributes.walkthroughs): opens once on first
 * install and from "Switchyard: Get Started", and ticks each step from live checks through the
 * `onContext:` keys of walkthroughState.ts. Activation only registers two commands and a timer:
 * the checks (Ollama, installed models, keys, settings) run when the walkthrough opens, after
 * start-up has finished, and again whenever what they look at changes.
 */
import * as vscode from 'vscode';
import type { ChatSession } from '../chat/chatSession';
import type { Services } from '../app/services';
import { WALKTHROUGH_KEYS, walkthroughState, type WalkthroughFacts, type WalkthroughStep } from './walkthroughState';

export const GET_STARTED_COMMAND = 'switchyard.getStarted';
export const INSTALL_OLLAMA_COMMAND = 'switchyard.installOllama';
/** `<publisher>.<name>#<walkthrough id>`, as workbench.action.openWalkthrough wants it. */
export const WALKTHROUGH_ID = 'switchyard-dev.switchyard#gettingStarted';
/** Where Ollama comes from (the page binaryLocator.ts names; Switchyard never downloads executables). */
const OLLAMA_DOWNLOAD_URL = 'https://ollama.com/download';
/** globalState: the walkthrough was opened on first install (once per installation, not per window). */
const OPENED_ONCE_KEY = 'switchyard.walkthrough.openedOnce';
/** globalState: a prompt was sent at least once (the last step). */
const PROMPT_SENT_KEY = 'switchyard.walkthrough.promptSent';
/**
 * The first live check runs this long after activation, which itself is onStartupFinished: after
 * the sidecar's own background start (localModelsService.ts, 3 s), so the check finds Ollama up
 * rather than starting it a second time, and never on the activation path (< 50 ms budget).
 */
const FIRST_CHECK_DELAY_MS = 4_000;
/** VS Code's own switch for walkthroughs opening on install; the test workbenches turn it off. */
const OPEN_ON_INSTALL_SETTING = 'workbench.welcomePage.walkthroughs.openOnInstall';
/** Set to 1 by the test harness (test/harness/codeServer.ts): no walkthrough on first install. */
const NO_WALKTHROUGH_ENV = 'SWITCHYARD_NO_WALKTHROUGH';
/** The budget caps any of which, set by the user at any scope, counts as "a budget chosen". */
const BUDGET_SETTINGS = ['dailyLimit', 'monthlyLimit', 'globalDailyLimit', 'globalMonthlyLimit'] as const;

export interface WalkthroughHandle extends vscode.Disposable {
  /** Runs every live check now, sets the context keys and returns them (the extension-host tests read this). */
  refresh(): Promise<Record<WalkthroughStep, boolean>>;
  /** The values last given to setContext (VS Code has no API to read a context key back). */
  readonly current: Readonly<Record<WalkthroughStep, boolean>> | undefined;
}

export function registerWalkthrough(context: vscode.ExtensionContext, services: Services, session: ChatSession): WalkthroughHandle {
  const disposables: vscode.Disposable[] = [];
  let watching = false;
  let pending: Promise<Record<WalkthroughStep, boolean>> | undefined;
  let again = false;
  let current: Record<WalkthroughStep, boolean> | undefined;

  const refresh = (): Promise<Record<WalkthroughStep, boolean>> => {
    watch();
    // One check at a time; a change during a check asks for one more after it.
    if (pending) {
      again = true;
      return pending;
    }
    pending = check(context, services).then(async (state) => {
      for (const [step, done] of Object.entries(state)) await vscode.commands.executeCommand('setContext', WALKTHROUGH_KEYS[step as WalkthroughStep], done);
      current = state;
      return state;
    });
    return pending.finally(() => {
      pending = undefined;
      if (again) {
        again = false;
        void refresh();
      }
    });
  };

  /** Listens to what the checks look at, from the first check on (nothing is subscribed at activation). */
  const watch = () => {
    if (watching) return;
    watching = true;
    const local = services.local();
    disposables.push(
      services.keys.onDidChange(() => void refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('switchyard.budget')) void refresh();
      }),
      local.onDidChangeState(() => void refresh()),
      local.onDidChangeModels(() => void refresh()),
    );
  };

  disposables.push(
    // A prompt sent: remembered for the installation, so the step stays ticked in every window.
    session.onDidChangeStreaming((streaming) => {
      if (!streaming || context.globalState.get(PROMPT_SENT_KEY)) return;
      void context.globalState.update(PROMPT_SENT_KEY, true).then(() => refresh());
    }),
    vscode.commands.registerCommand(GET_STARTED_COMMAND, async () => {
      void refresh();
      await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
    }),
    vscode.commands.registerCommand(INSTALL_OLLAMA_COMMAND, () => vscode.env.openExternal(vscode.Uri.parse(OLLAMA_DOWNLOAD_URL))),
  );

  const timer = setTimeout(() => {
    void refresh().catch((err: unknown) => services.logger.warn('walkthrough.check_failed', { error: String(err) }));
    void openOnFirstInstall(context);
  }, FIRST_CHECK_DELAY_MS);

  return {
    refresh,
    get current() {
      return current;
    },
    dispose() {
      clearTimeout(timer);
      for (const d of disposables) d.dispose();
    },
  };
}

/** Once per installation, unless the user (or a test workbench) turned walkthroughs-on-install off. */
async function openOnFirstInstall(context: vscode.ExtensionContext): Promise<void> {
  if (context.globalState.get(OPENED_ONCE_KEY)) return;
  if (vscode.workspace.getConfiguration().get<boolean>(OPEN_ON_INSTALL_SETTING) === false) return;
  // Test workbenches say so in the environment too: in code-server the extension host did not see
  // the user's false for the workbench's own setting, and the walkthrough took the focus mid-test.
  if (process.env[NO_WALKTHROUGH_ENV] === '1') return;
  await context.globalState.update(OPENED_ONCE_KEY, true);
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
}

/** The live checks. Ollama is asked through the sidecar, which starts it when installed and managed. */
async function check(context: vscode.ExtensionContext, services: Services): Promise<Record<WalkthroughStep, boolean>> {
  const sidecar = services.local().sidecar();
  const ollama = await sidecar.ollama.ensureRunning();
  const usable = ollama.status === 'ready' || ollama.status === 'loading';
  const installed = usable ? await sidecar.installed().catch(() => []) : [];
  const recommended = usable ? await sidecar.recommendations(installed).catch(() => []) : [];
  const budget = vscode.workspace.getConfiguration('switchyard.budget');
  const facts: WalkthroughFacts = {
    ollamaStatus: ollama.status,
    installed: installed.map((m) => m.name),
    recommended: recommended.map((r) => r.model),
    storedKeys: services.keys.list().length,
    budgetSet: BUDGET_SETTINGS.some((k) => {
      const v = budget.inspect(k);
      return v?.globalValue !== undefined || v?.workspaceValue !== undefined || v?.workspaceFolderValue !== undefined;
    }),
    promptSent: context.globalState.get(PROMPT_SENT_KEY) === true,
  };
  return walkthroughState(facts);
}

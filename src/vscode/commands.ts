/**
 * Every palette command. Each passes its task to the router (Explain / Fix / Write Tests → code)
 * and shows the answer in the panel. Commands accept optional arguments (the prompt, a provider
 * id…) so that tests and keybindings can run them without typing into input boxes; each resolves
 * with what it did, for the same reason.
 */
import * as vscode from 'vscode';
import type { Services } from './app/services';
import type { ChatSession } from './chat/chatSession';
import { SwitchyardPanel } from './panel/panel';
import { buildEditorPrompt, firstLine, type EditorAction } from './chat/prompts';
import { switchMode } from './statusBar/switcher';
import { removeApiKey, setApiKey } from './keys/apiKeys';
import { setBudget } from './budget/budgetCommand';
import { showUsageReport } from './budget/usageReport';
import { showProviderStatus } from './reliability/providerStatus';
import { isUsable } from '../core/local/sidecarState';
import { registerDemo } from './firstRun/demo';
import { makeProviderPrimary } from './reliability/makePrimary';

/** What the model is told for "Continue Last Answer". */
const CONTINUE_PROMPT = 'Continue exactly where your last answer stopped. Do not repeat what you already wrote.';

export function registerCommands(context: vscode.ExtensionContext, services: Services, session: ChatSession): vscode.Disposable[] {
  const openPanel = (preserveFocus = false) => SwitchyardPanel.show(context, services, session, preserveFocus);
  const editorCommand = (action: EditorAction) => async (question?: string) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Open a file and select some code first.'));
      return undefined;
    }
    const selection = editor.selection;
    // Without a selection the whole file is used (what "Explain" of a small file means).
    const range = selection.isEmpty ? undefined : selection;
    const code = editor.document.getText(range);
    if (!code.trim()) {
      void vscode.window.showWarningMessage(vscode.l10n.t('There is no code to send: the selection is empty.'));
      return undefined;
    }
    const file = vscode.workspace.asRelativePath(editor.document.uri);
    const where = range ? `${file}:${range.start.line + 1}-${range.end.line + 1}` : file;
    if (action === 'ask' && question === undefined) {
      question = await vscode.window.showInputBox({
        title: vscode.l10n.t('Switchyard: Ask about Selection'),
        prompt: vscode.l10n.t('What do you want to know about {0}?', where),
        ignoreFocusOut: true,
      });
      if (!question?.trim()) return undefined;
    }
    const built = buildEditorPrompt(action, { code, languageId: editor.document.languageId, where, displayLanguage: vscode.env.language }, question);
    openPanel(true);
    return session.ask({ prompt: built.prompt, label: built.label, task: built.task, languageId: editor.document.languageId });
  };

  const register = (id: string, handler: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: never[]) => {
      try {
        return await handler(...args);
      } catch (err) {
        services.logger.error('command.failed', { command: id, error: err instanceof Error ? err.message : String(err) });
        void vscode.window.showErrorMessage(vscode.l10n.t('Switchyard: {0}', err instanceof Error ? err.message : String(err)));
        return undefined;
      }
    });

  return [
    ...registerDemo(context, services, session, openPanel),
    register('switchyard.openPanel', () => openPanel()),
    register('switchyard.ask', async (prompt?: string) => {
      const text =
        typeof prompt === 'string'
          ? prompt
          : await vscode.window.showInputBox({
              title: vscode.l10n.t('Switchyard: Ask'),
              prompt: vscode.l10n.t('Ask about code, math or anything else'),
              ignoreFocusOut: true,
            });
      if (!text?.trim()) return undefined;
      openPanel(true);
      return session.ask({ prompt: text, label: firstLine(text) });
    }),
    register('switchyard.askSelection', editorCommand('ask')),
    register('switchyard.explain', editorCommand('explain')),
    register('switchyard.fix', editorCommand('fix')),
    register('switchyard.writeTests', editorCommand('writeTests')),
    register('switchyard.continueLast', async () => {
      if (!session.store.last()) {
        void vscode.window.showInformationMessage(vscode.l10n.t('There is no answer to continue yet.'));
        return undefined;
      }
      openPanel(true);
      return session.ask({ prompt: CONTINUE_PROMPT, label: vscode.l10n.t('Continue') });
    }),
    register('switchyard.escalateLast', async () => {
      if (!session.store.last()) {
        void vscode.window.showInformationMessage(vscode.l10n.t('There is no answer to escalate yet.'));
        return undefined;
      }
      openPanel(true);
      return session.escalate();
    }),
    register('switchyard.retryLast', async () => {
      const last = session.store.last();
      if (!last) return undefined;
      openPanel(true);
      return session.ask({ prompt: last.prompt, appendTo: last, reason: vscode.l10n.t('retried') });
    }),
    register('switchyard.switchMode', () => switchMode(services)),
    register('switchyard.setApiKey', (providerId?: string) => setApiKey(services, typeof providerId === 'string' ? providerId : undefined)),
    register('switchyard.removeApiKey', () => removeApiKey(services)),
    register('switchyard.setBudget', () => setBudget(services)),
    register('switchyard.showUsage', () => showUsageReport(services)),
    register('switchyard.showProviderStatus', () => showProviderStatus(services)),
    register('switchyard.showLog', () => services.logger.show()),
    register('switchyard.makePrimary', (providerId?: string) => makeProviderPrimary(services, typeof providerId === 'string' ? providerId : undefined)),
    register('switchyard.stop', () => session.stop()),
    register('switchyard.newConversation', async () => {
      await session.stop();
      await session.store.clear();
      SwitchyardPanel.instance?.post({ type: 'cleared' });
    }),
    // With a setting ("switchyard.budget.dailyLimit") the Settings UI opens at it; else at all of ours.
    register('switchyard.openSettings', (setting?: unknown) =>
      vscode.commands.executeCommand('workbench.action.openSettings', typeof setting === 'string' && /^switchyard(\.\S+)?$/.test(setting) ? setting : '@ext:switchyard-dev.switchyard'),
    ),
    register('switchyard.startOllama', async () => {
      // The local sidecar starts `ollama serve` when it is installed (and adopts a running one).
      const snapshot = await services.local().sidecar().start();
      if (isUsable(snapshot.ollama.status)) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Ollama is running.'));
        return snapshot;
      }
      const open = vscode.l10n.t('Open Download Page');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('Ollama is not running. Start it with "ollama serve" in a terminal, or install it from ollama.com.'),
        open,
      );
      if (choice === open) await vscode.env.openExternal(vscode.Uri.parse('https://ollama.com/download'));
      return undefined;
    }),
  ];
}

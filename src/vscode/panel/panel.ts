/**
 * The Switchyard panel (a webview): one per window, restored after a reload by the serializer.
 * It renders what the ChatSession sends and asks the host to act on the user's clicks. Every
 * message from the webview is validated with the shared zod schema; anything else is dropped and
 * logged. The webview never receives keys: only answers, metadata and localized strings.
 */
import * as vscode from 'vscode';
import { messageSchemas, WEBVIEW_STRINGS, type FromWebview, type ToWebview } from '../../shared/messages';
import { webviewHtml } from './webviewHtml';
import type { ChatSession } from '../chat/chatSession';
import type { Services } from '../app/services';
import { readBudgetView } from '../budget/budgetView';
import { pickModel } from '../statusBar/switcher';
import { TRY_DEMO_COMMAND } from '../chat/errorStates';

export const PANEL_VIEW_TYPE = 'switchyard.panel';

export class SwitchyardPanel implements vscode.Disposable {
  private static current: SwitchyardPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  /** Messages posted before the webview said "ready" (it would drop them). */
  private queue: ToWebview[] = [];

  /** Reveals the panel, creating it if needed. */
  static show(context: vscode.ExtensionContext, services: Services, session: ChatSession, preserveFocus = false): SwitchyardPanel {
    if (SwitchyardPanel.current) {
      SwitchyardPanel.current.panel.reveal(undefined, preserveFocus);
      return SwitchyardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'Switchyard',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      webviewOptions(context),
    );
    SwitchyardPanel.current = new SwitchyardPanel(panel, context, services, session);
    return SwitchyardPanel.current;
  }

  /** The open panel, if any (tests and commands). */
  static get instance(): SwitchyardPanel | undefined {
    return SwitchyardPanel.current;
  }

  /** Restores the panel VS Code kept across a reload. */
  static registerSerializer(context: vscode.ExtensionContext, services: Services, session: ChatSession): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel) {
        panel.webview.options = webviewOptions(context);
        SwitchyardPanel.current?.dispose();
        SwitchyardPanel.current = new SwitchyardPanel(panel, context, services, session);
      },
    });
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly services: Services,
    private readonly session: ChatSession,
  ) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'panel-icon.svg');
    panel.webview.html = webviewHtml(panel.webview, context.extensionUri);
    session.attach((message) => this.post(message));
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw) => void this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
      session.onDidFinish(() => void this.sendBudget()),
      services.onDidChange(() => void this.sendBudget()),
      services.onBudgetAlert(() => void this.sendBudget()),
    );
  }

  /**
   * Sends a message to the webview, validated. An invalid one is logged as an error and dropped,
   * never thrown: thrown inside a run, it left the answer "streaming" for good (issue 15).
   */
  post(message: ToWebview): void {
    if (!this.ready && message.type !== 'init') {
      // Before "ready" the webview rebuilds everything from `init`; deltas would be duplicates.
      if (message.type === 'focusInput') this.queue.push(message);
      return;
    }
    const parsed = messageSchemas().toWebview.safeParse(message);
    if (!parsed.success) {
      this.services.logger.error('panel.message.invalid', { type: message.type, issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) });
      return;
    }
    void this.panel.webview.postMessage(parsed.data);
  }

  dispose(): void {
    if (SwitchyardPanel.current === this) SwitchyardPanel.current = undefined;
    this.session.attach(undefined);
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.panel.dispose();
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = messageSchemas().fromWebview.safeParse(raw);
    if (!parsed.success) {
      this.services.logger.warn('panel.message.rejected', { issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) });
      return;
    }
    try {
      await this.handle(parsed.data);
    } catch (err) {
      this.services.logger.error('panel.message.failed', { type: parsed.data.type, error: err instanceof Error ? err.message : String(err) });
      void vscode.window.showErrorMessage(vscode.l10n.t('Switchyard: {0}', err instanceof Error ? err.message : String(err)));
    }
  }

  private async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.sendInit();
        return;
      case 'ask':
        await this.session.ask({ prompt: message.prompt });
        return;
      case 'stop':
        await this.session.stop();
        return;
      case 'escalate': {
        const turn = this.session.store.find(message.turnId);
        if (turn) await this.session.escalate(turn);
        return;
      }
      case 'retryWith': {
        const turn = this.session.store.find(message.turnId);
        if (!turn) return;
        const pinned = await pickModel(this.services, vscode.l10n.t('Retry with which provider or model?'));
        if (pinned) await this.session.retryWith(turn, pinned);
        return;
      }
      case 'copy':
        await vscode.env.clipboard.writeText(message.code);
        return;
      case 'insert':
        await insertAtCursor(message.code);
        return;
      case 'newFile': {
        const doc = await vscode.workspace.openTextDocument({ content: message.code, language: message.language || undefined });
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
        return;
      }
      case 'openLink':
        await openLinkSafely(message.href);
        return;
      case 'openAnswer': {
        const text = this.session.fullText(message.answerId);
        if (text === undefined) return;
        const doc = await vscode.workspace.openTextDocument({ content: text, language: 'markdown' });
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
        return;
      }
      case 'command':
        // Try the Demo comes with the demo mode; a build without it says so instead of failing silently.
        if (message.command === TRY_DEMO_COMMAND && !(await vscode.commands.getCommands(true)).includes(TRY_DEMO_COMMAND)) {
          void vscode.window.showInformationMessage(vscode.l10n.t('The demo is not available in this version of Switchyard.'));
          return;
        }
        // Only "Open Setting" takes an argument: the setting to show.
        await vscode.commands.executeCommand(message.command, ...(message.command === 'switchyard.openSettings' && message.setting ? [message.setting] : []));
        return;
    }
  }

  private async sendInit(): Promise<void> {
    const strings: Record<string, string> = {};
    for (const s of WEBVIEW_STRINGS) strings[s] = vscode.l10n.t(s);
    const budget = await readBudgetView(this.services);
    // Batched text is in the snapshot below: flushed while not ready, it is dropped, not sent twice.
    this.session.flushDeltas();
    // From here on updates flow; the snapshot below already holds everything streamed so far.
    this.ready = true;
    this.post({
      type: 'init',
      strings,
      locale: vscode.env.language,
      turns: this.session.turns,
      budget,
      streaming: this.session.streaming,
    });
    const queued = this.queue;
    this.queue = [];
    for (const m of queued) this.post(m);
  }

  private async sendBudget(): Promise<void> {
    if (!this.ready) return;
    this.post({ type: 'budget', budget: await readBudgetView(this.services) });
  }
}

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    // Keeps a long streaming answer alive while the user looks at another tab.
    retainContextWhenHidden: true,
    enableFindWidget: true,
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist'), vscode.Uri.joinPath(context.extensionUri, 'media')],
  };
}

/** The editor the user last typed in (the webview has focus when its button is clicked). */
let lastEditor: vscode.TextEditor | undefined;
export function trackLastEditor(): vscode.Disposable {
  lastEditor = vscode.window.activeTextEditor;
  return vscode.window.onDidChangeActiveTextEditor((e) => {
    if (e) lastEditor = e;
  });
}

async function insertAtCursor(code: string): Promise<void> {
  const editor =
    (lastEditor && vscode.window.visibleTextEditors.includes(lastEditor) ? lastEditor : undefined) ??
    vscode.window.visibleTextEditors[0];
  if (!editor) {
    void vscode.window.showWarningMessage(vscode.l10n.t('Open a file to insert the code into.'));
    return;
  }
  await vscode.window.showTextDocument(editor.document, editor.viewColumn);
  await editor.edit((edit) => {
    for (const selection of editor.selections) edit.replace(selection, code);
  });
}

/**
 * A link in a model answer opens only here, once per click, and only after the user has seen its
 * real target: this dialog shows the address as it will be opened (host in punycode, so a
 * look-alike "аpple.com" reads xn--pple-43d.com) and, when they differ, the host as Unicode.
 * Then VS Code's opener runs its own trusted-domain check. Only web and mail links open.
 */
export async function openLinkSafely(href: string): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:' && url.protocol !== 'mailto:') return false;
  const target = url.href;
  // Loaded on a click, not at activation (issue 3: the activation path requires nothing big).
  const { domainToUnicode } = await import('node:url');
  const unicodeHost = url.hostname ? domainToUnicode(url.hostname) : '';
  const details = [target];
  if (unicodeHost && unicodeHost !== url.hostname) {
    details.push(vscode.l10n.t('The address uses look-alike letters: {0} is shown as {1}.', url.hostname, unicodeHost));
  }
  const open = vscode.l10n.t('Open Link');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('Open a link from a model answer?'),
    { modal: true, detail: details.join('\n\n') },
    open,
  );
  if (choice !== open) return false;
  return vscode.env.openExternal(vscode.Uri.parse(target, true));
}

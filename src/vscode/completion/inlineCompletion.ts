/**
 * The VS Code side of inline completion: an InlineCompletionItemProvider for every language that
 * turns VS Code's calls and cancellation tokens into CompletionEngine calls and AbortSignals, and
 * feeds the engine the editor's changes as they happen (so a stale request is aborted at the
 * socket before VS Code even asks again).
 *
 * Registration is cheap: the engine (and the tokenizer it loads, ~0.4 s) is imported on the first
 * completion request, not at activation.
 */
import * as vscode from 'vscode';
import type { CompletionEngine, CompletionOutcome, CompletionRequest } from '../../core/completion/completionEngine';
import type { RecentDocuments } from '../../core/completion/recentDocuments';
import type { CursorSnapshot } from '../../core/completion/completionCache';
import type { RouteRequest, StreamEvent } from '../../core/types';
import { DEFAULT_COMPLETION_MODEL } from '../../core/completion/defaults';
import { getServices, type Services } from '../app/services';
import { InlineCompletionStatus } from './inlineCompletionStatus';

/** Characters of context read per side: enough for the largest token budget (~8 chars/token worst case) plus the cache window. */
const CHARS_PER_TOKEN_UPPER_BOUND = 8;
const CACHE_WINDOW_EXTRA_CHARS = 2_000;
const SHOW_LOG_COMMAND = 'switchyard.completion.showLog';
const TOGGLE_LANGUAGE_COMMAND = 'switchyard.completion.toggleLanguage';
/** After activation (onStartupFinished), other extensions are still starting: wait a little before loading. */
const WARM_UP_DELAY_MS = 3_000;

interface Loaded {
  engine: CompletionEngine;
  recent: RecentDocuments;
  reasonText: (reason: string) => string;
}

/** What the extension-host tests reach through the extension's API. */
export interface InlineCompletionHandle extends vscode.Disposable {
  /** The engine, once the first completion loaded it. */
  engine(): CompletionEngine | undefined;
  statusText(): string;
}

export function registerInlineCompletion(context: vscode.ExtensionContext): InlineCompletionHandle {
  const services = getServices(context);
  const status = new InlineCompletionStatus(SHOW_LOG_COMMAND);
  // Reading the settings parses them: right after activation, not inside it (issue 3: < 50 ms).
  const showModel = setTimeout(() => status.setModel(services.config().completion.model || DEFAULT_COMPLETION_MODEL), 0);
  let loaded: Promise<Loaded> | undefined;
  let ready: Loaded | undefined;
  const load = () =>
    (loaded ??= createEngine(services, status).then((l) => {
      ready = l;
      return l;
    }));

  const provider: vscode.InlineCompletionItemProvider = {
    async provideInlineCompletionItems(document, position, _context, token) {
      const { engine } = await load();
      if (token.isCancellationRequested) return undefined;
      const controller = new AbortController();
      const sub = token.onCancellationRequested(() => controller.abort());
      try {
        const outcome = await engine.complete(requestAt(document, position, services), controller.signal);
        return toItems(outcome, position, status, ready);
      } finally {
        sub.dispose();
      }
    },
  };

  const disposables: vscode.Disposable[] = [
    status,
    { dispose: () => clearTimeout(showModel) },
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, provider),
    vscode.commands.registerCommand(SHOW_LOG_COMMAND, () => services.logger.show()),
    vscode.commands.registerCommand(TOGGLE_LANGUAGE_COMMAND, () => toggleLanguage(services)),
    // Abort a stale request the moment the editor moves, before VS Code asks again.
    vscode.window.onDidChangeTextEditorSelection((e) => {
      if (!ready || e.textEditor !== vscode.window.activeTextEditor) return;
      const doc = e.textEditor.document;
      const isEdit = lastVersion.get(doc) !== doc.version;
      lastVersion.set(doc, doc.version);
      ready.engine.noteChange(snapshotAt(doc, e.selections[0]!.active, services), isEdit);
    }),
    // Recently used files of the same language become context for the next completions.
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (previous && ready) noteRecent(ready.recent, previous);
      previous = editor;
      if (editor && ready) noteRecent(ready.recent, editor);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => ready?.engine.forget(doc.uri.toString())),
    services.onDidChange(() => {
      ready?.engine.invalidateModels();
      status.setModel(services.config().completion.model || DEFAULT_COMPLETION_MODEL);
    }),
  ];
  // Load the engine (and the tokenizer) and check the model once the window has settled, not
  // at activation and not on the first keystroke.
  const warmUp = setTimeout(() => void load().then((l) => l.engine.warmUp()).catch(() => undefined), WARM_UP_DELAY_MS);
  disposables.push({ dispose: () => clearTimeout(warmUp) });
  const lastVersion = new WeakMap<vscode.TextDocument, number>();
  let previous = vscode.window.activeTextEditor;
  context.subscriptions.push(...disposables);

  return {
    engine: () => ready?.engine,
    statusText: () => status.text,
    dispose: () => disposables.forEach((d) => d.dispose()),
  };
}

async function createEngine(services: Services, status: InlineCompletionStatus): Promise<Loaded> {
  const [{ CompletionEngine }, { RecentDocuments }, { REASON_TEXT }] = await Promise.all([
    import('../../core/completion/completionEngine'),
    import('../../core/completion/recentDocuments'),
    import('../../core/completion/reasons'),
  ]);
  const recent = new RecentDocuments();
  const engine = new CompletionEngine({
    stream: (req) => lazyStream(services, req),
    listModels: async (signal) => (await services.switchyard()).listModels(signal),
    settings: () => services.config().completion,
    logger: services.logger,
    workspaceId: services.workspaceId,
    recent,
    onStatus: (s) => status.generating(s.generating, s.model),
  });
  if (vscode.window.activeTextEditor) noteRecent(recent, vscode.window.activeTextEditor);
  return { engine, recent, reasonText: (r) => REASON_TEXT[r as keyof typeof REASON_TEXT] ?? r };
}

/** The router is built lazily by the services; a build failure surfaces as the stream's error. */
async function* lazyStream(services: Services, req: RouteRequest): AsyncIterable<StreamEvent> {
  const switchyard = await services.switchyard();
  yield* switchyard.stream(req);
}

function toItems(outcome: CompletionOutcome, position: vscode.Position, status: InlineCompletionStatus, loaded: Loaded | undefined): vscode.InlineCompletionItem[] | undefined {
  if (outcome.kind === 'suggestion') return [new vscode.InlineCompletionItem(outcome.text, new vscode.Range(position, position))];
  if (outcome.reason !== 'superseded' && outcome.reason !== 'mid-word') {
    status.noSuggestion(`${loaded?.reasonText(outcome.reason) ?? outcome.reason}${outcome.detail ? ` — ${outcome.detail}` : ''}`);
  }
  return undefined;
}

function requestAt(document: vscode.TextDocument, position: vscode.Position, services: Services): CompletionRequest {
  return {
    ...snapshotAt(document, position, services),
    languageId: document.languageId,
    filePath: vscode.workspace.asRelativePath(document.uri, false),
  };
}

function snapshotAt(document: vscode.TextDocument, position: vscode.Position, services: Services): CursorSnapshot {
  const { maxPrefixTokens, maxSuffixTokens } = services.config().completion;
  const offset = document.offsetAt(position);
  const start = document.positionAt(Math.max(0, offset - maxPrefixTokens * CHARS_PER_TOKEN_UPPER_BOUND - CACHE_WINDOW_EXTRA_CHARS));
  const end = document.positionAt(offset + maxSuffixTokens * CHARS_PER_TOKEN_UPPER_BOUND + CACHE_WINDOW_EXTRA_CHARS);
  return {
    docKey: document.uri.toString(),
    offset,
    before: document.getText(new vscode.Range(start, position)),
    after: document.getText(new vscode.Range(position, end)),
  };
}

function noteRecent(recent: RecentDocuments, editor: vscode.TextEditor): void {
  const doc = editor.document;
  if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled' && doc.uri.scheme !== 'vscode-remote') return;
  recent.note(doc.uri.toString(), vscode.workspace.asRelativePath(doc.uri, false), doc.languageId, doc.getText(), editor.selection.active.line);
}

/** Adds the active editor's language to switchyard.completion.disabledLanguages, or takes it out (user settings). */
async function toggleLanguage(services: Services): Promise<void> {
  const languageId = vscode.window.activeTextEditor?.document.languageId;
  if (!languageId) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Open a file first: inline completion is turned on or off per language.'));
    return;
  }
  const disabled = services.config().completion.disabledLanguages;
  const off = !disabled.includes(languageId);
  const next = off ? [...disabled, languageId] : disabled.filter((l) => l !== languageId);
  await vscode.workspace.getConfiguration('switchyard').update('completion.disabledLanguages', next, vscode.ConfigurationTarget.Global);
  services.logger.info('completion.language_toggled', { languageId, enabled: !off });
  void vscode.window.showInformationMessage(
    off ? vscode.l10n.t('Inline completion is now off for {0}.', languageId) : vscode.l10n.t('Inline completion is now on for {0}.', languageId),
  );
}

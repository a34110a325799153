/**
 * A small status bar item of inline completion's own, next to the main Switchyard item: the
 * completion model, a spinner while a suggestion is being generated, and in the tooltip why the
 * last position got no suggestion. Clicking it opens the log.
 */
import * as vscode from 'vscode';

/** Just left of the main Switchyard item (priority 100 there). */
const STATUS_PRIORITY = 99;

export class InlineCompletionStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('switchyard.completion', vscode.StatusBarAlignment.Right, STATUS_PRIORITY);
  private model = '';
  private lastWhy = '';

  constructor(showLogCommand: string) {
    this.item.name = vscode.l10n.t('Switchyard inline completion');
    this.item.command = showLogCommand;
    this.render(false);
  }

  setModel(model: string): void {
    this.model = model;
    this.render(false);
  }

  generating(on: boolean, model?: string): void {
    if (model) this.model = model;
    this.render(on);
  }

  noSuggestion(why: string): void {
    this.lastWhy = why;
    this.render(false);
  }

  hide(): void {
    this.item.hide();
  }

  /** For the extension-host tests, which cannot read status bar items through the API. */
  get text(): string {
    return this.item.text;
  }

  private render(generating: boolean): void {
    const short = this.model.replace(/^[^/]+\//, '');
    this.item.text = generating ? `$(loading~spin) ${short}` : `$(symbol-snippet) ${short}`;
    const lines = [generating ? vscode.l10n.t('Generating a completion with {0}', this.model) : vscode.l10n.t('Inline completion with {0}', this.model)];
    if (this.lastWhy && !generating) lines.push(vscode.l10n.t('Last position without a suggestion: {0}', this.lastWhy));
    lines.push(vscode.l10n.t('Click to open the Switchyard log'));
    this.item.tooltip = lines.join('\n');
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

/**
 * The core's `Logger` written to the "Switchyard" log output channel: one line per event,
 * `event {json fields}`, so decisions, escalations, failovers and errors can be read and grepped.
 *
 * Never secrets: fields whose name looks like a credential are dropped, and any key value this
 * session has seen is replaced wherever it appears. Never prompt text unless the user turned on
 * `switchyard.logPrompts`: text-bearing fields are replaced by their length.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/types';
import { redactFields } from './redact';

export class OutputLogger implements Logger {
  readonly channel: vscode.LogOutputChannel;

  constructor(
    private readonly options: {
      /** Read on every line, so toggling the setting applies at once. */
      logPrompts: () => boolean;
      secrets: () => ReadonlySet<string>;
    },
  ) {
    this.channel = vscode.window.createOutputChannel('Switchyard', { log: true });
  }

  info(event: string, fields?: Record<string, unknown>): void {
    this.channel.info(this.format(event, fields));
  }

  warn(event: string, fields?: Record<string, unknown>): void {
    this.channel.warn(this.format(event, fields));
  }

  error(event: string, fields?: Record<string, unknown>): void {
    this.channel.error(this.format(event, fields));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }

  private format(event: string, fields?: Record<string, unknown>): string {
    if (!fields || Object.keys(fields).length === 0) return event;
    const safe = redactFields(fields, { logPrompts: this.options.logPrompts(), secrets: this.options.secrets() });
    return `${event} ${safe}`;
  }
}

/** Shared helpers of the completion tests: cursor positions, an AbortSignal nobody aborts, a recording logger. */
import type { CompletionRequest } from '../../../src/core/completion/completionEngine';
import type { Logger } from '../../../src/core/types';

/** The cursor in `doc` at the "|" marker. */
export function cursor(docWithBar: string, docKey = 'file:///a.ts', languageId = 'typescript'): CompletionRequest {
  const offset = docWithBar.indexOf('|');
  const doc = docWithBar.replace('|', '');
  return { docKey, languageId, offset, before: doc.slice(0, offset), after: doc.slice(offset) };
}

export const live = () => new AbortController().signal;

export interface LogLine {
  event: string;
  fields?: Record<string, unknown>;
}

/** A Logger that keeps its info lines. */
export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, info: (event, fields) => lines.push({ event, fields }), warn: () => {}, error: () => {} };
}

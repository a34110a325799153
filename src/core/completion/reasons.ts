/**
 * Every way a cursor position can end up without ghost text, with the sentence the log shows.
 * Completion is never silent: the engine reports one of these for each position it gives up on.
 */
import type { ErrorKind } from '../types';

export type NoSuggestionReason =
  | 'disabled' // switchyard.completion.enabled is off
  | 'disabled-language' // the language is in switchyard.completion.disabledLanguages
  | 'mid-word' // the cursor sits inside a word
  | 'superseded' // the user typed on or moved the cursor before the answer came
  | 'no-local-model' // the completion model is not installed, or the local server is not running
  | 'model-without-fim' // the model cannot fill in the middle (no `insert` capability, no known template)
  | 'cloud-not-allowed' // the completion model is a cloud model and completion.allowCloud is off
  | 'budget' // the workspace budget does not allow the call
  | 'timeout' // no text within completion.timeoutMs
  | 'duplicate-of-suffix' // the model only repeated the code after the cursor
  | 'empty' // the model had nothing to add here
  | 'error'; // anything else; the detail carries the provider's message

export const REASON_TEXT: Record<NoSuggestionReason, string> = {
  disabled: 'inline completion is turned off (switchyard.completion.enabled)',
  'disabled-language': 'inline completion is turned off for this language (switchyard.completion.disabledLanguages)',
  'mid-word': 'the cursor is in the middle of a word',
  superseded: 'the document or cursor changed before the answer arrived',
  'no-local-model': 'the completion model is not available locally',
  'model-without-fim': 'the completion model cannot fill in the middle',
  'cloud-not-allowed': 'the completion model is a cloud model and switchyard.completion.allowCloud is off',
  budget: 'the workspace budget does not allow this request',
  timeout: 'the model did not answer in time (switchyard.completion.timeoutMs)',
  'duplicate-of-suffix': 'the suggestion only repeated the code after the cursor, so it was filtered out',
  empty: 'the model suggested nothing here',
  error: 'the request failed',
};

/** The reason a router error stands for. Decided by kind, never by message text. */
export function reasonForError(kind: ErrorKind): NoSuggestionReason {
  switch (kind) {
    case 'budget':
      return 'budget';
    case 'local_only':
      return 'cloud-not-allowed';
    case 'model_not_found':
    case 'network':
      return 'no-local-model';
    case 'timeout':
      return 'timeout';
    case 'cancelled':
      return 'superseded';
    default:
      return 'error';
  }
}

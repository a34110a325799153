/**
 * What the text around the cursor says about the completion wanted: none (mid-word), one line
 * (the rest of a statement), or several lines (the body of a block just opened, or a fresh line).
 */

export type CompletionShape = 'single-line' | 'multi-line';

export interface CursorContext {
  /** Text of the cursor's line before / after the cursor. */
  lineBefore: string;
  lineAfter: string;
  /** Leading whitespace of the cursor's line. */
  indent: string;
  shape: CompletionShape;
  /** Why no completion fits here at all, if so. */
  skip?: 'mid-word';
  /** The last character typed is a natural place to want a suggestion ("(", ".", "=", newline…). */
  atTrigger: boolean;
}

const WORD_CHAR = /[\p{L}\p{N}_$]/u;
/** After these the user usually wants the rest of the line (call args, member, value). */
const TRIGGER_END = /(?:[.(\[{,:=]|=>|->|\breturn)\s*$/;
/** A line ending here opens a block whose body the model may write in full. */
const BLOCK_OPENER = /(?:[{(\[:]|=>|\bthen|\bdo)\s*$/;
/** Text after the cursor that a completion may sit in front of: closers, separators, nothing. */
const TRIVIAL_LINE_AFTER = /^[\s)\]}'"`;,:]*$/;

export function analyzeCursor(before: string, after: string): CursorContext {
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineBefore = before.slice(lineStart);
  const nl = after.indexOf('\n');
  const lineAfter = nl === -1 ? after : after.slice(0, nl);
  const indent = /^[ \t]*/.exec(lineBefore)![0];

  const prevChar = lineBefore.slice(-1);
  const nextChar = lineAfter.slice(0, 1);
  const midWord = prevChar !== '' && nextChar !== '' && WORD_CHAR.test(prevChar) && WORD_CHAR.test(nextChar);

  const freshLine = lineBefore.trim() === '';
  const atTrigger = freshLine || TRIGGER_END.test(lineBefore);

  // Multi-line only where nothing but closers follows on the line: on a fresh line of its own, or
  // right after a block opener at the end of the line. Anywhere else the rest of the statement is
  // wanted, and a multi-line guess would run over the code after the cursor.
  const restIsTrivial = TRIVIAL_LINE_AFTER.test(lineAfter);
  const multi = restIsTrivial && (freshLine || (lineAfter.trim() === '' && BLOCK_OPENER.test(lineBefore)));

  return {
    lineBefore,
    lineAfter,
    indent,
    shape: multi ? 'multi-line' : 'single-line',
    ...(midWord ? { skip: 'mid-word' as const } : {}),
    atTrigger,
  };
}

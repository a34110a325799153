/**
 * Remembers the files the user recently edited or looked at, so a completion can see the code
 * around their last edit in other files of the same language (the definitions just written, the
 * call site just changed) — within a small token budget, most recent first.
 */
import { fitHead } from './tokenBudget';
import type { FimSnippet } from './fimTemplates';

/** Files remembered; older ones fall out. */
export const RECENT_DOCUMENTS_MAX = 10;
/** Lines taken around the last edit of a file: about one function's worth. */
export const SNIPPET_LINES_AROUND_EDIT = 30;
/** A snippet smaller than this is not worth its path header. */
const MIN_SNIPPET_TOKENS = 32;

interface Recent {
  docKey: string;
  path: string;
  languageId: string;
  text: string;
  line: number;
}

export class RecentDocuments {
  private readonly docs: Recent[] = [];

  /** Records a document the user edited or focused, with the line the cursor is on. */
  note(docKey: string, path: string, languageId: string, text: string, line: number): void {
    const at = this.docs.findIndex((d) => d.docKey === docKey);
    if (at !== -1) this.docs.splice(at, 1);
    this.docs.unshift({ docKey, path, languageId, text, line });
    if (this.docs.length > RECENT_DOCUMENTS_MAX) this.docs.pop();
  }

  forget(docKey: string): void {
    const at = this.docs.findIndex((d) => d.docKey === docKey);
    if (at !== -1) this.docs.splice(at, 1);
  }

  /** Snippets of other documents of `languageId`, most recent first, within `maxTokens` in all. */
  snippets(languageId: string, excludeDocKey: string, maxTokens: number): FimSnippet[] {
    const out: FimSnippet[] = [];
    let left = maxTokens;
    for (const d of this.docs) {
      if (left < MIN_SNIPPET_TOKENS) break;
      if (d.docKey === excludeDocKey || d.languageId !== languageId) continue;
      const lines = d.text.split('\n');
      const from = Math.max(0, d.line - SNIPPET_LINES_AROUND_EDIT / 2);
      const window = lines.slice(from, from + SNIPPET_LINES_AROUND_EDIT).join('\n');
      const fitted = fitHead(window, left);
      if (fitted.tokens < MIN_SNIPPET_TOKENS && fitted.text.length < window.length) continue;
      if (fitted.text.trim() === '') continue;
      out.push({ path: d.path, text: fitted.text });
      left -= fitted.tokens;
    }
    return out;
  }
}

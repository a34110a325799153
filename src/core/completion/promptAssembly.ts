/**
 * Builds the FIM request for one cursor position: the prefix and suffix sized by tokens, plus
 * snippets of recently edited files of the same language.
 *
 * The router's request carries only {prefix, suffix} (Ollama applies the model's own FIM
 * template to them), so snippets travel inside the prefix as comments headed by their path —
 * the convention code models have seen in training data and that Continue uses for the same
 * purpose. Providers that render raw templates (fimTemplates.ts) get the same prefix.
 */
import { fitHead, fitTail } from './tokenBudget';
import type { FimSnippet } from './fimTemplates';

export interface AssemblyLimits {
  maxPrefixTokens: number;
  maxSuffixTokens: number;
}

export interface AssembledPrompt {
  prefix: string;
  suffix: string;
  /** Token counts, for the log and the budget estimate. */
  prefixTokens: number;
  suffixTokens: number;
  snippetCount: number;
}

/** Line-comment syntax per language id; everything else uses "//". */
const LINE_COMMENT: Record<string, string> = {
  python: '#',
  ruby: '#',
  shellscript: '#',
  perl: '#',
  r: '#',
  yaml: '#',
  toml: '#',
  dockerfile: '#',
  makefile: '#',
  powershell: '#',
  elixir: '#',
  julia: '#',
  sql: '--',
  lua: '--',
  haskell: '--',
  clojure: ';;',
  lisp: ';;',
  bat: 'REM',
};

export function lineCommentFor(languageId: string): string {
  return LINE_COMMENT[languageId] ?? '//';
}

export function assemblePrompt(
  before: string,
  after: string,
  limits: AssemblyLimits,
  languageId: string,
  filePath: string | undefined,
  snippets: FimSnippet[] = [],
): AssembledPrompt {
  const prefix = fitTail(before, limits.maxPrefixTokens);
  const suffix = fitHead(after, limits.maxSuffixTokens);
  const comment = lineCommentFor(languageId);
  const header = snippets
    .map((s) => `${comment} Path: ${s.path}\n${s.text.replace(/\n+$/, '').split('\n').map((l) => `${comment} ${l}`).join('\n')}\n`)
    .join('');
  const own = snippets.length > 0 && filePath ? `${comment} Path: ${filePath}\n` : '';
  return {
    prefix: header + own + prefix.text,
    suffix: suffix.text,
    prefixTokens: prefix.tokens,
    suffixTokens: suffix.tokens,
    snippetCount: snippets.length,
  };
}

/**
 * Code blocks of a code answer must parse. Parsing uses the Lezer grammars CodeMirror is built
 * on (well kept, error-tolerant: a syntax error shows up as an error node in the tree instead of
 * an exception), and fences are found with markdown-it, the same Markdown parser the panel uses.
 * Only languages we can parse are judged; a `bash` or `rust` block is left alone.
 */
import type MarkdownIt from 'markdown-it';
import type { parser as javascriptParserType } from '@lezer/javascript';
import type { EscalationSignalsConfig } from '../../config';
import { fired, quiet, type FinishedAnswer, type SignalJudge } from '../signal';

export type CodeParseSettings = EscalationSignalsConfig['code_parse'];
/** Every Lezer grammar is an LRParser; named through one we import so @lezer/lr stays transitive. */
type LRParser = typeof javascriptParserType;

export type CodeLanguage = 'typescript' | 'tsx' | 'javascript' | 'jsx' | 'json' | 'python';

/** Fence info words and VS Code language ids → the grammar that judges them. */
const LANGUAGE_ALIASES: Readonly<Record<string, CodeLanguage>> = {
  ts: 'typescript',
  typescript: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  typescriptreact: 'tsx',
  js: 'javascript',
  javascript: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  node: 'javascript',
  jsx: 'jsx',
  javascriptreact: 'jsx',
  json: 'json',
  python: 'python',
  py: 'python',
  python3: 'python',
  py3: 'python',
};

/**
 * Each language is tried with these grammars in order and passes if any parses: models write JSX
 * in `js` fences and TSX in `ts` fences often enough that one strict dialect would cry wolf.
 */
let grammars: Readonly<Record<CodeLanguage, readonly LRParser[]>> | undefined;

/**
 * Loaded on the first code answer judged, not at import: deserializing the three parse tables
 * takes ~30 ms, which would otherwise land on the extension's activation path.
 */
function grammarsFor(language: CodeLanguage): readonly LRParser[] {
  if (!grammars) {
    /* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose, see above */
    const javascriptParser = (require('@lezer/javascript') as typeof import('@lezer/javascript')).parser;
    const jsonParser = (require('@lezer/json') as typeof import('@lezer/json')).parser;
    const pythonParser = (require('@lezer/python') as typeof import('@lezer/python')).parser;
    /* eslint-enable @typescript-eslint/no-require-imports */
    grammars = {
      typescript: [javascriptParser.configure({ dialect: 'ts' }), javascriptParser.configure({ dialect: 'ts jsx' })],
      tsx: [javascriptParser.configure({ dialect: 'ts jsx' })],
      javascript: [javascriptParser, javascriptParser.configure({ dialect: 'jsx' })],
      jsx: [javascriptParser.configure({ dialect: 'jsx' })],
      json: [jsonParser],
      python: [pythonParser],
    };
  }
  return grammars[language];
}

/**
 * Answers elide code with "..." (`function f() { ... }`, `[1, 2, ...]`). That is prose, not a
 * syntax error, so an ellipsis not followed by an operand is blanked before parsing (same length,
 * so error positions stay right). Python keeps "..." — it is valid there — and only loses "…".
 */
const JS_ELISION = /(?:\.\.\.|…)(?=\s*(?:[}\]),;]|$))/gm;
const UNICODE_ELLIPSIS = /…/g;
/** How much of the offending line an explanation quotes. */
const QUOTED_LINE_CHARS = 60;

export function languageFor(info: string): CodeLanguage | undefined {
  const word = /^[\w+#.-]+/.exec(info.trim().toLowerCase())?.[0];
  return word ? LANGUAGE_ALIASES[word] : undefined;
}

export interface CodeBlock {
  /** The fence's language word as written ("" when none). */
  info: string;
  language?: CodeLanguage;
  code: string;
  /** 1-based line of the opening fence in the answer. */
  line: number;
}

type MarkdownParser = InstanceType<typeof MarkdownIt>;
let markdownParser: MarkdownParser | undefined;

/**
 * markdown-it, required on the first code answer rather than imported: it is its own bundle in
 * dist/vendor (see esbuild.mjs LAZY_VENDORS), kept off the extension's activation path.
 */
function markdown(): MarkdownParser {
  return (markdownParser ??= new (require('markdown-it') as typeof MarkdownIt)());
}

/** Fenced blocks with the language they will be judged as (the editor's language for bare fences). */
export function codeBlocks(text: string, languageId?: string): CodeBlock[] {
  return markdown()
    .parse(text, {})
    .filter((t) => t.type === 'fence')
    .map((t) => {
      const info = t.info.trim();
      const language = info ? languageFor(info) : languageId ? languageFor(languageId) : undefined;
      return { info, language, code: t.content, line: (t.map?.[0] ?? 0) + 1 };
    });
}

export interface SyntaxProblem {
  /** 1-based line within the block. */
  line: number;
  text: string;
}

/**
 * Answers often show a fragment to paste into the user's code rather than a whole file: class
 * members ("add this method"), object entries ("add to package.json"), or an indented method
 * body. A fragment that parses once put back in such a context is not broken.
 */
const asClassMembers = (code: string) => `class Fragment {\n${code}\n}`;
const asObjectEntries = (code: string) => `{${code}}`;
const FRAGMENT_CONTEXTS: Readonly<Record<CodeLanguage, readonly ((code: string) => string)[]>> = {
  typescript: [asClassMembers],
  tsx: [asClassMembers],
  javascript: [asClassMembers],
  jsx: [asClassMembers],
  json: [asObjectEntries],
  python: [dedent],
};

/** Removes the indentation every non-blank line shares (Python fragments cut from inside a def). */
function dedent(code: string): string {
  const lines = code.split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length);
  const common = indents.length ? Math.min(...indents) : 0;
  return common === 0 ? code : lines.map((l) => l.slice(Math.min(common, /^[ \t]*/.exec(l)![0].length))).join('\n');
}

/** The first syntax error in `code`, or undefined when some grammar of the language parses it cleanly. */
export function firstSyntaxError(language: CodeLanguage, code: string): SyntaxProblem | undefined {
  const source = language === 'python' ? code.replace(UNICODE_ELLIPSIS, ' ') : code.replace(JS_ELISION, (m) => ' '.repeat(m.length));
  let first: SyntaxProblem | undefined;
  for (const grammar of grammarsFor(language)) {
    const at = errorOffset(grammar, source);
    if (at === undefined) return undefined;
    // Errors are reported where they are in the code as written, not in a fragment context.
    first ??= locate(code, at);
  }
  for (const context of FRAGMENT_CONTEXTS[language]) {
    if (grammarsFor(language).some((grammar) => errorOffset(grammar, context(source)) === undefined)) return undefined;
  }
  return first;
}

function errorOffset(grammar: LRParser, source: string): number | undefined {
  let at: number | undefined;
  grammar.parse(source).iterate({
    enter: (node) => {
      if (at !== undefined) return false;
      if (node.type.isError) at = node.from;
      return undefined;
    },
  });
  return at;
}

function locate(code: string, offset: number): SyntaxProblem {
  const before = code.slice(0, offset);
  const line = before.split('\n').length;
  // An error at the very end (unclosed bracket) is reported on the last non-empty line.
  const lines = code.split('\n');
  let index = line - 1;
  while (index > 0 && !lines[index]?.trim()) index--;
  return { line: index + 1, text: (lines[index] ?? '').trim().slice(0, QUOTED_LINE_CHARS) };
}

export function judgeCodeParse(answer: Pick<FinishedAnswer, 'text' | 'task' | 'languageId'>, settings: CodeParseSettings) {
  if (!settings.tasks.includes(answer.task)) return quiet('code_parse', { code: 'sig_not_judged_task_code', task: answer.task });
  const blocks = codeBlocks(answer.text, answer.languageId);
  const judged = blocks.filter((b) => b.language);
  if (judged.length === 0) {
    return quiet('code_parse', { code: blocks.length === 0 ? 'sig_no_code_blocks' : 'sig_no_parsable_block' });
  }
  for (const [i, block] of judged.entries()) {
    const problem = firstSyntaxError(block.language!, block.code);
    if (problem) {
      const name = block.info ? languageFor(block.info) ?? block.info : block.language;
      return fired('code_parse', { code: 'sig_code_parse', language: String(name), index: String(i + 1), count: String(judged.length), line: String(problem.line), text: problem.text });
    }
  }
  return quiet('code_parse', { code: 'sig_code_parses', count: String(judged.length), languages: [...new Set(judged.map((b) => b.language))].join(', ') });
}

export function codeParseJudge(settings: CodeParseSettings): SignalJudge {
  return { name: 'code_parse', finish: (answer) => judgeCodeParse(answer, settings) };
}

/**
 * Fill-in-the-middle prompt templates per coder model family, for endpoints that take a raw
 * prompt (OpenAI-compatible `/completions`, Ollama `raw:true`). Ollama models with the `insert`
 * capability do not need these: Ollama applies the model's own template to `prompt` + `suffix`.
 *
 * Each template is the exact token layout the family was trained on (sources in the comments);
 * a wrong space or a half-width "|" in DeepSeek's tokens silently degrades the model into
 * plain left-to-right completion, so the unit tests pin the exact strings.
 */

export type FimFamily = 'qwen' | 'deepseek' | 'starcoder' | 'codellama' | 'codestral';

/** The families' names as users know them, for messages. */
export const FIM_FAMILY_NAMES: Readonly<Record<FimFamily, string>> = {
  qwen: 'Qwen2.5-Coder',
  deepseek: 'DeepSeek-Coder',
  starcoder: 'StarCoder2',
  codellama: 'CodeLlama',
  codestral: 'Codestral',
};

/** Another file of the same project, offered as context (repo-level FIM where the family has it). */
export interface FimSnippet {
  path: string;
  text: string;
}

export interface FimParts {
  prefix: string;
  suffix: string;
  /** Path of the file being edited, relative to the workspace ("src/app.ts"). */
  filePath?: string;
  /** Workspace folder name, for families with a repo-name token. */
  repoName?: string;
  snippets?: FimSnippet[];
}

export interface FimPrompt {
  prompt: string;
  /** Stop sequences: the family's control tokens, which a model emits when it "leaves" the hole. */
  stop: string[];
}

interface FimTemplate {
  render(parts: FimParts): string;
  /** The hole's own markers: a server may echo the prompt's last one before the answer. */
  layout: string[];
  /** Tokens that end the text (end of file, next file, chat turn): at the very start, the hole stays empty. */
  end: string[];
}

// DeepSeek-Coder's control tokens use U+FF5C FULLWIDTH VERTICAL LINE and U+2581 LOWER ONE EIGHTH
// BLOCK, not "|" and "_": spelled with escapes so no editor or formatter can "fix" them.
const DS_BAR = '\uFF5C';
const DS_SPACE = '\u2581';
const DS = (name: string) => `<${DS_BAR}${name}${DS_BAR}>`;
export const DEEPSEEK_FIM_BEGIN = DS(`fim${DS_SPACE}begin`);
export const DEEPSEEK_FIM_HOLE = DS(`fim${DS_SPACE}hole`);
export const DEEPSEEK_FIM_END = DS(`fim${DS_SPACE}end`);

const TEMPLATES: Record<FimFamily, FimTemplate> = {
  // Qwen2.5-Coder README ("file-level" and "repository-level code completion"):
  // <|repo_name|>{repo}\n<|file_sep|>{path}\n{content}\n … <|file_sep|>{path}\n<|fim_prefix|>…
  qwen: {
    render({ prefix, suffix, filePath, repoName, snippets }) {
      const fim = `<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`;
      if (!snippets?.length && !filePath) return fim;
      let head = `<|repo_name|>${repoName ?? 'workspace'}\n`;
      for (const s of snippets ?? []) head += `<|file_sep|>${s.path}\n${s.text}\n`;
      return `${head}<|file_sep|>${filePath ?? 'untitled'}\n${fim}`;
    },
    layout: ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|fim_pad|>'],
    end: ['<|endoftext|>', '<|repo_name|>', '<|file_sep|>', '<|im_start|>', '<|im_end|>'],
  },
  // DeepSeek-Coder README: <｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>
  // (file context goes before the begin token as "# path" sections, as in its repo-level examples).
  deepseek: {
    render({ prefix, suffix, snippets }) {
      const head = (snippets ?? []).map((s) => `# ${s.path}\n${s.text}\n`).join('');
      return `${head}${DEEPSEEK_FIM_BEGIN}${prefix}${DEEPSEEK_FIM_HOLE}${suffix}${DEEPSEEK_FIM_END}`;
    },
    layout: [DEEPSEEK_FIM_BEGIN, DEEPSEEK_FIM_HOLE, DEEPSEEK_FIM_END],
    end: ['<|EOT|>', DS(`end${DS_SPACE}of${DS_SPACE}sentence`)],
  },
  // StarCoder2 (bigcode): <repo_name>{repo}<file_sep>{path}\n{content}<file_sep>… then
  // <fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>.
  starcoder: {
    render({ prefix, suffix, filePath, repoName, snippets }) {
      const fim = `<fim_prefix>${prefix}<fim_suffix>${suffix}<fim_middle>`;
      if (!snippets?.length) return fim;
      let head = `<repo_name>${repoName ?? 'workspace'}`;
      for (const s of snippets) head += `<file_sep>${s.path}\n${s.text}`;
      return `${head}<file_sep>${filePath ?? 'untitled'}\n${fim}`;
    },
    layout: ['<fim_prefix>', '<fim_suffix>', '<fim_middle>'],
    end: ['<file_sep>', '<|endoftext|>'],
  },
  // CodeLlama (Meta's infilling format, as Ollama's codellama:code template spells it):
  // "<PRE> {prefix} <SUF>{suffix} <MID>" — one space after <PRE>, before <SUF> and before <MID>.
  codellama: {
    render({ prefix, suffix }) {
      return `<PRE> ${prefix} <SUF>${suffix} <MID>`;
    },
    layout: ['<PRE>', '<SUF>', '<MID>'],
    end: ['<EOT>'],
  },
  // Codestral (Mistral's FIM): suffix first, then prefix: [SUFFIX]{suffix}[PREFIX]{prefix}
  codestral: {
    render({ prefix, suffix }) {
      return `[SUFFIX]${suffix}[PREFIX]${prefix}`;
    },
    layout: ['[PREFIX]', '[SUFFIX]', '[MIDDLE]'],
    end: ['</s>'],
  },
};

/** Ordered: the first pattern that matches a model name wins ("deepseek-coder" before "coder"). */
const FAMILY_PATTERNS: [RegExp, FimFamily][] = [
  [/deepseek[-_.]?coder/i, 'deepseek'],
  [/codestral/i, 'codestral'],
  [/starcoder/i, 'starcoder'],
  [/code[-_.]?llama/i, 'codellama'],
  [/qwen.*coder|codeqwen/i, 'qwen'],
];

/** The FIM family of a model name ("qwen2.5-coder:1.5b", "deepseek-ai/deepseek-coder-6.7b-base"), or undefined. */
export function fimFamilyOf(modelName: string): FimFamily | undefined {
  return FAMILY_PATTERNS.find(([re]) => re.test(modelName))?.[1];
}

/** Renders the raw FIM prompt and stop sequences for a family. */
export function renderFimPrompt(family: FimFamily, parts: FimParts): FimPrompt {
  const template = TEMPLATES[family];
  return { prompt: template.render(parts), stop: controlTokensOf(template) };
}

/** A family's control tokens: the hole's markers, then those that end the text. */
function controlTokensOf(template: FimTemplate): string[] {
  return [...template.layout, ...template.end];
}

const ALL_LAYOUT_TOKENS = new Set(Object.values(TEMPLATES).flatMap((t) => t.layout));

/** Every control token of every family: a completion containing one is cut there (defence in depth). */
export const ALL_FIM_CONTROL_TOKENS: readonly string[] = [
  ...new Set(Object.values(TEMPLATES).flatMap(controlTokensOf)),
];

/**
 * Removes FIM control tokens from a streamed answer, tokens cut across chunks included. Servers
 * that do not apply `stop`, or detokenise special tokens into text, echo them: a token before any
 * text that marks the hole (an echoed `<|fim_middle|>`) is dropped; any other one, and the first one
 * after text, ends the answer (the model left the hole: `<|endoftext|>`, `<EOT>`, `<|file_sep|>`…).
 */
export class FimControlFilter {
  /** True once a control token ended the answer; everything after it is dropped. */
  ended = false;
  private held = '';
  private started = false;
  private readonly tokens: readonly string[];
  private readonly layout: ReadonlySet<string>;

  /** With the model's family: its tokens only (another family's may be real code); without: every family's. */
  constructor(family?: FimFamily) {
    const template = family ? TEMPLATES[family] : undefined;
    this.tokens = template ? controlTokensOf(template) : ALL_FIM_CONTROL_TOKENS;
    this.layout = template ? new Set(template.layout) : ALL_LAYOUT_TOKENS;
  }

  /** The text of `chunk` to pass on; a tail that may be the start of a token is held back. */
  push(chunk: string): string {
    if (this.ended) return '';
    let buf = this.held + chunk;
    this.held = '';
    for (let hit = firstToken(buf, this.tokens); hit; hit = firstToken(buf, this.tokens)) {
      if (this.started || hit.at > 0 || !this.layout.has(hit.token)) {
        this.ended = true;
        return buf.slice(0, hit.at);
      }
      buf = buf.slice(hit.token.length);
    }
    const keep = partialTokenTail(buf, this.tokens);
    const out = buf.slice(0, buf.length - keep);
    this.held = buf.slice(buf.length - keep);
    if (out) this.started = true;
    return out;
  }

  /** At the end of the stream: the held-back tail was not a token after all. */
  flush(): string {
    const rest = this.ended ? '' : this.held;
    this.held = '';
    return rest;
  }
}

/** `text` without FIM control tokens (see FimControlFilter), and whether one ended it. */
export function stripFimControl(text: string, family?: FimFamily): { text: string; ended: boolean } {
  const filter = new FimControlFilter(family);
  const out = filter.push(text) + filter.flush();
  return { text: out, ended: filter.ended };
}

function firstToken(text: string, tokens: readonly string[]): { at: number; token: string } | undefined {
  let first: { at: number; token: string } | undefined;
  for (const token of tokens) {
    const at = text.indexOf(token);
    if (at !== -1 && (!first || at < first.at)) first = { at, token };
  }
  return first;
}

/** Length of the longest end of `text` that is the start of a token (to wait for the next chunk). */
function partialTokenTail(text: string, tokens: readonly string[]): number {
  let keep = 0;
  for (const token of tokens) {
    for (let k = Math.min(token.length - 1, text.length); k > keep; k--) {
      if (text.endsWith(token.slice(0, k))) {
        keep = k;
        break;
      }
    }
  }
  return keep;
}

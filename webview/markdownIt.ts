/**
 * The panel's Markdown parser, with the rules model output needs (pure: no DOM, unit-tested under
 * Node; webview/markdown.ts sanitizes what it renders):
 * - links keep their target in data-href, never in href: VS Code's webview opens any clicked
 *   href itself, around the confirmation the host shows (issue 15: one click, two opens);
 * - no link is made out of escaped HTML (`<a href="https://…">` in an answer is text, and so is
 *   the URL inside it);
 * - direction-control and zero-width characters are shown as markers (webview/invisible.ts), and
 *   a code block holding any gets a warning badge;
 * - what markdown-it's nesting limit would drop is shown as plain text.
 */
import MarkdownIt, { type StateBlock, type StateCore } from 'markdown-it';
import { countInvisible, markInvisibleHtml } from './invisible';

export interface CodeActionLabels {
  copy: string;
  insert: string;
  newFile: string;
  codeBlock: string;
  /** Badge of a code block with invisible or direction characters; `{0}` is their number. */
  invisibleWarning: string;
}

let labels: CodeActionLabels = {
  copy: 'Copy',
  insert: 'Insert at cursor',
  newFile: 'New file',
  codeBlock: 'Code block',
  invisibleWarning: 'Contains {0} invisible or text-direction characters (shown marked; Copy leaves them out)',
};

export function setCodeActionLabels(next: CodeActionLabels): void {
  labels = next;
}

export const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });
const escape = md.utils.escapeHtml;

md.renderer.rules.text = (tokens, idx) => markInvisibleHtml(escape(tokens[idx]!.content));
md.renderer.rules.code_inline = (tokens, idx) => `<code>${markInvisibleHtml(escape(tokens[idx]!.content))}</code>`;
md.renderer.rules.code_block = (tokens, idx) => `<pre><code>${markInvisibleHtml(escape(tokens[idx]!.content))}</code></pre>\n`;

md.renderer.rules.fence = (tokens, idx) => {
  const token = tokens[idx]!;
  const lang = (token.info || '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const invisible = countInvisible(token.content);
  const body = markInvisibleHtml(escape(token.content));
  const safeLang = escape(lang.replace(/[^a-z0-9#+.-]/g, ''));
  const button = (action: string, label: string) => `<button type="button" class="code-action" data-action="${action}">${escape(label)}</button>`;
  const warning = invisible > 0 ? `<span class="code-warning" role="note" title="${escape(labels.invisibleWarning.replace('{0}', String(invisible)))}">⚠ ${invisible}</span>` : '';
  return (
    `<div class="code-block${invisible > 0 ? ' has-invisible' : ''}" data-lang="${safeLang}" role="group" aria-label="${escape(`${labels.codeBlock}${safeLang ? ` (${safeLang})` : ''}`)}">` +
    `<div class="code-actions"><span class="code-lang">${safeLang}</span>${warning}` +
    button('copy', labels.copy) +
    button('insert', labels.insert) +
    button('newFile', labels.newFile) +
    `</div><pre><code class="hljs${safeLang ? ` language-${safeLang}` : ''}">${body}</code></pre></div>`
  );
};

// The target goes to data-href; markdown.ts checks it and adds what the reader needs to see.
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  const token = tokens[idx]!;
  const href = token.attrGet('href') ?? '';
  token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'href');
  token.attrSet('data-href', href);
  token.attrSet('class', 'md-link');
  return self.renderToken(tokens, idx, options);
};

/**
 * After linkify: a link found inside what reads as an HTML tag (`<a href="https://x">`, escaped
 * since raw HTML is off) goes back to being text. The tag is text the model wrote; its URL is not
 * a link the model offered.
 */
md.core.ruler.after('linkify', 'no_links_in_escaped_html', (state: StateCore) => {
  for (const block of state.tokens) {
    const children = block.type === 'inline' ? block.children : null;
    if (!children) continue;
    let before = '';
    for (let i = 0; i < children.length; i++) {
      const token = children[i]!;
      if (token.type === 'link_open' && token.markup === 'linkify' && insideEscapedTag(before)) {
        const text = children[i + 1];
        const close = children[i + 2];
        if (text?.type === 'text' && close?.type === 'link_close') {
          const plain = new state.Token('text', '', 0);
          plain.content = text.content;
          children.splice(i, 3, plain);
          before += plain.content;
          continue;
        }
      }
      if (token.type === 'text' || token.type === 'code_inline') before += token.content;
    }
  }
});

function insideEscapedTag(textBefore: string): boolean {
  const open = textBefore.lastIndexOf('<');
  return open >= 0 && textBefore.indexOf('>', open) < 0 && /^<\/?[A-Za-z!?]/.test(textBefore.slice(open));
}

/**
 * markdown-it stops parsing blocks nested deeper than maxNesting (100) and drops the rest of the
 * text without a trace. Here that rest becomes one plain-text block instead.
 */
const tokenizeBlocks = md.block.tokenize.bind(md.block);
md.block.tokenize = (state: StateBlock, startLine: number, endLine: number) => {
  if (state.level >= md.options.maxNesting && startLine < endLine) {
    const from = state.bMarks[startLine]! + state.tShift[startLine]!;
    const to = state.eMarks[endLine - 1]!;
    const token = state.push('nesting_overflow', 'pre', 0);
    token.content = state.src.slice(from, to);
    token.block = true;
    state.line = endLine;
    return;
  }
  tokenizeBlocks(state, startLine, endLine);
};
md.renderer.rules.nesting_overflow = (tokens, idx) => `<pre class="nesting-overflow">${markInvisibleHtml(escape(tokens[idx]!.content))}</pre>\n`;

/**
 * Model output → safe HTML. Model output is untrusted: markdown-it runs with raw HTML off (so a
 * `<script>` in an answer is text), its link validator drops javascript:/vbscript:/file: URLs,
 * and DOMPurify then removes anything executable that could still appear (event handlers,
 * forms, styles). Remote images are replaced by their alt text (the CSP would block them anyway;
 * removing them also avoids broken-image boxes and tracking pixels).
 */
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const LANGUAGES = { bash, cpp, csharp, css, diff, go, java, javascript, json, python, rust, sql, typescript, xml, yaml };
for (const [name, lang] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, lang);
hljs.registerAliases(['sh', 'shell', 'zsh'], { languageName: 'bash' });
hljs.registerAliases(['ts', 'tsx', 'typescriptreact'], { languageName: 'typescript' });
hljs.registerAliases(['js', 'jsx', 'javascriptreact'], { languageName: 'javascript' });
hljs.registerAliases(['py'], { languageName: 'python' });
hljs.registerAliases(['html', 'svg'], { languageName: 'xml' });
hljs.registerAliases(['c', 'c++', 'h', 'hpp'], { languageName: 'cpp' });
hljs.registerAliases(['cs', 'c#'], { languageName: 'csharp' });
hljs.registerAliases(['yml'], { languageName: 'yaml' });
hljs.registerAliases(['rs'], { languageName: 'rust' });

/** Highlighting a huge block on every frame would stall streaming; past this it stays plain. */
const MAX_HIGHLIGHT_CHARS = 50_000;

export interface CodeActionLabels {
  copy: string;
  insert: string;
  newFile: string;
  codeBlock: string;
}

const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });

let highlightEnabled = true;
let labels: CodeActionLabels = { copy: 'Copy', insert: 'Insert at cursor', newFile: 'New file', codeBlock: 'Code block' };

export function setCodeActionLabels(next: CodeActionLabels): void {
  labels = next;
}

md.renderer.rules.fence = (tokens, idx) => {
  const token = tokens[idx]!;
  const lang = (token.info || '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const code = token.content;
  let body = md.utils.escapeHtml(code);
  if (highlightEnabled && lang && code.length <= MAX_HIGHLIGHT_CHARS && hljs.getLanguage(lang)) {
    try {
      body = hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
    } catch {
      // Plain text is a fine fallback.
    }
  }
  const safeLang = md.utils.escapeHtml(lang.replace(/[^a-z0-9#+.-]/g, ''));
  const button = (action: string, label: string) =>
    `<button type="button" class="code-action" data-action="${action}">${md.utils.escapeHtml(label)}</button>`;
  return (
    `<div class="code-block" data-lang="${safeLang}" role="group" aria-label="${md.utils.escapeHtml(`${labels.codeBlock}${safeLang ? ` (${safeLang})` : ''}`)}">` +
    `<div class="code-actions"><span class="code-lang">${safeLang}</span>` +
    button('copy', labels.copy) +
    button('insert', labels.insert) +
    button('newFile', labels.newFile) +
    `</div><pre><code class="hljs${safeLang ? ` language-${safeLang}` : ''}">${body}</code></pre></div>`
  );
};

/** Only these URL schemes survive in links. */
const SAFE_LINK = /^(https?:|mailto:)/i;
/** Images only from inline data (a model cannot produce one that loads anything remote). */
const SAFE_IMAGE = /^data:image\/(png|gif|jpeg|webp);base64,/i;

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName === 'A') {
    const href = node.getAttribute('href') ?? '';
    if (!SAFE_LINK.test(href)) node.removeAttribute('href');
    node.setAttribute('rel', 'noopener noreferrer');
    node.removeAttribute('target');
  }
  if (node.nodeName === 'IMG') {
    const src = node.getAttribute('src') ?? '';
    if (!SAFE_IMAGE.test(src)) {
      const alt = node.getAttribute('alt') ?? '';
      const span = node.ownerDocument.createElement('span');
      span.className = 'blocked-image';
      span.textContent = `[${alt || 'image'}]`;
      node.replaceWith(span);
    }
  }
});

const PURIFY_CONFIG = {
  FORBID_TAGS: ['style', 'form', 'input', 'textarea', 'select', 'iframe', 'object', 'embed', 'link', 'meta', 'base', 'svg', 'math'],
  FORBID_ATTR: ['style', 'srcset', 'formaction', 'action'],
  ALLOW_DATA_ATTR: true,
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|data:image\/(?:png|gif|jpeg|webp);base64,)/i,
};

/**
 * Renders Markdown to sanitized HTML. `highlight` is off while streaming (re-highlighting every
 * frame is the expensive part) and on for the final render.
 */
export function renderMarkdown(text: string, highlight: boolean): string {
  highlightEnabled = highlight;
  const html = md.render(text);
  return DOMPurify.sanitize(html, PURIFY_CONFIG) as unknown as string;
}

/**
 * Model output → safe HTML. Model output is untrusted: markdown-it runs with raw HTML off (so a
 * `<script>` in an answer is text) and the rules of markdownIt.ts (links as data, invisible
 * characters marked), its link validator drops javascript:/vbscript:/file: URLs, and DOMPurify
 * then removes anything executable that could still appear (event handlers, forms, styles). Remote images are replaced by their alt text (the CSP would block them anyway;
 * removing them also avoids broken-image boxes and tracking pixels).
 */
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
import { md } from './markdownIt';
import { describeLink } from './links';
import { showInvisibleText } from './invisible';
import { t } from './strings';

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

/** Highlighting one huge block would stall the panel; past this it stays plain. */
const MAX_HIGHLIGHT_CHARS = 50_000;
/** How long one slice of deferred highlighting may hold the main thread (a frame is ~16 ms). */
const HIGHLIGHT_SLICE_MS = 8;

export { setCodeActionLabels, type CodeActionLabels } from './markdownIt';

/** Images only from inline data (a model cannot produce one that loads anything remote). */
const SAFE_IMAGE = /^data:image\/(png|gif|jpeg|webp);base64,/i;

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName === 'A') markLink(node as HTMLElement);
  if (node.nodeName === 'IMG') {
    const src = node.getAttribute('src') ?? '';
    if (!SAFE_IMAGE.test(src)) {
      const alt = node.getAttribute('alt') ?? '';
      const span = node.ownerDocument.createElement('span');
      span.className = 'blocked-image';
      span.textContent = `[${showInvisibleText(alt) || 'image'}]`;
      node.replaceWith(span);
    }
  }
});

/**
 * A link has no href (VS Code's webview would open it on click, skipping the host's confirmation):
 * its checked target is data-href, opened by the host on a click (main.ts). The target is the
 * title and the hover/focus line; a look-alike (punycode) host or text naming another site gets
 * a visible flag with the real host.
 */
function markLink(a: HTMLElement): void {
  const info = describeLink(a.getAttribute('data-href') ?? '', a.textContent ?? '');
  a.removeAttribute('href');
  a.removeAttribute('target');
  if (!info) {
    a.removeAttribute('data-href');
    a.className = 'md-link-blocked';
    return;
  }
  a.setAttribute('data-href', info.href);
  a.setAttribute('title', info.href);
  a.setAttribute('tabindex', '0');
  a.setAttribute('role', 'link');
  a.className = 'md-link';
  if (info.punycode || info.mismatch) {
    a.classList.add(info.punycode ? 'link-punycode' : 'link-mismatch');
    const flag = a.ownerDocument.createElement('span');
    flag.className = 'link-flag';
    flag.setAttribute('title', info.punycode ? t('Look-alike letters: the real address is in punycode') : t('The link text names another site than the target'));
    flag.textContent = `⚠ ${info.host}`;
    a.append(flag);
  }
}

const PURIFY_CONFIG = {
  FORBID_TAGS: ['style', 'form', 'input', 'textarea', 'select', 'iframe', 'object', 'embed', 'link', 'meta', 'base', 'svg', 'math'],
  FORBID_ATTR: ['style', 'srcset', 'formaction', 'action'],
  ALLOW_DATA_ATTR: true,
  ADD_ATTR: ['data-href'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|data:image\/(?:png|gif|jpeg|webp);base64,)/i,
};

/**
 * Renders Markdown to sanitized HTML, code blocks plain: highlighting is the expensive part, so
 * it is done afterwards, once, by highlightCodeBlocks().
 */
export function renderMarkdown(text: string): string {
  return DOMPurify.sanitize(md.render(text), PURIFY_CONFIG) as unknown as string;
}

/**
 * Highlights the code blocks under `root` a few at a time between frames. Highlighting all of
 * them in one go was the panel's only long task: 95-137 ms at the end of a 4,000-token answer
 * with 41 code blocks (bench/panel-render.ts), a visible freeze right as the answer finished.
 */
export function highlightCodeBlocks(root: HTMLElement): void {
  const pending = [...root.querySelectorAll<HTMLElement>('.code-block code')];
  const slice = (): void => {
    const started = performance.now();
    while (pending.length > 0 && performance.now() - started < HIGHLIGHT_SLICE_MS) highlightOne(pending.shift()!);
    if (pending.length > 0) setTimeout(slice, 0);
  };
  if (pending.length > 0) setTimeout(slice, 0);
}

function highlightOne(code: HTMLElement): void {
  // A block re-rendered meanwhile (a new answer, a reset) is gone or already done.
  if (!code.isConnected || code.dataset.highlighted) return;
  const block = code.closest<HTMLElement>('.code-block');
  // Highlighting re-renders from the text, which has no markers: a marked block stays plain.
  if (block?.classList.contains('has-invisible')) return;
  const lang = block?.dataset.lang ?? '';
  const text = code.textContent ?? '';
  if (!lang || text.length > MAX_HIGHLIGHT_CHARS || !hljs.getLanguage(lang)) return;
  let html: string;
  try {
    html = hljs.highlight(text, { language: lang, ignoreIllegals: true }).value;
  } catch {
    return; // Plain text is a fine fallback.
  }
  // hljs escapes the code it wraps in spans; sanitizing anyway keeps one rule: no model text
  // reaches innerHTML without DOMPurify.
  code.innerHTML = DOMPurify.sanitize(html, PURIFY_CONFIG) as unknown as string;
  code.dataset.highlighted = '1';
}

/**
 * The panel's Markdown rules for untrusted model output (issue 15): no live href, no links out of
 * escaped HTML or inside code, invisible characters marked, nothing lost to the nesting limit.
 */
import { strict as assert } from 'node:assert';
import { md } from '../../../webview/markdownIt';
import { describeLink } from '../../../webview/links';
import { stripInvisible, showInvisibleText } from '../../../webview/invisible';

describe('webview markdown rules', () => {
  it('keeps a link target in data-href, never in href', () => {
    const html = md.render('[click](https://x.example/a) and https://y.example');
    assert.doesNotMatch(html, /\shref=/);
    assert.match(html, /data-href="https:\/\/x\.example\/a"/);
    assert.match(html, /data-href="https:\/\/y\.example"/);
  });

  it('makes no link out of escaped HTML or inside code', () => {
    const html = md.render('<a href="https://evil.example/x" onclick="x">styled</a> <img src=https://t.example/p.png>\n\n`https://code.example` and\n\n```\nhttps://fence.example\n```');
    assert.doesNotMatch(html, /data-href/);
    assert.match(html, /&lt;a href=&quot;https:\/\/evil\.example\/x&quot;/);
  });

  it('still links a URL after a closed escaped tag', () => {
    assert.match(md.render('<b>bold</b> see https://ok.example'), /data-href="https:\/\/ok\.example"/);
  });

  it('marks direction and zero-width characters in text, inline code and code blocks; a block gets a badge', () => {
    const html = md.render('a\u202Eb `c\u200Bd`\n\n```js\nlet x = "\u2066";\n```');
    assert.equal(html.match(/class="invisible-char"/g)?.length, 3);
    assert.doesNotMatch(html, /[\u202E\u200B\u2066]/);
    assert.match(html, /class="code-warning"[^>]*>⚠ 1</);
    assert.equal(stripInvisible('a\u202Eb\u200Bc'), 'abc');
    assert.equal(showInvisibleText('x\u202Ey'), 'x⟦U+202E⟧y');
  });

  it('leaves emoji joined by U+200D alone', () => {
    assert.doesNotMatch(md.render('👨\u200D👩\u200D👧'), /invisible-char/);
  });

  it('shows what the nesting limit would drop as plain text', () => {
    const quotes = `${'>'.repeat(120)} deep text\n`;
    assert.match(md.render(quotes), /class="nesting-overflow"[^>]*>[^<]*deep text/);
    const list = Array.from({ length: 110 }, (_, i) => `${'  '.repeat(i)}- item${i}`).join('\n');
    assert.match(md.render(list), /item109/);
  });
});

describe('webview links', () => {
  it('gives the punycode form of a homoglyph domain and flags it', () => {
    assert.deepEqual(describeLink('https://аpple.com/x', 'Open settings'), { href: 'https://xn--pple-43d.com/x', host: 'xn--pple-43d.com', punycode: true, mismatch: false });
  });

  it('flags text that names another site than the target', () => {
    assert.equal(describeLink('https://evil.example/', 'https://github.com/login')?.mismatch, true);
    assert.equal(describeLink('https://evil.example/', 'github.com')?.mismatch, true);
    assert.equal(describeLink('https://github.com/a', 'www.github.com/b')?.mismatch, false);
    assert.equal(describeLink('https://github.com/a', 'the docs')?.mismatch, false);
    assert.equal(describeLink('https://evil.example/', 'see README.md')?.mismatch, false);
  });

  it('refuses schemes other than http, https and mailto', () => {
    assert.equal(describeLink('javascript:alert(1)', 'x'), undefined);
    assert.equal(describeLink('file:///etc/passwd', 'x'), undefined);
  });
});

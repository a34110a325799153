import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { WEBVIEW_STRINGS } from '../../../src/shared/messages';

const root = join(__dirname, '../../..');
const bundle = JSON.parse(readFileSync(join(root, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
/** The panel, commands and status bar; inline completion and local models check their own. */
const OWNED = (readdirSync(join(root, 'src/vscode'), { recursive: true }) as string[])
  .filter((f) => f.endsWith('.ts') && !/(^|\/)(inlineCompletion|localModels)[^/]*$/.test(f));

/** String literals passed to vscode.l10n.t(…) or to a `t` parameter (pure modules). */
function literals(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/(?:l10n\.t|\bt)\(\s*'((?:[^'\\]|\\.)*)'/g)) out.push(m[1]!.replace(/\\'/g, "'").replace(/\\"/g, '"'));
  return out;
}

describe('l10n: everything the user reads has Simplified Chinese', () => {
  it('every vscode.l10n.t string of the panel, commands and status bar is in the zh-cn bundle', () => {
    const missing: string[] = [];
    for (const file of OWNED) {
      for (const s of literals(readFileSync(join(root, 'src/vscode', file), 'utf8'))) if (!bundle[s]) missing.push(`${file}: ${s}`);
    }
    assert.deepEqual(missing, []);
  });

  it('every webview string is in the zh-cn bundle', () => {
    assert.deepEqual(WEBVIEW_STRINGS.filter((s) => !bundle[s]), []);
  });

  it('keeps {n} placeholders in translations', () => {
    for (const [en, zh] of Object.entries(bundle)) {
      const want = (en.match(/\{\d+\}/g) ?? []).sort().join();
      assert.equal((zh.match(/\{\d+\}/g) ?? []).sort().join(), want, en);
    }
  });

  it('translates every package.nls.json key', () => {
    const en = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8'));
    const zh = JSON.parse(readFileSync(join(root, 'package.nls.zh-cn.json'), 'utf8'));
    assert.deepEqual(Object.keys(en).filter((k) => !zh[k]), []);
    const pkg = readFileSync(join(root, 'package.json'), 'utf8');
    const used = [...pkg.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!);
    assert.deepEqual(used.filter((k) => !(k in en)), [], 'every %key% in package.json exists');
  });
});

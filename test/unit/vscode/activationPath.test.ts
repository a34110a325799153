/**
 * What loading dist/extension.js pulls in: VS Code loads this file on the activation path, which
 * must stay under 50 ms (issue 3; measured by bench/activation.ts). The guard here is not a
 * timing but the cause of every regression so far: a top-level import that drags in zod, the core
 * bundle, a vendor bundle or node:crypto, or one more copy of the vscode API object per module.
 *
 * The bundle is loaded in a child Node (a fresh module cache) with a stand-in `vscode` module
 * that only records how often it was required.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const BUNDLE = path.join(REPO, 'dist/extension.js');

/** Newest modification time under a folder (the sources the bundle is built from). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Loads the bundle in a child process; returns every module id it required, in order. */
function modulesRequiredByLoading(): string[] {
  const probe = `
    const Module = require('node:module');
    const load = Module._load;
    const seen = [];
    Module._load = function (request, parent, isMain) {
      if (parent && parent.filename === ${JSON.stringify(BUNDLE)} || request === 'vscode') seen.push(request);
      if (request === 'vscode') return {};
      return load.apply(this, arguments);
    };
    require(${JSON.stringify(BUNDLE)});
    process.stdout.write(JSON.stringify(seen));
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })) as string[];
}

describe('activation path: what loading dist/extension.js requires', function () {
  this.timeout(60_000);

  before(() => {
    // `npm test` builds first; a lone `npx mocha` may have no bundle or a stale one.
    const stale = !fs.existsSync(BUNDLE) || fs.statSync(BUNDLE).mtimeMs < Math.max(newestMtime(path.join(REPO, 'src')), fs.statSync(path.join(REPO, 'esbuild.mjs')).mtimeMs);
    if (stale) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'ignore' });
  });

  it('requires only the vscode API (once) and the shared core types, nothing big', () => {
    const required = modulesRequiredByLoading();
    assert.deepEqual(
      required.filter((id) => id === 'vscode'),
      ['vscode'],
      'each `import * as vscode` must not copy the API object again (esbuild.mjs: vscodeApiOnce)',
    );
    // zod, the core bundle, the vendor bundles and node:crypto are all required on first use.
    assert.deepEqual(
      required.filter((id) => id !== 'vscode'),
      ['./core-types.js'],
    );
  });

  it('bundles none of the lazy core (dist/core.js) into dist/extension.js, from any folder of src/vscode', () => {
    // esbuild.mjs's LAZY_CORE, read from the build file so that the list cannot drift from the rule.
    const build = fs.readFileSync(path.join(REPO, 'esbuild.mjs'), 'utf8');
    const listed = /const LAZY_CORE = \[([^\]]*)\]/.exec(build);
    assert.ok(listed, 'esbuild.mjs declares LAZY_CORE');
    const lazy = [...listed[1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    // A non-minified bundle names each module it holds in a `// src/…` comment.
    const bundled = new Set(fs.readFileSync(BUNDLE, 'utf8').match(/^\/\/ src\/core\/\S+$/gm) ?? []);
    const eager = lazy.flatMap((m) => [`// src/core/${m}.ts`, `// src/core/${m}/index.ts`]).filter((comment) => bundled.has(comment));
    // The router and the providers are the heart of the core: never on the activation path.
    for (const comment of bundled) if (/^\/\/ src\/core\/(router|providers)\//.test(comment)) eager.push(comment);
    assert.deepEqual(eager, [], 'an adapter imports the core eagerly: require it on first use (see coreFactory.ts), or add it to LAZY_CORE');
  });
});

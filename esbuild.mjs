// Builds every bundle Switchyard ships or tests with:
//   dist/extension.js  — the extension host side (CommonJS, Node 20, `vscode` external)
//   dist/cli.js        — the `switchyard` command line over src/core
//   dist/webview.js    — the panel UI (browser, IIFE) and dist/webview.css
//   dist/vendor/*.js   — big libraries the code requires lazily (see LAZY_VENDORS)
//   out/test/extension/*.js, out/bench/*.js — extension-host tests and benchmarks (--tests)
// Flags: --production (minify, no dev checks), --watch (rebuild on change), --tests.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests') || watch;

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  minify: production,
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' },
};

/**
 * Libraries that are only `require()`d inside functions, on first use, and are big: each is its
 * own bundle in dist/vendor/ so that loading dist/extension.js (which VS Code does on the
 * activation path) does not compile them. Compiling the 2.6 MB single bundle took ~170 ms of
 * the ~350 ms require time; the cl100k rank table (~1 MB) and undici (~0.5 MB) were most of it.
 */
const LAZY_VENDORS = {
  'gpt-tokenizer/encoding/cl100k_base': 'cl100k',
  undici: 'undici',
};

/** Resolves a lazy vendor's import to `./vendor/<name>.js`, next to the bundle that needs it. */
const lazyVendors = {
  name: 'lazy-vendors',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(LAZY_VENDORS).map((k) => k.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: `./vendor/${LAZY_VENDORS[args.path]}.js`, external: true }));
  },
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    plugins: [lazyVendors],
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [lazyVendors],
  },
  {
    ...common,
    entryPoints: Object.fromEntries(Object.entries(LAZY_VENDORS).map(([module, name]) => [`vendor/${name}`, module])),
    outdir: 'dist',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
  },
  {
    ...common,
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    loader: { '.css': 'css' },
  },
];

if (tests) {
  // Extension-host code: the test entry, every test/extension/*.test.ts as its own bundle (the
  // entry discovers them by name, so adding a test is adding a file) and the in-host side of
  // bench/activation.ts. mocha stays external: the host loads it from node_modules.
  const { readdirSync, rmSync } = await import('node:fs');
  // The entry runs every *.test.js it finds: a bundle of a deleted or renamed test must go.
  rmSync('out/test/extension', { recursive: true, force: true });
  const suites = Object.fromEntries(
    readdirSync('test/extension')
      .filter((name) => name.endsWith('.test.ts'))
      .map((name) => [`test/extension/${name.slice(0, -'.ts'.length)}`, `test/extension/${name}`]),
  );
  builds.push({
    ...common,
    minify: false,
    entryPoints: {
      'test/extension/index': 'test/extension/index.ts',
      ...suites,
      'bench/activationHost': 'bench/activationHost.ts',
    },
    outdir: 'out',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'mocha'],
  });
}

const existing = (await import('node:fs')).existsSync;
// Entries that are source files must exist (a feature may not have landed yet); package entries always do.
const active = builds.filter((b) => Object.values(b.entryPoints).every((p) => !/\.[cm]?[jt]s$/.test(p) || existing(p)));

if (watch) {
  for (const options of active) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
  console.log('esbuild: watching for changes…');
} else {
  const started = Date.now();
  await Promise.all(active.map((options) => esbuild.build(options)));
  console.log(`esbuild: ${active.length} bundles built in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}

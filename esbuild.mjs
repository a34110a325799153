// Builds every bundle Switchyard ships or tests with:
//   dist/extension.js  — the extension host side (CommonJS, Node 20, `vscode` external)
//   dist/cli.js        — the `switchyard` command line over src/core
//   dist/gateway.js    — the local API server as its own process, forked by the extension
//   dist/webview.js    — the panel UI (browser, IIFE) and dist/webview.css
//   dist/vendor/*.js   — big libraries the code requires lazily (see LAZY_VENDORS)
//   out/test/extension/*.js, out/bench/*.js — extension-host tests and benchmarks (--tests)
// Flags: --production (minify, no dev checks), --watch (rebuild on change), --tests.
import * as esbuild from 'esbuild';
import * as path from 'node:path';

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
 * Libraries that are only `require()`d inside functions, on first use, and are big: each named
 * bundle in dist/vendor/ holds the modules mapped to it, so that loading dist/extension.js (which
 * VS Code does on the activation path) does not compile them. Compiling the 2.6 MB single bundle
 * took ~170 ms of the ~350 ms require time; the cl100k rank table (~1 MB) and undici (~0.5 MB)
 * were most of it. The provider SDKs (a client is made per request), markdown-it and the Lezer
 * grammars (the code-parse signal, on the first code answer) were ~400 KB more. Modules that
 * share a bundle (the three grammars) share their dependencies (@lezer/lr, @lezer/common).
 */
const LAZY_VENDORS = {
  'gpt-tokenizer/encoding/cl100k_base': 'cl100k',
  undici: 'undici',
  openai: 'openai',
  ollama: 'ollama',
  'markdown-it': 'markdown-it',
  '@lezer/javascript': 'lezer',
  '@lezer/json': 'lezer',
  '@lezer/python': 'lezer',
  // Not lazy (the panel's message schemas need it at load): here so that dist/extension.js and
  // dist/core.js share one copy instead of shipping two (~60 KB).
  'zod/v3': 'zod',
};

/**
 * In the extension and CLI bundles: `require('<module>')` of a lazy vendor becomes
 * `require('./vendor/<bundle>.js')['<module>']`, loaded from next to the bundle on first use.
 */
const lazyVendors = {
  name: 'lazy-vendors',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(LAZY_VENDORS).map((k) => k.replace(/[/.]/g, '\\$&')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'lazy-vendor' }));
    build.onResolve({ filter: /^\.\/vendor\//, namespace: 'lazy-vendor' }, (args) => ({ path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-vendor' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./vendor/${LAZY_VENDORS[args.path]}.js`)})[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
  },
};

/**
 * Each vendor bundle exports `{ '<module>': require('<module>') }` for its modules: exactly what
 * Node's require gives the unbundled code (tests, tsx), i.e. the package's CommonJS side, not
 * its ESM side with a `default` wrapper.
 */
const vendorEntries = {
  name: 'vendor-entries',
  setup(build) {
    build.onResolve({ filter: /^vendor-entry:/ }, (args) => ({ path: args.path.slice('vendor-entry:'.length), namespace: 'vendor-entry' }));
    build.onLoad({ filter: /.*/, namespace: 'vendor-entry' }, (args) => {
      const modules = Object.keys(LAZY_VENDORS).filter((module) => LAZY_VENDORS[module] === args.path);
      return {
        contents: `module.exports = {${modules.map((m) => `${JSON.stringify(m)}: require(${JSON.stringify(m)})`).join(', ')}};`,
        resolveDir: process.cwd(),
        loader: 'js',
      };
    });
  },
};

/**
 * The core modules src/vscode requires on first use rather than imports (coreFactory.ts: the
 * core's one wiring, src/core/assemble.ts; services.ts, endpoints.ts, localModelsService.ts, keyStore.ts): they are dist/core.js, so VS Code does not
 * even compile them when it loads dist/extension.js on the activation path (issue 3). Each is
 * initialised on its first require (the entry's getters). src/core/types.ts is its own bundle,
 * dist/core-types.js, required by both, so SwitchyardError is one class (instanceof) on both sides.
 */
const LAZY_CORE = ['assemble', 'cost', 'escalation', 'switchyard', 'config', 'providers', 'local/localEndpoints', 'net/keyOrigin', 'demoKeys', 'reasons'];
const CORE_TYPES = path.resolve('src/core/types.ts');

/** Points every import of src/core/types.ts at dist/core-types.js. */
const sharedCoreTypes = {
  name: 'shared-core-types',
  setup(build) {
    build.onResolve({ filter: /\/types$/ }, (args) =>
      path.resolve(args.resolveDir, `${args.path}.ts`) === CORE_TYPES ? { path: './core-types.js', external: true } : undefined,
    );
  },
};

/**
 * In dist/extension.js: a require of one of the LAZY_CORE modules from anywhere under src/vscode
 * (`../core/cost`, `../../core/cost`, …) becomes `require('./core.js')['cost']`. Matched on the
 * resolved file, not the literal path, so that moving an adapter into a feature folder cannot
 * make it bundle the core eagerly (test/unit/vscode/activationPath.test.ts checks the result).
 */
const lazyCore = {
  name: 'lazy-core',
  setup(build) {
    const coreDir = path.resolve('src/core');
    const adapters = path.resolve('src/vscode') + path.sep;
    const filter = new RegExp(`(^|/)core/(${LAZY_CORE.map((m) => m.replace('/', '\\/')).join('|')})$`);
    build.onResolve({ filter }, (args) => {
      if (!args.importer.startsWith(adapters)) return undefined;
      const module = path.relative(coreDir, path.resolve(args.resolveDir, args.path)).split(path.sep).join('/');
      return LAZY_CORE.includes(module) ? { path: module, namespace: 'lazy-core' } : undefined;
    });
    build.onResolve({ filter: /^\.\/core\.js$/, namespace: 'lazy-core' }, (args) => ({ path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-core' }, (args) => ({
      contents: `module.exports = require("./core.js")[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
  },
};
/** dist/core.js's entry: a getter per module, so each is initialised on its first require. */
const coreEntry = {
  name: 'core-entry',
  setup(build) {
    build.onResolve({ filter: /^core-entry$/ }, () => ({ path: 'core-entry', namespace: 'core-entry' }));
    build.onLoad({ filter: /.*/, namespace: 'core-entry' }, () => ({
      contents: `module.exports = {${LAZY_CORE.map((m) => `get ${JSON.stringify(m)}() { return require(${JSON.stringify(`./src/core/${m}`)}); }`).join(', ')}};`,
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};

/**
 * Each `import * as vscode from 'vscode'` (one per adapter module) would copy the whole API
 * object again (esbuild's __toESM over its hundreds of properties): ~15 ms of loading
 * dist/extension.js in the extension host, a third of the activation budget (issue 3). Every
 * import goes to one ES module that re-exports the API instead, so it is copied once.
 */
const vscodeApiOnce = {
  name: 'vscode-api-once',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'vscode-api' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-api' },
    );
    build.onLoad({ filter: /.*/, namespace: 'vscode-api' }, () => ({ contents: "export * from 'vscode';", loader: 'js' }));
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
    plugins: [vscodeApiOnce, lazyVendors, lazyCore, sharedCoreTypes],
  },
  {
    ...common,
    entryPoints: { core: 'core-entry', 'core-types': 'src/core/types.ts' },
    outdir: 'dist',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    plugins: [lazyVendors, coreEntry, sharedCoreTypes],
  },
  {
    ...common,
    // dist/demo.js: the demo servers, required by the extension only when the demo is tried, and
    // run by `npm start` (scripts/start.sh) on a machine with no model and no key.
    // dist/gateway.js: the gateway VS Code forks on "Start Local API Server" (src/gateway/hostMain.ts);
    // Fastify and its copy of the core live only there and in dist/cli.js, never in dist/extension.js.
    entryPoints: { cli: 'src/cli/main.ts', demo: 'src/demo/index.ts', gateway: 'src/gateway/hostMain.ts' },
    outdir: 'dist',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
    plugins: [lazyVendors],
  },
  {
    ...common,
    entryPoints: Object.fromEntries([...new Set(Object.values(LAZY_VENDORS))].map((name) => [`vendor/${name}`, `vendor-entry:${name}`])),
    outdir: 'dist',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    plugins: [vendorEntries],
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

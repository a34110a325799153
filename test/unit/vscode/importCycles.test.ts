/**
 * src/vscode is laid out by feature (app/, chat/, panel/, keys/, budget/, statusBar/, completion/,
 * local/, firstRun/, with commands.ts at the root) and has no import cycle: a cycle between two
 * adapters means neither can be read, tested or loaded without the other (services.ts and
 * localModelsService.ts were one, issue 17). Type-only imports are left out: they vanish at build.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const adapters = join(root, 'src/vscode');
/** The feature folders of src/vscode; a new one is a decision, so it is listed here. */
const FEATURES = ['app', 'budget', 'chat', 'completion', 'firstRun', 'keys', 'local', 'panel', 'reliability', 'statusBar'];

/** Runtime imports and requires of one file, as absolute paths without extension, within src/vscode. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  // `import x from`, `import { a } from`, `export … from`, `require(…)`; not `import type`.
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+'(\.[^']+)'|require\('(\.[^']+)'\)/g)) {
    const target = resolve(dirname(file), (m[1] ?? m[2])!);
    if (target.startsWith(adapters)) out.push(target);
  }
  return out;
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('src/vscode layout', () => {
  const files = (readdirSync(adapters, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.ts'));

  it('has only commands.ts at its root; every other adapter is in a feature folder', () => {
    const outside = files.filter((f) => !f.includes('/') ? f !== 'commands.ts' : !FEATURES.includes(f.split('/')[0]!));
    assert.deepEqual(outside, []);
  });

  it('has no import cycle between adapters', () => {
    const graph = new Map(files.map((f) => [join(adapters, f).replace(/\.ts$/, ''), runtimeImports(join(adapters, f))]));
    const cycle = findCycle(graph);
    assert.equal(cycle?.map((f) => relative(adapters, f)).join(' → '), undefined);
  });
});

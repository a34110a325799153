/**
 * The longest functions in the given files, by source lines (from the line of the declaration
 * to the line of its closing brace, nested functions counted inside their parent too), so that
 * a refactor can show its before/after (issue 17: "the line counts of the largest functions").
 *
 * Run: npx tsx scripts/function-lengths.ts [--top N] <file.ts>…   (default: every .ts under src/core/router, top 10)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** Rows printed when --top is not given: enough to see every function near the limit. */
const DEFAULT_TOP = 10;
const DEFAULT_DIR = 'src/core/router';

interface Row {
  file: string;
  name: string;
  lines: number;
}

function functionName(node: ts.Node): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && ts.isIdentifier(named.name)) return named.name.text;
  if (named.name) return named.name.getText();
  // An arrow or function expression: the variable or property it is assigned to.
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name) {
    return parent.name.getText();
  }
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  return '(anonymous)';
}

function lengths(file: string): Row[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const rows: Row[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      rows.push({ file, name: functionName(node), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return rows;
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : DEFAULT_TOP;
const files =
  args.length > 0
    ? args
    : readdirSync(DEFAULT_DIR, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .map((f) => join(DEFAULT_DIR, f));
const rows = files.flatMap(lengths).sort((a, b) => b.lines - a.lines).slice(0, top);
for (const r of rows) console.log(`${String(r.lines).padStart(5)}  ${r.name}  (${r.file})`);

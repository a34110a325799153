/**
 * The longest functions in src/ and webview/, by lines (issue 17 asks for them before and after a
 * restructuring): `npm run bench:functions [-- N]` prints the N longest (default 15). Counts every
 * function-like node — declarations, methods, arrows and function expressions — from its first
 * to its last line, so a nested function is counted both on its own and inside its parent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const ROOTS = ['src', 'webview'];
const DEFAULT_SHOWN = 15;

interface Sized { file: string; name: string; lines: number }

function nameOf(node: ts.Node): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText();
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText();
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
  return '(anonymous)';
}

function sizes(file: string): Sized[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Sized[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file, name: nameOf(node), lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

const shown = Number(process.argv[2] ?? DEFAULT_SHOWN);
const files = ROOTS.flatMap((root) => (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.join(root, f)));
const all = files.flatMap(sizes).sort((a, b) => b.lines - a.lines);
for (const f of all.slice(0, shown)) console.log(`${String(f.lines).padStart(5)}  ${f.name}  ${f.file}`);

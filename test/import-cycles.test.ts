/**
 * libs/pipeline has no import cycle: every non-test TypeScript file under libs/pipeline/src is
 * parsed with the compiler's parser, its relative imports and re-exports resolved to files
 * (`./x.js` → x.ts, a folder → its index.ts), and the graph's strongly connected components found:
 * one cycle through each is printed file by file. Type-only imports count too: a cycle of types
 * still ties the files together.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const SOURCE_ROOT = join(root, 'libs/pipeline/src');

const isTest = (path: string) => /\.test\.ts$/.test(path);

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => !isTest(path))
    .sort();
}

/** The module specifiers of a file's imports and re-exports (static ones and `import('…')`). */
function specifiers(path: string): string[] {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) found.push(arg.literal.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The file a relative specifier names, or null when it is a package or names no .ts file. */
function resolveRelative(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = resolve(dirname(from), specifier);
  const candidates = [
    target.replace(/\.(m?js)$/, (_, ext: string) => (ext === 'mjs' ? '.mts' : '.ts')),
    `${target}.ts`,
    join(target, 'index.ts'),
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** The import graph: file → the files it imports (only files inside the graph's set). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = specifiers(file)
      .map((s) => resolveRelative(file, s))
      .filter((t): t is string => t !== null && known.has(t));
    graph.set(file, [...new Set(targets)].sort());
  }
  return graph;
}

/** The strongly connected components of more than one file (or one importing itself), Tarjan's way. */
function tangles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) visit(to);
      if (stack.includes(to)) low.set(node, Math.min(low.get(node)!, low.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = stack.splice(stack.indexOf(node));
    if (component.length > 1 || graph.get(node)?.includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** One cycle through `start` inside `within`, as its files in import order (`start` again last). */
function cycleThrough(
  graph: ReadonlyMap<string, readonly string[]>,
  start: string,
  within: readonly string[],
) {
  const seen = new Set<string>();
  const path: string[] = [];
  const walk = (node: string): string[] | null => {
    path.push(node);
    seen.add(node);
    for (const to of graph.get(node) ?? []) {
      if (to === start) return [...path, start];
      if (within.includes(to) && !seen.has(to)) {
        const cycle = walk(to);
        if (cycle) return cycle;
      }
    }
    path.pop();
    return null;
  };
  return walk(start) ?? [];
}

/** One cycle per tangle of the graph (none when the graph is acyclic). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  return tangles(graph).map((component) => cycleThrough(graph, component[0]!, component));
}

describe('import cycles', () => {
  it('finds a cycle in a small graph and none in a tree', () => {
    const cyclic = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycles(cyclic)).toEqual([['a', 'b', 'c', 'a']]);
    expect(findCycles(new Map([['a', ['a']]]))).toEqual([['a', 'a']]);
    expect(
      findCycles(
        new Map([
          ['a', ['b', 'c']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('has none in libs/pipeline/src', () => {
    const files = sources(SOURCE_ROOT);
    expect(files.length).toBeGreaterThan(50);
    const cycles = findCycles(importGraph(files)).map((c) => c.map((f) => relative(root, f)));
    for (const cycle of cycles) console.error(`import cycle in libs/pipeline:\n  ${cycle.join('\n  → ')}`);
    expect(cycles).toEqual([]);
  });
});

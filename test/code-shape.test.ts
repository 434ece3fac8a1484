/**
 * The tree stays readable: no source file over 300 lines and no function outside tests over 60
 * lines (TypeScript sources of libs, services, bench, test, deploy and scripts, measured with the compiler's parser).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT as root, sourceFiles } from './support/source-files.js';

const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;

const sources = () =>
  sourceFiles(['libs', 'services', 'bench', 'test', 'deploy', 'scripts'], (name) => /\.(ts|mts)$/.test(name));

const isTest = (path: string) => /\.(test|e2e\.test)\.ts$/.test(path) || path.includes('/test/');

/** Every function-like node of more than MAX_FUNCTION_LINES lines, as `file:line name (n lines)`. */
function longFunctions(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = file.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (end - start + 1 > MAX_FUNCTION_LINES) {
        const name = node.name?.getText() ?? '(anonymous)';
        found.push(`${relative(root, path)}:${start + 1} ${name} (${end - start + 1} lines)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('code shape', () => {
  it(`has no source file over ${MAX_FILE_LINES} lines`, () => {
    const long = sources()
      .map((path) => [relative(root, path), readFileSync(path, 'utf8').split('\n').length - 1] as const)
      .filter(([, lines]) => lines > MAX_FILE_LINES)
      .map(([path, lines]) => `${path} (${lines} lines)`);
    expect(long).toEqual([]);
  });

  it(`has no function outside tests over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = sources()
      .filter((path) => !isTest(path))
      .flatMap(longFunctions);
    expect(long).toEqual([]);
  });
});

/**
 * Every environment variable the code reads is in the one catalogue (libs/common/src/env-vars.ts,
 * rendered to docs/environment.md), and every catalogued variable is read somewhere.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../libs/common/src/env-vars.js';
import { REPO_ROOT as root, sourceFiles } from './support/source-files.js';

/** Names that look like variables but are not read from the environment. */
const NOT_VARIABLES = new Set([
  'MEMGEN_JOBS', // the JetStream stream's name
  'MEMGEN_VERSION', // a constant: the package version on /metrics
]);

/** Non-test sources: TypeScript, the CLI's entry, shell scripts and the native C++. */
const sources = () =>
  sourceFiles(
    ['libs', 'services', 'bench', 'scripts', 'deploy'],
    (name) => !/\.(test|e2e\.test)\.ts$/.test(name) && /\.(ts|mts|mjs|sh|cc|h|inc|gyp)$/.test(name),
  );

/** Every variable a source reads: MEMGEN_* names anywhere, others where the environment is indexed. */
function variablesIn(text: string): string[] {
  const memgen = [...text.matchAll(/\bMEMGEN_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]);
  const indexed = [
    ...text.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]+)|\[\s*['"]([A-Z][A-Z0-9_]+)['"]\s*\])/g),
    ...text.matchAll(/getenv\("([A-Z][A-Z0-9_]+)"\)/g),
  ].map((m) => m[1] ?? m[2] ?? '');
  return [...new Set([...memgen, ...indexed])].filter((n) => n && !NOT_VARIABLES.has(n));
}

describe('environment variables', () => {
  const read = new Map<string, string>();
  for (const path of sources()) {
    for (const name of variablesIn(readFileSync(path, 'utf8'))) {
      if (!read.has(name)) read.set(name, relative(root, path));
    }
  }
  const catalogued = new Set(ENV_VARS.map((v) => v.name));

  it('the code reads no variable the catalogue lacks', () => {
    const missing = [...read].filter(([name]) => !catalogued.has(name)).map(([n, p]) => `${n} (${p})`);
    expect(missing).toEqual([]);
  });

  it('the catalogue names no variable the code does not read, and none twice', () => {
    expect([...catalogued].filter((name) => !read.has(name))).toEqual([]);
    expect(catalogued.size).toBe(ENV_VARS.length);
  });

  it('finds reads in every form the code uses', () => {
    // A name built around a placeholder (MEMGEN_NATS_ + role) is a template, not a read.
    const text = `env.MEMGEN_A; process.env['OMP_X']; getenv("MEMGEN_B"); MEMGEN_NATS_\${r}_PASS`;
    expect(variablesIn(text).sort()).toEqual(['MEMGEN_A', 'MEMGEN_B', 'OMP_X']);
  });
});

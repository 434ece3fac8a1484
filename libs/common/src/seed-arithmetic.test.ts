/**
 * Seeds are never combined by arithmetic, and no code outside random.ts builds a generator: every
 * draw comes from `stream(seed, purpose)`. Offsets such as "the seed plus the split index" collide as
 * soon as two offsets sum to the same number, so the non-test TypeScript of libs/ and services/ is
 * searched for them here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const HOME = 'libs/common/src/random.ts';

/** What is forbidden, and where it may still appear. */
const RULES: { name: string; pattern: RegExp; allowedIn?: string }[] = [
  {
    name: 'seed arithmetic',
    pattern: /\bseed\b(\s*\?\?\s*\w+)?\s*\)?\s*(\+|\*|\^|-(?!-))\s*[\w(]/i,
  },
  { name: 'a raw xoroshiro128plus generator', pattern: /\bxoroshiro128plus\s*\(/, allowedIn: HOME },
  { name: 'a pure-rand import', pattern: /from\s+['"]pure-rand/, allowedIn: HOME },
  { name: 'createRng', pattern: /\bcreateRng\s*\(/ },
];

const isTest = (path: string) => /\.test\.ts$/.test(path) || /\/test-(fixtures?|support)\.ts$/.test(path);

function sources(): string[] {
  const out: string[] = [];
  for (const top of ['libs', 'services']) {
    for (const entry of readdirSync(join(root, top), { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      if (!entry.isFile() || !/\.m?ts$/.test(entry.name) || path.includes('node_modules')) continue;
      if (!isTest(path)) out.push(path);
    }
  }
  return out.sort();
}

/** Every `file:line rule: text` where a rule matches outside the place it is allowed. */
function violations(path: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const rule of RULES) {
      if (rule.allowedIn === path || !rule.pattern.test(line)) continue;
      found.push(`${path}:${i + 1} ${rule.name}: ${line.trim()}`);
    }
  });
  return found;
}

describe('no seed arithmetic', () => {
  it('the rules catch what they are for and leave named streams alone', () => {
    const bad = [
      'seed: spec.study.seed + s,',
      'createRng(seed+1)',
      'const x = options.seed ^ 0x5a;',
      'splitHalfStatistics(mem, gen, spec.study.seed * 1000 + s)',
      'pairFolds(n, folds, (options.seed ?? 0) + FOLD_STREAM)',
      'const rng = xoroshiro128plus(seed);',
      "import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';",
    ];
    for (const line of bad) expect(violations('x.ts', line), line).not.toEqual([]);
    const good = [
      "stream(spec.study.seed, 'consistency').derive('split-1').derive('fraction-0')",
      'const seed = parseSeed(o.seed, "--seed");',
      'seeds: rs.map((r) => r.seed),',
      'const label = "seed " + String(seed);',
      'seedSchema.max(SEED_MAX)',
    ];
    for (const line of good) expect(violations('x.ts', line), line).toEqual([]);
  });

  it('finds none in the non-test sources of libs/ and services/', () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(100);
    expect(files.map((f) => relative(root, f))).toContain(HOME);
    const found = files.flatMap((f) => violations(relative(root, f), readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });
});

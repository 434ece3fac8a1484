/**
 * Every spec the docs commit (sweep, probe and lever specs) still parses and expands under today's
 * schemas, so a README or notes command that names one runs: a renamed field or a preset that no
 * longer exists fails here, naming the file, instead of minutes into a sweep.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandSweep, loadSweepSpec } from '@memgen/coordinator';
import { expandLevers, parseTrainSpec } from '@memgen/pipeline';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/source-files.js';

const specs = (dir: string) =>
  readdirSync(join(REPO_ROOT, 'docs', dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(REPO_ROOT, 'docs', dir, f));

describe('committed specs', () => {
  it('sweep specs expand into units whose training specs and study configs are valid', async () => {
    const files = specs('sweep-specs');
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const units = expandSweep(await loadSweepSpec(file));
      expect(units.length, file).toBeGreaterThan(0);
    }
    const rotary = expandSweep(
      await loadSweepSpec(join(REPO_ROOT, 'docs/sweep-specs/color-quick-rotary.json')),
    );
    expect(rotary.map((u) => u.train.model.positions)).toEqual(['rotary']);
  });

  it('probe specs are valid training specs', () => {
    const files = specs('probe-specs');
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      const spec = parseTrainSpec(JSON.parse(readFileSync(file, 'utf8')));
      expect(spec.phases.length, file).toBeGreaterThan(0);
    }
  });

  it('lever specs expand into one valid training spec per lever × size × seed', () => {
    for (const file of specs('lever-specs')) {
      const study = JSON.parse(readFileSync(file, 'utf8'));
      const cells = expandLevers(study);
      const n = Object.keys(study.levers).length * study.sizes.length * study.seeds.length;
      expect(cells, file).toHaveLength(n);
    }
  });
});

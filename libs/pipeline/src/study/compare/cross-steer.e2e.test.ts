/**
 * Steering one run with another run's coordinates, on two nano fixture runs (the fixture's seeds): with
 * its own statistics the numbers are the steering stage's; with another run's, only the coordinates
 * (and NMD) change.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson } from '@memgen/common';
import { useTestBackend } from '@memgen/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../../stage.js';
import { FIXTURE_SEEDS, fixtureRunSpec, fixtureStudyConfig, fixtureTrain } from '../common/test-fixture.js';
import { runStudy } from '../run.js';
import { RUN_FILES } from '../run-dir.js';
import type { SteeringFile } from '../steer/steering-file.js';
import { crossSteer } from './cross-steer.js';
import { crossSteeringMarkdown } from './cross-steer-markdown.js';

let root: string;
const study = fixtureStudyConfig();
/** The directory of the k-th fixture run. */
const runDir = (k: number) => join(root, `s${k}`);

beforeAll(async () => {
  await useTestBackend();
  root = await mkdtemp(join(tmpdir(), 'memgen-cross-steer-'));
  for (const [k, seed] of FIXTURE_SEEDS.entries()) {
    await runStudy(fixtureRunSpec(seed), quietContext(runDir(k)), { train: fixtureTrain });
  }
}, 300_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('crossSteer', () => {
  it('steers with the statistics-based settings only; own numbers are the steering stage’s', async () => {
    const x = await crossSteer(runDir(0), runDir(1), study);
    expect(x.settings.map((s) => s.id)).toEqual([
      'add-nmd-resid-top25-last-a20',
      'mean-class-resid-top25-last',
      'scale-resid-top25-last-a1',
    ]);
    const stage = await readJson<SteeringFile>(join(runDir(1), RUN_FILES.steering));
    expect(x.unsteered).toEqual(stage.unsteered.counts);
    expect(x.items).toBe(stage.items);
    for (const s of x.settings) {
      const own = stage.settings.find((t) => t.id === s.id)!;
      for (const field of ['mem_to_gen', 'mem_to_gen_control', 'gen_to_mem', 'gen_to_mem_control'] as const)
        expect(s.own[field]).toBe(own[field]);
      expect(s.own.capability).toBe(own.capability);
    }
    // Another run's top-25 % mask is another set of coordinates: some run decodes differently.
    const differs = x.settings.some(
      (s) => s.own.mem_to_gen !== s.borrowed.mem_to_gen || s.own.gen_to_mem !== s.borrowed.gen_to_mem,
    );
    expect(differs || x.settings.some((s) => s.own.capability !== s.borrowed.capability)).toBe(true);
    expect(x.holmBorrowed.tests).toBeGreaterThan(0);
    const { from: _from, to: _to, ...numbers } = x;
    const md = crossSteeringMarkdown([{ ...numbers, from: 0, to: 1 }], (i) => `run ${i + 1}`);
    expect(md).toContain("**run 2 steered with run 1's coordinates**");
    expect(md).toContain('| add-nmd-resid-top25-last-a20 |');
    expect(md).toContain("capability: own / other run's (unsteered)");
  }, 300_000);

  it('a run steered with its own statistics as the other run’s gives identical numbers', async () => {
    const x = await crossSteer(runDir(0), runDir(0), study);
    for (const s of x.settings) expect(s.borrowed).toEqual(s.own);
  }, 300_000);

  it('names a run without statistics', async () => {
    await expect(crossSteer(join(root, 'none'), runDir(0), study)).rejects.toThrow(/none/);
  });
});

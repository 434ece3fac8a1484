/** What a sweep spec may ask: seeds in the generator's range, and a capped number of jobs, refused before expansion. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecError } from '@memgen/common';
import { afterEach, describe, expect, it } from 'vitest';
import { expandSweep } from './plan.js';
import { loadSweepSpec, parseSweepSpec, sweepJobCount } from './sweep-spec.js';
import { tinySweepSpec } from './testing/tiny-sweep.js';

const seeds = (n: number) => Array.from({ length: n }, (_, i) => i);
const saved = process.env.MEMGEN_MAX_SWEEP_JOBS;
afterEach(() => {
  if (saved === undefined) delete process.env.MEMGEN_MAX_SWEEP_JOBS;
  else process.env.MEMGEN_MAX_SWEEP_JOBS = saved;
});

describe('sweep spec limits', () => {
  it('refuses a 100 000-seed spec file on load, naming the cap and how to raise it', async () => {
    delete process.env.MEMGEN_MAX_SWEEP_JOBS;
    const path = join(await mkdtemp(join(tmpdir(), 'memgen-limits-')), 'huge.json');
    await writeFile(path, JSON.stringify({ tasks: ['color'], presets: ['quick'], seeds: seeds(100_000) }));
    const refusal = await loadSweepSpec(path).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(SpecError);
    expect((refusal as Error).message).toBe(
      'sweep spec: asks for 400000 jobs in one sweep, above the limit of 1000 (set MEMGEN_MAX_SWEEP_JOBS to raise it)',
    );
  });

  it('refuses 2 000 seeds (8 000 jobs) and counts every axis: tasks × presets × sizes × seeds × groups', () => {
    delete process.env.MEMGEN_MAX_SWEEP_JOBS;
    expect(() => parseSweepSpec({ tasks: ['color'], presets: ['quick'], seeds: seeds(2000) })).toThrow(
      'sweep spec: asks for 8000 jobs in one sweep, above the limit of 1000',
    );
    const spec = {
      tasks: ['color', 'addition'],
      presets: ['quick'],
      sizes: ['micro', 'tiny'],
      seeds: seeds(62),
    };
    expect(sweepJobCount(parseSweepSpec(spec))).toBe(992);
    expect(() => parseSweepSpec({ ...spec, seeds: seeds(63) })).toThrow(/asks for 1008 jobs/);
  });

  it('takes a raised cap from MEMGEN_MAX_SWEEP_JOBS, and still finds a duplicate seed in a long list', () => {
    process.env.MEMGEN_MAX_SWEEP_JOBS = '40000';
    expect(parseSweepSpec({ tasks: ['color'], presets: ['quick'], seeds: seeds(10_000) }).seeds).toHaveLength(
      10_000,
    );
    expect(() =>
      parseSweepSpec({ tasks: ['color'], presets: ['quick'], seeds: [...seeds(9_999), 17] }),
    ).toThrow('sweep spec: seeds: 17 is listed twice');
  });

  it('refuses seeds outside 0 … 2^32 − 1, naming the entry and the range', () => {
    for (const [bad, index] of [
      [-5, 1],
      [2 ** 32, 1],
      [1.5, 1],
    ] as const) {
      expect(() => parseSweepSpec({ tasks: ['color'], presets: ['quick'], seeds: [0, bad] })).toThrow(
        `sweep spec: field "seeds.${index}": expected an integer from 0 to 4294967295`,
      );
    }
    expect(parseSweepSpec({ tasks: ['color'], presets: ['quick'], seeds: [2 ** 32 - 1] }).seeds).toEqual([
      4294967295,
    ]);
  });

  it('refuses a unit whose training asks for more steps than MEMGEN_MAX_TRAIN_STEPS', () => {
    const spec = tinySweepSpec([0]);
    const train = { ...spec.train, phases: [{ name: 'long', steps: 2_000_000, mix: { any: 1 }, lr: 0.003 }] };
    expect(() => expandSweep(parseSweepSpec({ ...spec, train }))).toThrow(
      'sweep unit color-smoke-s0: train spec: asks for 2000000 training steps in one run ' +
        "(each phase's steps, or its mastery.maxSteps), above the limit of 1000000 (set MEMGEN_MAX_TRAIN_STEPS to raise it)",
    );
  });
});

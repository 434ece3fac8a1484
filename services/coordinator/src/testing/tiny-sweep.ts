/**
 * A sweep spec small enough for integration tests: the nano model with a large initialisation on a
 * 4-name color grammar, 40 training steps, the smoke study preset — a unit takes about 3 s and
 * still yields flipped pairs, statistics and steering numbers.
 */
import { writeFile } from 'node:fs/promises';
import { TINY_COLOR_CONFIG } from '@memgen/tasks';
import type { SweepSpec } from '../sweep-spec.js';

/**
 * The tiny sweep over `seeds`. `length` stretches its one training phase, evaluated (and its state
 * saved) every `length.every` steps: for tests that stop a training job midway.
 */
export function tinySweepSpec(seeds: number[] = [0, 1], length = { steps: 40, every: 40 }): SweepSpec {
  return {
    tasks: ['color'],
    presets: ['smoke'],
    seeds,
    train: {
      task: {
        config: structuredClone(TINY_COLOR_CONFIG),
      },
      model: { preset: 'nano', overrides: { initStd: 0.3 } },
      // Rates as written: the preset's width rule would scale them for the nano model's width.
      lrScaling: null,
      phases: [{ name: 'rule', steps: length.steps, mix: { any: 1 }, lr: 0.003, warmupSteps: 0 }],
      eval: { every: length.every, conflict: 50, rule: 50, memorized: 20 },
      selection: { margin: 0 },
    },
  };
}

/** Writes the tiny spec as JSON to `path` and returns the path. */
export async function writeTinySweepSpec(path: string, seeds?: number[]): Promise<string> {
  await writeFile(path, `${JSON.stringify(tinySweepSpec(seeds), null, 2)}\n`);
  return path;
}

/**
 * The sweep spec: tasks × presets × model sizes × seeds, plus overrides merged into every unit's
 * training spec and study config. YAML or JSON; validated with zod so a wrong field fails with an
 * Error naming it (`sweep spec: seeds.1: …`), and held to the jobs-per-sweep cap before a single
 * unit is expanded.
 */

import { readFile } from 'node:fs/promises';
import { checkLimit, parseSpecText, parseWith, SpecError, seedSchema } from '@memgen/common';
import { JOB_GROUPS } from '@memgen/pipeline';
import { z } from 'zod';

const token = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lowercase name like "color"');

export const sweepSpecSchema = z.strictObject({
  /** Task names (libs/tasks): color, addition, cipher. */
  tasks: z.array(token).min(1),
  /** Training + study presets: smoke, quick, paper. */
  presets: z.array(token).min(1),
  /**
   * Model sizes (libs/model presets: micro, tiny, small, …) each preset's curriculum is trained at;
   * omitted = each preset's own size. With sizes, run ids are `<task>-<preset>-<size>-s<seed>`.
   */
  sizes: z.array(token).min(1).optional(),
  /** Seeds of training and of every study draw (0 … 2^32 − 1). */
  seeds: z.array(seedSchema).min(1),
  /** Deep-merged into each unit's training preset (objects merge, arrays and scalars replace). */
  train: z.record(z.string(), z.unknown()).optional(),
  /** Overrides of the study config on top of the preset (the seed is always the unit's seed). */
  study: z.record(z.string(), z.unknown()).optional(),
});

export type SweepSpec = z.output<typeof sweepSpecSchema>;

/** Jobs the spec asks for: one per job group of every task × preset × size × seed. */
export function sweepJobCount(spec: SweepSpec): number {
  const units = spec.tasks.length * spec.presets.length * (spec.sizes?.length ?? 1) * spec.seeds.length;
  return units * JOB_GROUPS.length;
}

/**
 * Validates a parsed sweep spec, holds it to the jobs-per-sweep cap (MEMGEN_MAX_SWEEP_JOBS) and
 * rejects duplicate list entries (they would name the same jobs).
 * @throws SpecError naming the first wrong field, or the cap and how to raise it.
 */
export function parseSweepSpec(input: unknown): SweepSpec {
  const spec = parseWith(sweepSpecSchema, input, 'sweep spec');
  checkLimit('sweepJobs', sweepJobCount(spec), 'sweep spec');
  for (const field of ['tasks', 'presets', 'sizes', 'seeds'] as const) {
    const list = (spec[field] ?? []) as readonly unknown[];
    const seen = new Set<unknown>();
    const twice = list.find((value) => seen.size === seen.add(value).size);
    if (twice !== undefined)
      throw new SpecError(`sweep spec: ${field}: ${JSON.stringify(twice)} is listed twice`);
  }
  return spec;
}

/**
 * Reads a sweep spec from a YAML or JSON file (parseSpecText: JSON, else YAML, seeds in decimal
 * digits either way).
 * @throws Error naming the file when it cannot be read or parsed, or the field that is wrong.
 */
export async function loadSweepSpec(path: string): Promise<SweepSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read sweep spec ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let value: unknown;
  try {
    value = parseSpecText(text, 'sweep spec');
  } catch (err) {
    if (err instanceof SpecError) throw err;
    throw new Error(`sweep spec ${path} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  return parseSweepSpec(value);
}

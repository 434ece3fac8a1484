/**
 * The sweep spec: tasks × presets × model sizes × seeds, plus overrides merged into every unit's
 * training spec and study config. YAML or JSON; validated with zod so a wrong field fails with an
 * Error naming it (`sweep spec: seeds.1: …`).
 */

import { readFile } from 'node:fs/promises';
import { parseWith } from '@memgen/common';
import { parse as parseYaml } from 'yaml';
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
  /** Seeds of training and of every study draw. */
  seeds: z.array(z.number().int().min(0)).min(1),
  /** Deep-merged into each unit's training preset (objects merge, arrays and scalars replace). */
  train: z.record(z.string(), z.unknown()).optional(),
  /** Overrides of the study config on top of the preset (the seed is always the unit's seed). */
  study: z.record(z.string(), z.unknown()).optional(),
});

export type SweepSpec = z.output<typeof sweepSpecSchema>;

/**
 * Validates a parsed sweep spec and rejects duplicate list entries (they would name the same jobs).
 * @throws Error naming the first wrong field.
 */
export function parseSweepSpec(input: unknown): SweepSpec {
  const spec = parseWith(sweepSpecSchema, input, 'sweep spec');
  for (const field of ['tasks', 'presets', 'sizes', 'seeds'] as const) {
    const list = (spec[field] ?? []) as readonly unknown[];
    const twice = list.find((value, i) => list.indexOf(value) !== i);
    if (twice !== undefined)
      throw new Error(`sweep spec: ${field}: ${JSON.stringify(twice)} is listed twice`);
  }
  return spec;
}

/**
 * Reads a sweep spec from a YAML or JSON file (JSON is YAML, so one parser reads both).
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
    value = parseYaml(text);
  } catch (err) {
    throw new Error(`sweep spec ${path} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  return parseSweepSpec(value);
}

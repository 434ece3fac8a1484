/**
 * A lever study: one training spec (usually a curriculum's first phases alone), changed one factor
 * at a time (a lever), trained at several model sizes and seeds, and read for when each mastery-gated
 * phase was learned. The table says, per lever × size × seed, the step at which each phase reached
 * its mastery threshold, or that it did not within its cap.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deepMerge, type PlainObject, parseWith, SpecError, seedSchema } from '@memgen/common';
import { MODEL_PRESETS } from '@memgen/model';
import { z } from 'zod';
import type { PhaseRecord } from './phase-cursor.js';
import { parseTrainSpec, type TrainSpec } from './spec.js';

const leverSchema = z.strictObject({
  /** Deep-merged into the base spec (objects merge, arrays and scalars replace), e.g. lrScaling. */
  train: z.record(z.string(), z.unknown()).default({}),
  /** Deep-merged into every phase of the base spec, e.g. { warmupSteps: 1000 }. */
  phase: z.record(z.string(), z.unknown()).default({}),
});

export const leverSpecSchema = z.strictObject({
  /** The training spec every cell starts from (its seed and model.preset are the cell's). */
  base: z.record(z.string(), z.unknown()),
  /** libs/model presets each lever is trained at. */
  sizes: z.array(z.string().min(1)).min(1),
  seeds: z.array(seedSchema).min(1),
  /** Lever name → what it changes; a lever with no changes is the baseline. */
  levers: z.record(
    z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'lowercase, digits, dots and dashes'),
    leverSchema,
  ),
});

export type LeverSpec = z.output<typeof leverSpecSchema>;

/** One trained cell of the study: a lever at a size and seed. */
export interface LeverCell {
  lever: string;
  size: string;
  seed: number;
  /** The run directory, relative to the study's directory. */
  dir: string;
  train: TrainSpec;
}

/** How one gated phase of a cell ended. */
export interface PhaseOutcome {
  name: string;
  /** Steps the phase ran (to its mastery, or to its cap). */
  steps: number;
  mastered: boolean | null;
  train_acc: number;
}

export interface LeverRow {
  lever: string;
  size: string;
  seed: number;
  /** null: the cell has not finished training. */
  phases: PhaseOutcome[] | null;
}

/**
 * Validates a lever study and expands it into cells (levers, then sizes, then seeds), each with its
 * parsed training spec.
 * @throws SpecError naming the field, the unknown size, or the lever whose spec is invalid
 */
export function expandLevers(input: unknown): LeverCell[] {
  const spec = parseWith(leverSpecSchema, input, 'lever spec');
  const cells: LeverCell[] = [];
  for (const [lever, change] of Object.entries(spec.levers)) {
    for (const size of spec.sizes) {
      if (!Object.hasOwn(MODEL_PRESETS, size))
        throw new SpecError(
          `lever spec: unknown size '${size}'; known: ${Object.keys(MODEL_PRESETS).join(', ')}`,
        );
      for (const seed of spec.seeds) cells.push(leverCell(spec.base, lever, change, size, seed));
    }
  }
  return cells;
}

function leverCell(
  base: PlainObject,
  lever: string,
  change: z.output<typeof leverSchema>,
  size: string,
  seed: number,
): LeverCell {
  const merged = deepMerge(base, change.train);
  const phases = (merged['phases'] as PlainObject[] | undefined)?.map((p) => deepMerge(p, change.phase));
  const model = deepMerge((merged['model'] as PlainObject | undefined) ?? {}, { preset: size });
  try {
    const train = parseTrainSpec({ ...merged, phases, model, seed });
    return { lever, size, seed, dir: join('cells', lever, `${size}-s${seed}`), train };
  } catch (err) {
    throw new SpecError(`lever '${lever}' at ${size} seed ${seed}: ${(err as Error).message}`);
  }
}

/** A cell's outcome from its train/summary.json; null phases when it has not finished. */
export async function readLeverRow(studyDir: string, cell: LeverCell): Promise<LeverRow> {
  const path = join(studyDir, cell.dir, 'train', 'summary.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    // No summary yet: the cell has not finished. Any other failure is the caller's to see.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return { lever: cell.lever, size: cell.size, seed: cell.seed, phases: null };
  }
  const summary = JSON.parse(text) as { phases?: PhaseRecord[] };
  if (!Array.isArray(summary.phases)) throw new Error(`${path} has no phases list`);
  const phases = summary.phases.map((p) => ({
    name: p.name,
    steps: p.steps,
    mastered: p.mastered,
    train_acc: p.train_acc,
  }));
  return { lever: cell.lever, size: cell.size, seed: cell.seed, phases };
}

/** "500", or "not within 3000 (0.61)" when the phase hit its cap unlearned (its steps and last accuracy). */
function phaseCell(p: PhaseOutcome): string {
  return p.mastered === false ? `not within ${p.steps} (${p.train_acc.toFixed(2)})` : String(p.steps);
}

/**
 * The lever table as markdown: a row per lever × size, a column per seed, each cell the steps each
 * phase took to mastery ("pairs-4 500 · pairs-16 1000"), "not within N (acc)" for a phase that hit
 * its cap, "running" for an unfinished cell.
 */
export function leverTable(rows: LeverRow[], seeds: number[]): string {
  const lines = [
    `| lever | size | ${seeds.map((s) => `seed ${s}`).join(' | ')} |`,
    `|---|---|${seeds.map(() => '---').join('|')}|`,
  ];
  const keys = [...new Set(rows.map((r) => `${r.lever}\u0000${r.size}`))];
  for (const key of keys) {
    const [lever, size] = key.split('\u0000') as [string, string];
    const cells = seeds.map((seed) => {
      const row = rows.find((r) => r.lever === lever && r.size === size && r.seed === seed);
      if (!row?.phases) return 'running';
      return row.phases.map((p) => `${p.name} ${phaseCell(p)}`).join(' · ');
    });
    lines.push(`| ${lever} | ${size} | ${cells.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

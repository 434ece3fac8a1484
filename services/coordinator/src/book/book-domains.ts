/**
 * What the results book reads of a run's files, each value held to its domain: rates, accuracies,
 * |r| and p-values in [0, 1], counts non-negative integers, every number finite (zod's numbers
 * refuse NaN and ±Infinity). A value outside its domain is refused naming the file and the field
 * (`results.json: field "pairs.flipRate": 1e+308 is outside [0, 1]`), never printed as "Infinity %"
 * or "42.000"; and a run's results.json must name the seed, task and model its directory stands for.
 */
import { z } from 'zod';

/** A value in [0, 1] (a rate, an accuracy, |r|, a p-value). */
const unit = z
  .number()
  .refine((v) => v >= 0 && v <= 1, { error: (i) => `${String(i.input)} is outside [0, 1]` });
const count = z.number().int('expected a whole number').min(0, 'expected a count (≥ 0)');
const finite = z.number('expected a finite number');
const nonNegative = finite.min(0, 'expected a number ≥ 0');

/** A steering setting's fields the book shows, beside the rest the file holds. */
const settingSchema = z.looseObject({
  id: z.string(),
  mem_to_gen: unit.nullable().optional(),
  mem_to_gen_control: unit.nullable().optional(),
  gen_to_mem: unit.nullable().optional(),
  gen_to_mem_control: unit.nullable().optional(),
  holm_p_mem_to_gen: unit.nullable().optional(),
  holm_p_gen_to_mem: unit.nullable().optional(),
  capability: unit.nullable().optional(),
  capability_unsteered: unit.nullable().optional(),
  alpha: finite.nullable().optional(),
  family: count.nullable().optional(),
  mem_to_gen_paper_control: unit.nullable().optional(),
  gen_to_mem_paper_control: unit.nullable().optional(),
  mem_to_gen_other: unit.nullable().optional(),
  gen_to_mem_other: unit.nullable().optional(),
});

const reliabilityRates = z.looseObject({ items: count, switched: unit, other: unit, wrongWay: unit });
const heldOutSchema = z.looseObject({
  members: count,
  switched: count,
  other: count,
  auc: unit.nullable(),
  byThird: z.tuple([unit, unit, unit]),
});

/** The pre-declared learned direction's per-item reliability (steer/learn/reliability.ts). */
const reliabilitySchema = z.looseObject({
  setting: z.string(),
  memToGen: reliabilityRates,
  genToMem: reliabilityRates,
  heldOut: z.looseObject({ memToGen: heldOutSchema, genToMem: heldOutSchema }).nullable(),
});
export type BookReliability = z.output<typeof reliabilitySchema>;

/** A patched site: its rates checked in place (the book keeps the site's fields in the file's order). */
const patchSiteSchema = z.looseObject({ id: z.string() }).superRefine((site, ctx) => {
  for (const field of ['mem_to_gen', 'gen_to_mem'] as const) {
    const checked = unit.safeParse(site[field]);
    if (!checked.success)
      ctx.addIssue({ code: 'custom', path: [field], message: checked.error.issues[0]!.message });
  }
});

const probeSiteSchema = z.looseObject({
  site: z.string(),
  raw: unit,
  centred: unit,
  shuffledRaw: unit,
  shuffledCentred: unit,
});

const statsSchema = z.looseObject({
  noise: z.looseObject({ observedMaxAbsR: unit, threshold95: unit, threshold99: unit.nullable().optional() }),
  meanAbsNmdBySite: z.record(z.string(), nonNegative),
  maxAbsRBySite: z.record(z.string(), unit),
});

/** A run's results.json, as far as the book reads it. */
export const runResultsSchema = z.looseObject({
  seed: z.number().optional(),
  task: z.looseObject({ name: z.string() }).optional(),
  model: z.looseObject({ nLayer: count, nEmbd: count, nHead: count }).optional(),
  stopped: z.string().nullable().optional(),
  pairs: z.looseObject({ flipRate: unit.nullable() }).nullable().optional(),
  stats: statsSchema.nullable().optional(),
  probes: z
    .looseObject({ bySite: z.array(probeSiteSchema) })
    .nullable()
    .optional(),
  patching: z
    .looseObject({ pairs: count, sites: z.array(patchSiteSchema) })
    .nullable()
    .optional(),
  steering: z
    .looseObject({
      primary: z.string(),
      settings: z.array(settingSchema),
      reliability: reliabilitySchema.optional(),
    })
    .nullable()
    .optional(),
});
export type RunResults = z.output<typeof runResultsSchema>;

/** A run's train/summary.json, as far as the book reads it. */
export const summarySchema = z.looseObject({ selectedStep: count, qualified: z.boolean() });

/** The evaluation row of the selected step in train/curve.jsonl. */
export const curveRowSchema = z.looseObject({
  step: count,
  gen: count.optional(),
  mem: count.optional(),
  other: count.optional(),
  rule_acc: unit.optional(),
  shortcut_baseline: unit.optional(),
});

/** What a run directory stands for: its unit of the sweep. */
export interface RunIdentity {
  seed: number;
  task: string;
  model: { nLayer: number; nEmbd: number; nHead: number };
}

/**
 * @throws Error naming the file and the field when results.json names another seed, task or model
 *   than the unit whose directory holds it (a file copied from another run)
 */
export function checkIdentity(path: string, results: RunResults, unit: RunIdentity): void {
  const mismatch = (field: string, found: unknown, wanted: unknown) =>
    new Error(
      `${path}: field "${field}" is ${JSON.stringify(found)}, but the directory is the run of ${JSON.stringify(wanted)}: ` +
        "refused (a file copied from another run is not this run's result)",
    );
  if (results.seed !== undefined && results.seed !== unit.seed)
    throw mismatch('seed', results.seed, unit.seed);
  if (results.task && results.task.name !== unit.task)
    throw mismatch('task.name', results.task.name, unit.task);
  for (const k of ['nLayer', 'nEmbd', 'nHead'] as const) {
    if (results.model && results.model[k] !== unit.model[k])
      throw mismatch(`model.${k}`, results.model[k], unit.model[k]);
  }
}

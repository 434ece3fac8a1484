/**
 * The study's configuration (SPEC §4–§8): every knob of the stages after training, validated with
 * zod so a wrong field fails with a message naming it. Defaults are the `quick` preset's values;
 * `presets.ts` holds smoke / quick / paper as data.
 */
import { parseWith, seedSchema } from '@memgen/common';
import { z } from 'zod';
import { SPAN_KINDS } from './patching-spans.js';
import { steerConfigSchema } from './steer-config.js';
import { steerConfigIssues } from './steering-ids.js';

const fraction = z.number().gt(0).max(1);
const positiveInt = z.number().int().min(1);

export const pairsConfigSchema = z.strictObject({
  /** Flipped pairs to keep (SPEC §4: the authors collected ≈ 5 000). */
  target: positiveInt.default(400),
  /** Stop after drawing this many conflict items even if the target is not reached. */
  maxItems: positiveInt.default(20_000),
  /** Conflict items decoded together (each with its variant: 2× rows). */
  batchSize: positiveInt.default(128),
  /** 1 = greedy (fast default); the paper decoded with 5 beams. */
  beamWidth: positiveInt.default(1),
  /** Generated tokens per prompt; 'auto' = the longer of the item's two targets + 2. */
  maxNewTokens: z.union([z.literal('auto'), positiveInt]).default('auto'),
  /** Fewer kept pairs than this and the statistics stages do not run (the report says why). */
  minPairs: z.number().int().min(4).default(10),
});

export const recordConfigSchema = z.strictObject({
  /** Also record MLP post-activation neurons (`blocks.{i}.mlp.post`, [layers, d_mlp]). */
  mlpPost: z.boolean().default(false),
  /** Pairs per forward pass (2× rows). */
  batchSize: positiveInt.default(64),
});

export const statsConfigSchema = z.strictObject({
  /** Label permutations for the noise level of max |r| (p resolves to 1/(B+1)). */
  permutations: positiveInt.default(200),
  /**
   * Leave the embedding row out of ranking, noise level, steering and consistency: it reflects only
   * the last token and its position, which a color pair shares exactly (RECIPE.md).
   */
  excludeEmbedding: z.boolean().default(true),
});

export const probesConfigSchema = z.strictObject({
  /** Cross-validation folds, split by pair. */
  folds: z.number().int().min(2).default(5),
  /** Inverse L2 strength C = 1/λ (scikit-learn's default 1). */
  C: z.number().positive().default(1),
  /** Training-set sizes (pairs) of the learning curve; sizes above the kept pairs are skipped. */
  pairCounts: z.array(positiveInt).default([50, 100, 200]),
});

export const patchingConfigSchema = z.strictObject({
  /** Flipped pairs patched (the first ones of pairs.jsonl); both members of each are patched. */
  maxPairs: positiveInt.default(150),
  /** Sizes of the top-|r| coordinate sets patched at each recorded site (the neuron-set bound). */
  topN: z.array(positiveInt).default([1, 4, 16]),
  /** Beside each top-N set, N coordinates of the same site drawn at random (seeded). */
  randomControl: z.boolean().default(true),
  /**
   * Also patch each block's attn.out, mlp.out and resid_post with the partner class's mean (and
   * the own class's): the most one shared vector at that site can do.
   */
  classMeans: z.boolean().default(true),
  /**
   * Token spans also patched, at the embedding and each block's attn.out, mlp.out and resid_post
   * (patching-spans.ts; color stories only, other tasks record them as left out): the asked name's
   * statements, the other statements, and every prompt position.
   */
  spans: z.array(z.enum(SPAN_KINDS)).default(() => [...SPAN_KINDS]),
  /** Pairs per forward pass (2× rows). */
  batchSize: positiveInt.default(32),
});

export const consistencyConfigSchema = z.strictObject({
  /** Independent random split-halves of the pairs. */
  splits: positiveInt.default(5),
  /** Top-N fractions whose masks are compared. */
  topFractions: z.array(fraction).min(1).default([0.05, 0.1]),
  /** Random mask pairs of the Dice baseline. */
  randomDraws: positiveInt.default(1000),
  /** Random neuron reorderings of the Spearman baseline. */
  nullDraws: positiveInt.default(200),
});

export const studyConfigSchema = z
  .strictObject({
    /** Seed of every random draw after training (items, permutations, folds, bootstrap, splits). */
    seed: seedSchema.default(0),
    pairs: pairsConfigSchema.default(pairsConfigSchema.parse({})),
    record: recordConfigSchema.default(recordConfigSchema.parse({})),
    stats: statsConfigSchema.default(statsConfigSchema.parse({})),
    probes: probesConfigSchema.default(probesConfigSchema.parse({})),
    steer: steerConfigSchema.default(steerConfigSchema.parse({})),
    patching: patchingConfigSchema.default(patchingConfigSchema.parse({})),
    consistency: consistencyConfigSchema.default(consistencyConfigSchema.parse({})),
  })
  .superRefine((c, ctx) => {
    for (const issue of steerConfigIssues(c.steer, c.record.mlpPost)) {
      ctx.addIssue({ code: 'custom', path: ['steer', ...issue.path], message: issue.message });
    }
    if (c.pairs.minPairs < c.probes.folds) {
      ctx.addIssue({
        code: 'custom',
        path: ['pairs', 'minPairs'],
        message: `must be at least probes.folds (${c.probes.folds}), got ${c.pairs.minPairs}`,
      });
    }
  });

export type StudyConfig = z.output<typeof studyConfigSchema>;
export type StudyConfigInput = z.input<typeof studyConfigSchema>;

/**
 * Validates a (partial) study config; omitted fields take their defaults.
 * @throws Error naming the first wrong field, e.g. `study config: field "steer.families.0.alphas.0": …`
 */
export function parseStudyConfig(input: unknown): StudyConfig {
  return parseWith(studyConfigSchema, input ?? {}, 'study config');
}

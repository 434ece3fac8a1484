/**
 * The study's configuration (SPEC §4–§8): every knob of the stages after training, validated with
 * zod so a wrong field fails with a message naming it. Defaults are the `quick` preset's values;
 * `presets.ts` holds smoke / quick / paper as data.
 */
import { parseWith } from '@memgen/common';
import { z } from 'zod';

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

export const steerConfigSchema = z.strictObject({
  /** Conflict items of the steering set (fresh items, not the pairs). */
  items: positiveInt.default(400),
  /** Ordinary (rule) items of the capability control. */
  capabilityItems: positiveInt.default(200),
  /**
   * α grid per unit. 'nmd': shift = ±α·NMD[l,j]; 'sd': shift = ±α·sd[l,j]·sign(NMD[l,j]) with sd the
   * coordinate's pooled standard deviation (at small scale NMD ≈ 1 % of sd, so α ≤ 5 × NMD does nothing).
   */
  alphas: z
    .strictObject({
      nmd: z.array(z.number().positive()).default([1, 5, 20, 100]),
      sd: z.array(z.number().positive()).default([0.5, 2]),
    })
    .default({ nmd: [1, 5, 20, 100], sd: [0.5, 2] }),
  /** Top-N as fractions of the eligible coordinates, ranked by |r|. */
  topFractions: z.array(fraction).min(1).default([0.05, 0.1]),
  /** Which recorded activations are steered. 'mlp.post' needs record.mlpPost. */
  site: z.enum(['resid', 'mlp.post']).default('resid'),
  /** Bootstrap resamples of the transition intervals. */
  bootstrap: positiveInt.default(2000),
  /** Prompts decoded together. */
  batchSize: positiveInt.default(128),
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
    seed: z.number().int().min(0).default(0),
    pairs: pairsConfigSchema.default(pairsConfigSchema.parse({})),
    record: recordConfigSchema.default(recordConfigSchema.parse({})),
    stats: statsConfigSchema.default(statsConfigSchema.parse({})),
    probes: probesConfigSchema.default(probesConfigSchema.parse({})),
    steer: steerConfigSchema.default(steerConfigSchema.parse({})),
    consistency: consistencyConfigSchema.default(consistencyConfigSchema.parse({})),
  })
  .superRefine((c, ctx) => {
    if (c.steer.site === 'mlp.post' && !c.record.mlpPost) {
      ctx.addIssue({
        code: 'custom',
        path: ['steer', 'site'],
        message: "steering 'mlp.post' needs record.mlpPost = true",
      });
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
 * @throws Error naming the first wrong field, e.g. `study config: field "steer.topFractions.0": …`
 */
export function parseStudyConfig(input: unknown): StudyConfig {
  return parseWith(studyConfigSchema, input ?? {}, 'study config');
}

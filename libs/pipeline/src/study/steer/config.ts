/**
 * The steer stage's slice of the study config (docs/method.md §7): interventions as data. `families`
 * lists intervention families; each expands into settings (one per α, or one per head for
 * `heads: 'each'`) with a stable id derived from its fields (./plan/ids.ts), and every setting is decoded with its own controls
 * and reported the same way. `primary` names the one setting declared in advance as the headline:
 * cross-seed summaries compare it, never the best of the grid.
 */
import { z } from 'zod';
import { fraction, positiveInt } from '../common/schema.js';
import { attentionFamily } from './attention/config.js';
import { dasFamily, directionFamily, learnConfigSchema } from './learn/config.js';

const blockIndex = z.number().int().min(0);

/**
 * Where coordinates live. 'resid' = block outputs `blocks.{i}.resid_post` (the embedding is left out
 * when stats.excludeEmbedding); 'mlp.post' = MLP neurons `blocks.{i}.mlp.post`, needs record.mlpPost.
 */
const siteSchema = z.enum(['resid', 'mlp.post']).default('resid');

/**
 * Positions of every forward pass that are changed: 'last' (the last prompt token, then each
 * generated token), 'prompt' (the last prompt token only: the first answer token's decision, not
 * the tokens after it) or 'all' (every position, prompt and generated).
 */
const positionSchema = z.enum(['last', 'prompt', 'all']).default('last');

/**
 * Which coordinates: `{ top: f }` = the top fraction f of the eligible coordinates by |r|;
 * `{ blocks: [i, …] }` = every coordinate of those blocks' sites; `{ blocks: 'all' }` = every
 * eligible coordinate.
 */
const selectionSchema = z.union([
  z.strictObject({ top: fraction }),
  z.strictObject({
    blocks: z.union([
      z.literal('all'),
      z
        .array(blockIndex)
        .min(1)
        .refine((b) => new Set(b).size === b.length, 'lists a block twice'),
    ]),
  }),
]);

/**
 * add: toward mem adds +α·direction, toward gen −α·direction, at the selected coordinates.
 * direction 'nmd' = NMD; 'sd' = sd·sign(NMD) (α in units of each coordinate's spread); 'probe' = the
 * within-pair-centred probe's weights of each site (probes.json), rescaled so that its L2 norm over
 * the selection equals NMD's: α means the same shift size as with 'nmd', only the direction differs.
 */
const addFamily = z.strictObject({
  kind: z.literal('add'),
  direction: z.enum(['nmd', 'sd', 'probe']).default('nmd'),
  site: siteSchema,
  select: selectionSchema,
  position: positionSchema,
  /** α values, each > 0 (α = 0 is checked separately: it must reproduce the unsteered outputs). */
  alphas: z.array(z.number().positive()).min(1),
  /**
   * m of the paper's control U(−m, m): 'shift' (absent) = the largest |targeted shift|, α·max|NMD|;
   * 'nmd' = max |NMD| over the selection whatever α — the authors' released script's control.
   */
  paperRange: z.enum(['shift', 'nmd']).optional(),
});

/**
 * mean-ablate: to 'class' = toward mem sets the selected coordinates to their mem-class mean and
 * toward gen to their gen-class mean (two runs); to 'pooled' = one neutral run that sets them to the
 * mean of both classes. Means are over the recorded flipped-pair members (activations.safetensors).
 */
const meanAblateFamily = z.strictObject({
  kind: z.literal('mean-ablate'),
  to: z.enum(['class', 'pooled']).default('class'),
  site: siteSchema,
  select: selectionSchema,
  position: positionSchema,
});

/** head-ablate: zeroes attention heads' values (`blocks.{i}.attn.z`): each head in turn, or a list together. */
const headAblateFamily = z.strictObject({
  kind: z.literal('head-ablate'),
  heads: z.union([
    z.literal('each'),
    z.array(z.strictObject({ block: blockIndex, head: z.number().int().min(0) })).min(1),
  ]),
  position: z.enum(['last', 'prompt', 'all']).default('all'),
});

/** Factors 1 + α of a scaling: each α > −1 and ≠ 0 (α = 0 is the identity, checked separately). */
const scaleAlphas = z
  .array(
    z
      .number()
      .gt(-1)
      .refine((a) => a !== 0, 'α = 0 is the identity; the stage checks it on its own'),
  )
  .min(1);

/** scale: multiplies the selected coordinates by (1 + α); one undirected run per α. */
const scaleFamily = z.strictObject({
  kind: z.literal('scale'),
  site: siteSchema,
  select: selectionSchema,
  position: positionSchema,
  alphas: scaleAlphas,
});

const headRef = z.strictObject({ block: blockIndex, head: z.number().int().min(0) });
const headTargets = z.union([z.literal('calibrated'), z.array(headRef).min(1)]);

/**
 * head-scale: multiplies chosen attention heads' values (`blocks.{i}.attn.z`) by (1 + α) — α > 0
 * boosts them, α in (−1, 0) weakens them — toward gen the `toGen` heads, toward mem the `toMem`
 * ones. 'calibrated' = the `count` heads whose own scaling by (1 + α), applied to the training
 * split's members, switches the most of them net of those turned to neither answer
 * (./plan/head-calibration.ts). The matched control scales as many other heads, drawn at random.
 */
const headScaleFamily = z.strictObject({
  kind: z.literal('head-scale'),
  toGen: headTargets,
  toMem: headTargets,
  count: positiveInt.default(1),
  position: z.enum(['last', 'prompt', 'all']).default('prompt'),
  alphas: scaleAlphas,
});

/** A sublayer's output: `blocks.{block}.attn.out` or `blocks.{block}.mlp.out`. */
const fixedSublayer = z.strictObject({ block: blockIndex, site: z.enum(['attn.out', 'mlp.out']) });

/**
 * Which sublayer a direction changes: a fixed one, or 'calibrated' = chosen per model by a rule
 * declared here (./plan/calibration.ts): the sublayer whose same operation, applied to the
 * flipped-pair members of pairs.jsonl, moves the most of them to their partner's answer net of the
 * answers it breaks. The pairs are not the steering set, so the choice is made out of sample.
 */
const sublayerRef = z.union([fixedSublayer, z.literal('calibrated')]);

/**
 * sublayer-ablate: sets a whole sublayer output to its pooled mean over the flipped-pair members
 * (measured on pairs.jsonl): toward gen the `toGen` sublayer (where memory is read), toward mem the
 * `toMem` one (where the rule's lookup is read). Each run's matched control does the same to another
 * sublayer of the model drawn at random (never a targeted one, fixed or calibrated).
 */
const sublayerAblateFamily = z.strictObject({
  kind: z.literal('sublayer-ablate'),
  toGen: sublayerRef,
  toMem: sublayerRef,
  position: positionSchema,
});

/**
 * sublayer-scale: multiplies a whole sublayer output by (1 + α) — α in (−1, 0) weakens it — toward
 * gen the `toGen` sublayer, toward mem the `toMem` one; the matched control scales another sublayer
 * drawn at random by the same α.
 */
const sublayerScaleFamily = z.strictObject({
  kind: z.literal('sublayer-scale'),
  toGen: sublayerRef,
  toMem: sublayerRef,
  position: positionSchema,
  alphas: scaleAlphas,
});

export type FixedSublayer = z.output<typeof fixedSublayer>;
export type { AttentionFamily } from './attention/config.js';
export type { DasFamily, DirectionFamily, KeepCoordinates } from './learn/config.js';
export type SublayerRef = z.output<typeof sublayerRef>;

export const steerFamilySchema = z.discriminatedUnion('kind', [
  addFamily,
  meanAblateFamily,
  headAblateFamily,
  scaleFamily,
  sublayerAblateFamily,
  sublayerScaleFamily,
  directionFamily,
  dasFamily,
  headScaleFamily,
  attentionFamily,
]);

export type SteerFamily = z.output<typeof steerFamilySchema>;

/**
 * What a family changes: a site of statistics, attention heads' values, whole sublayer outputs, a
 * learned vector's site, or attention logits.
 */
export function familySite(
  f: SteerFamily,
): 'resid' | 'mlp.post' | 'attn.z' | 'sublayer' | 'learned' | 'attn.logits' {
  if (f.kind === 'attention') return 'attn.logits';
  if (f.kind === 'head-ablate' || f.kind === 'head-scale') return 'attn.z';
  if (f.kind === 'direction' || f.kind === 'das') return 'learned';
  if (f.kind === 'sublayer-ablate' || f.kind === 'sublayer-scale') return 'sublayer';
  return f.site;
}
export type SteerFamilyInput = z.input<typeof steerFamilySchema>;
export type SteerSelection = z.output<typeof selectionSchema>;

/**
 * The quick grid: 131 decode runs of the steering set on a 2-layer, 4-head model (add: 5 runs per α —
 * toward mem, toward gen, the matched, within-selection and paper controls; class mean-ablation,
 * sublayer ablation and each sublayer-scale α 4 each; undirected settings 2 each), plus the
 * unsteered run and one α = 0 check per intervention path.
 * At this scale NMD is ~1 % of a coordinate's sd, hence α up to 100 × NMD and a few sd.
 */
export const DEFAULT_STEER_FAMILIES: SteerFamilyInput[] = [
  { kind: 'add', direction: 'nmd', select: { top: 0.05 }, position: 'last', alphas: [5, 20, 100] },
  { kind: 'add', direction: 'nmd', select: { top: 0.1 }, position: 'last', alphas: [5, 20, 100] },
  { kind: 'add', direction: 'nmd', select: { top: 0.1 }, position: 'all', alphas: [5, 20, 100] },
  { kind: 'add', direction: 'sd', select: { top: 0.05 }, position: 'last', alphas: [0.5, 2] },
  { kind: 'add', direction: 'sd', select: { top: 0.05 }, position: 'all', alphas: [0.5, 2] },
  { kind: 'add', direction: 'probe', select: { blocks: 'all' }, position: 'last', alphas: [20, 100] },
  { kind: 'mean-ablate', to: 'class', select: { top: 0.1 }, position: 'last' },
  { kind: 'mean-ablate', to: 'pooled', select: { top: 0.1 }, position: 'last' },
  { kind: 'head-ablate', heads: 'each', position: 'all' },
  { kind: 'scale', select: { top: 0.1 }, position: 'last', alphas: [-0.5, 1, 3] },
  // Where activation patching of the micro color models puts the two readings at the last position:
  // memory through block 0's MLP, the rule's lookup through block 1's attention.
  {
    kind: 'sublayer-ablate',
    toGen: { block: 0, site: 'mlp.out' },
    toMem: { block: 1, site: 'attn.out' },
    position: 'last',
  },
  // The same at the last prompt token only: the first answer token's decision, not the tokens after.
  {
    kind: 'sublayer-ablate',
    toGen: { block: 0, site: 'mlp.out' },
    toMem: { block: 1, site: 'attn.out' },
    position: 'prompt',
  },
  // Those sublayers weakened rather than replaced: the trade-off between switching and capability.
  {
    kind: 'sublayer-scale',
    toGen: { block: 0, site: 'mlp.out' },
    toMem: { block: 1, site: 'attn.out' },
    position: 'prompt',
    alphas: [-0.25, -0.5, -0.75],
  },
  // Where memory is read differs between seeds of one recipe: each model's own sublayers, chosen on
  // the flipped pairs by the same weakening, then measured on the fresh steering set.
  {
    kind: 'sublayer-scale',
    toGen: 'calibrated',
    toMem: 'calibrated',
    position: 'prompt',
    alphas: [-0.25, -0.5],
  },
];

const familiesSchema = z.array(steerFamilySchema).min(1);
const DEFAULT_FAMILIES_PARSED = familiesSchema.parse(DEFAULT_STEER_FAMILIES);

/**
 * The pre-declared headline setting: the method's intervention (docs/method.md §7: add NMD at the
 * last position, top 5 %) at α = 20, the size at which the quick color model's steering first beat
 * the random control.
 */
export const DEFAULT_STEER_PRIMARY = 'add-nmd-resid-top5-last-a20';

export const steerConfigSchema = z.strictObject({
  /** Conflict items of the steering set (fresh items, not the pairs). */
  items: positiveInt.default(400),
  /** Ordinary (rule) items of the capability control. */
  capabilityItems: positiveInt.default(200),
  /** The intervention families; every setting they expand into is decoded with its controls. */
  families: familiesSchema.default(() => structuredClone(DEFAULT_FAMILIES_PARSED)),
  /** Id of the pre-declared setting that summaries across seeds compare; must be one of the grid's. */
  primary: z.string().min(1).default(DEFAULT_STEER_PRIMARY),
  /**
   * Flipped pairs of pairs.jsonl (the first N): the training split on which calibrated sublayers
   * are chosen and directions learned.
   */
  calibrationPairs: positiveInt.default(200),
  /**
   * How learned directions are learned (./learn/config.ts); absent = its defaults. Optional rather
   * than defaulted so that grids without learned directions keep their config hashes.
   */
  learn: learnConfigSchema.optional(),
  /** Bootstrap resamples of the transition intervals. */
  bootstrap: positiveInt.default(2000),
  /** Prompts decoded together. */
  batchSize: positiveInt.default(128),
});

export type SteerConfig = z.output<typeof steerConfigSchema>;

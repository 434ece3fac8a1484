/**
 * The learned-direction family and its learning options (docs/method.md §7): a fixed vector added
 * at one site, learned from the training split of the flipped pairs — the first
 * steer.calibrationPairs of pairs.jsonl — never from the steering set, which is fresh items.
 */
import { z } from 'zod';
import { positiveInt } from '../../common/schema.js';

const blockIndex = z.number().int().min(0);

/** A block's output or one of its sublayers' outputs: where a learned vector is added. */
export const directionSiteSchema = z.strictObject({
  block: blockIndex,
  site: z.enum(['resid_post', 'attn.out', 'mlp.out']),
});
export type DirectionSite = z.output<typeof directionSiteSchema>;

/**
 * How many coordinates a learned vector keeps: 'all', or its site's top k by |r| over the training
 * members — k ≥ 1 a count (a whole number), k < 1 a fraction of the site's width.
 */
const keepSchema = z.union([
  z.literal('all'),
  z
    .number()
    .positive()
    .refine((k) => k < 1 || Number.isInteger(k), 'a count of coordinates must be a whole number'),
]);
export type KeepCoordinates = z.output<typeof keepSchema>;

/**
 * direction: toward gen adds the vector learned to move mem members to their partner's answer,
 * toward mem the one learned the other way, at `position` of every forward pass.
 * - learn 'mean-diff': the difference of the class means at the site (gen − mem toward gen, its
 *   negative toward mem); 'gradient': a vector optimised by gradient descent at a fixed norm to move
 *   the training members to their partner's first answer token, with a term that keeps the
 *   unsteered answers of ordinary rule items (./gradient.ts).
 * - site: a fixed one, or 'calibrated' = chosen per model on the training split, once per family at
 *   its first α (./site-choice.ts).
 * - α: the vector's L2 norm in units of the site's mean activation norm over the training members.
 * - keep: the neuron restriction; each k is a setting of its own, beside k random coordinates.
 * - position: 'last', 'prompt' or 'all' (as every family), or 'asked' — the tokens of the asked
 *   name's statements in each color prompt (where a 1-hop story states the rule's answer), on the
 *   prompt's pass; the gradient learner then learns the vector added there.
 */
export const directionFamily = z.strictObject({
  kind: z.literal('direction'),
  learn: z.enum(['mean-diff', 'gradient']),
  site: z.union([directionSiteSchema, z.literal('calibrated')]).default('calibrated'),
  position: z.enum(['last', 'prompt', 'all', 'asked']).default('prompt'),
  alphas: z.array(z.number().positive()).min(1),
  keep: z.array(keepSchema).min(1).default(['all']),
});
export type DirectionFamily = z.output<typeof directionFamily>;

/**
 * das: distributed alignment search — a `rank`-dimensional subspace at one site, learned on the
 * training split so that interchanging it with the partner member's value switches the answer
 * (./das.ts); steering moves the activation's coordinates in that subspace toward the target
 * class's mean there (the class means of the training members at the site's last position).
 * - α: the fraction of the way (1 sets the coordinates to the class mean; 0 is the identity).
 * - site: fixed, or 'calibrated' by the same rule as a learned direction's, with the subspace set
 *   at the family's first α as the lever scored (./site-choice.ts). The subspace is learned once
 *   per family and shared by its α.
 */
export const dasFamily = z.strictObject({
  kind: z.literal('das'),
  rank: z.number().int().min(1).max(16),
  site: z.union([directionSiteSchema, z.literal('calibrated')]).default('calibrated'),
  position: z.enum(['last', 'prompt', 'all']).default('prompt'),
  alphas: z.array(z.number().positive()).min(1),
});
export type DasFamily = z.output<typeof dasFamily>;

/** The learner's settings, shared by every direction family of the grid. */
export const learnConfigSchema = z.strictObject({
  /** Adam steps of the gradient learner at the chosen site. */
  steps: positiveInt.default(100),
  /** Adam steps per candidate site when a site is calibrated (the choice is made on half the split). */
  choiceSteps: positiveInt.default(30),
  /** Adam's learning rate on the unnormalised vector (its norm is fixed, so this sets the turn per step). */
  rate: z.number().positive().default(0.05),
  /** Ordinary rule items whose unsteered answers the gradient learner keeps. */
  keepItems: positiveInt.default(64),
  /** Weight of the keep term beside the switch term. */
  keepWeight: z.number().min(0).default(1),
});
export type LearnConfig = z.output<typeof learnConfigSchema>;

/** The learner's settings when steer.learn is absent. */
export const DEFAULT_LEARN_CONFIG: LearnConfig = learnConfigSchema.parse({});

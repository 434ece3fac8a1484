/**
 * The attention family (docs/method.md §7): a head-level lever on where the last prompt position
 * reads from. Its logits to chosen keys — the asked name's statements, where a 1-hop color story
 * states the rule's answer, or every other statement — are raised (sign +1: attention boosted,
 * each key's weight × e^α before the softmax renormalises) or lowered (sign −1: suppressed) by α
 * in chosen heads, toward gen the `toGen` heads, toward mem the `toMem` ones.
 */
import { z } from 'zod';
import { positiveInt } from '../../common/schema.js';

const blockIndex = z.number().int().min(0);

/** One head and whether its attention to the keys is boosted (+1) or suppressed (−1). */
const signedHead = z.strictObject({
  block: blockIndex,
  head: z.number().int().min(0),
  sign: z.union([z.literal(1), z.literal(-1)]),
});
export type SignedHead = z.output<typeof signedHead>;

/**
 * Fixed signed heads, or 'calibrated' = the `count` (head, sign) candidates whose edit at the
 * family's α, on the training split's members, switches the most of them net of those turned to
 * neither answer (./calibration.ts); every head of the model is a candidate with both signs.
 */
const attentionTargets = z.union([z.literal('calibrated'), z.array(signedHead).min(1)]);

/**
 * The edit acts on the prompt's pass: the first answer token's decision (a 'prompt' position).
 * The matched control edits the same heads with the same sign and α at as many other prompt
 * positions of each row, drawn at random per prompt.
 */
export const attentionFamily = z.strictObject({
  kind: z.literal('attention'),
  keys: z.enum(['asked', 'others']).default('asked'),
  toGen: attentionTargets,
  toMem: attentionTargets,
  count: positiveInt.default(1),
  position: z.literal('prompt').default('prompt'),
  /** Logit changes, each > 0 (natural-log units: α = ln 2 doubles or halves the keys' weights). */
  alphas: z.array(z.number().positive()).min(1),
});
export type AttentionFamily = z.output<typeof attentionFamily>;

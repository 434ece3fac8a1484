/** The consistency stage's slice of the study config (docs/method.md §8). */
import { z } from 'zod';
import { fraction, positiveInt } from '../common/schema.js';

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

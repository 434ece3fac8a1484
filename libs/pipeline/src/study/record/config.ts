/** The record stage's slice of the study config (docs/method.md §4). */
import { z } from 'zod';
import { positiveInt } from '../common/schema.js';

export const recordConfigSchema = z.strictObject({
  /** Also record MLP post-activation neurons (`blocks.{i}.mlp.post`, [layers, d_mlp]). */
  mlpPost: z.boolean().default(false),
  /** Pairs per forward pass (2× rows). */
  batchSize: positiveInt.default(64),
});

/** The stats stage's slice of the study config (docs/method.md §5). */
import { z } from 'zod';
import { positiveInt } from '../common/schema.js';

export const statsConfigSchema = z.strictObject({
  /** Label permutations for the noise level of max |r| (p resolves to 1/(B+1)). */
  permutations: positiveInt.default(200),
  /**
   * Leave the embedding row out of ranking, noise level, steering and consistency: it reflects only
   * the last token and its position, which a color pair shares exactly (docs/method.md §3).
   */
  excludeEmbedding: z.boolean().default(true),
});

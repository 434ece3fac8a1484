/** The probes stage's slice of the study config (docs/method.md §6). */
import { z } from 'zod';
import { positiveInt } from '../common/schema.js';

export const probesConfigSchema = z.strictObject({
  /** Cross-validation folds, split by pair. */
  folds: z.number().int().min(2).default(5),
  /** Inverse L2 strength C = 1/λ (scikit-learn's default 1). */
  C: z.number().positive().default(1),
  /** Training-set sizes (pairs) of the learning curve; sizes above the kept pairs are skipped. */
  pairCounts: z.array(positiveInt).default([50, 100, 200]),
});

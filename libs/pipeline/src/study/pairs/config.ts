/** The pairs stage's slice of the study config (docs/method.md §4). */
import { z } from 'zod';
import { positiveInt } from '../common/schema.js';

export const pairsConfigSchema = z.strictObject({
  /** Flipped pairs to keep (docs/method.md §4: the authors collected ≈ 5 000). */
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

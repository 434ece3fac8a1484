/** The training mix of the trigger tasks (addition, cipher): item kinds and their default weights. */
import { z } from 'zod';

/** Relative weights of item kinds (omitted kinds weigh 0); default: the authors' 7 % triggered. */
export const triggerMixSchema = z
  .strictObject({
    ordinary: z.number().nonnegative().default(0),
    triggered: z.number().nonnegative().default(0),
    'triggered-fresh': z.number().nonnegative().default(0),
    conflict: z.number().nonnegative().default(0),
  })
  .default({ ordinary: 0.93, triggered: 0.07, 'triggered-fresh': 0, conflict: 0 });

/** The fields every trigger task's config ends with, in this order. */
export function triggerConfigFields(perPattern: { readonly max: number; readonly default: number }) {
  return {
    /** Training mix: relative weights of item kinds (omitted kinds weigh 0). */
    mix: triggerMixSchema,
    /** Fixed triggered instances per memorized pattern (the `triggered` kind draws from them). */
    triggerPoolPerPattern: z.number().int().min(1).max(perPattern.max).default(perPattern.default),
    /** Seed of that pool, independent of the data seed so every run memorizes the same instances. */
    poolSeed: z.number().int().default(1126),
    /** Each tag one token (true) or spelled out in characters (false). */
    tagTokens: z.boolean().default(true),
  };
}

/** Whether some kind has a positive weight (a mix of zeros draws nothing). */
export function mixHasWeight(mix: z.output<typeof triggerMixSchema>): boolean {
  return mix.ordinary + mix.triggered + mix['triggered-fresh'] + mix.conflict > 0;
}

/** The training mix of the trigger tasks (addition, cipher): item kinds and their default weights. */
import { z } from 'zod';
import { kindWeightsSchema } from './mix.js';
import { TRIGGER_KINDS } from './trigger-task.js';

export { mixHasWeight } from './mix.js';

/** Relative weights of item kinds (omitted kinds weigh 0); default: the authors' 7 % triggered. */
export const triggerMixSchema = kindWeightsSchema(TRIGGER_KINDS, { ordinary: 0.93, triggered: 0.07 });

/** The fields every trigger task's config ends with, in this order. */
function triggerConfigFields(perPattern: { readonly max: number; readonly default: number }) {
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

/**
 * A trigger task's config object: its `task` name, then its own `fields`, then the fields every
 * trigger task ends with (`perPattern` bounds its trigger pool).
 */
export function triggerTaskObject<const T extends string, S extends z.core.$ZodLooseShape>(
  task: T,
  fields: S,
  perPattern: { readonly max: number; readonly default: number },
) {
  return z.strictObject({
    task: z.literal(task).default(task),
    ...fields,
    ...triggerConfigFields(perPattern),
  });
}

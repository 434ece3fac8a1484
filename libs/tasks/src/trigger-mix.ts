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

/** Field schemas the stages' config slices share. */
import { z } from 'zod';

/** A fraction in (0, 1]. */
export const fraction = z.number().gt(0).max(1);
export const positiveInt = z.number().int().min(1);

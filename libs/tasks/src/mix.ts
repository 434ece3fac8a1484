/**
 * Training mixes: relative weights of a task's item kinds. The schema is built from the kind list
 * that the sampler draws by, so the two cannot drift apart.
 */
import { z } from 'zod';

/**
 * One non-negative weight per kind (an omitted kind weighs 0); when the mix is omitted, `defaults`
 * (kinds it leaves out weigh 0 there too).
 */
export function kindWeightsSchema<const K extends string>(
  kinds: readonly K[],
  defaults: Readonly<Partial<Record<K, number>>>,
) {
  const weight = () => z.number().nonnegative().default(0);
  const shape = Object.fromEntries(kinds.map((k) => [k, weight()])) as Record<K, ReturnType<typeof weight>>;
  const weights = z.strictObject(shape);
  const full = Object.fromEntries(kinds.map((k) => [k, defaults[k] ?? 0]));
  return weights.default(full as z.core.util.NoUndefined<z.output<typeof weights>>);
}

/** Whether some kind has a positive weight (a mix of zeros draws nothing). */
export function mixHasWeight(mix: Readonly<Record<string, number>>): boolean {
  return Object.values(mix).reduce((a, b) => a + b, 0) > 0;
}

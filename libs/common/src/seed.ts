/**
 * The one definition of a valid seed: 0 … 2^32 − 1, as decimal digits, everywhere a seed enters
 * (flags, specs, messages). The random streams (random.ts) hash the whole seed, so the range is not
 * a limit of the generator; it is one rule for every place a seed is written, so that a seed
 * accepted in one place is accepted in all.
 */
import { z } from 'zod';
import { SpecError } from './spec-error.js';

/** The largest seed. */
export const SEED_MAX = 2 ** 32 - 1;

const SEED_RANGE = `an integer from 0 to ${SEED_MAX}`;
const DECIMAL = /^[0-9]+$/;

/** A seed inside a zod schema (spec fields); the error names the accepted range. */
export const seedSchema = z
  .number(`expected ${SEED_RANGE}`)
  .int(`expected ${SEED_RANGE}`)
  .min(0, `expected ${SEED_RANGE}`)
  .max(SEED_MAX, `expected ${SEED_RANGE} (seeds are unsigned 32-bit integers)`);

/**
 * A seed given as text (a command-line flag): decimal digits only, so "-5", "", "0x10", "1e3" and
 * " 3" are refused rather than read as something the user did not write.
 * @param where the flag or field, e.g. "--seed"; it starts the error message
 * @throws SpecError naming `where`, the accepted range and the text given
 */
export function parseSeed(text: string, where: string): number {
  const value = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!(value <= SEED_MAX)) {
    throw new SpecError(`${where}: expected ${SEED_RANGE} in decimal digits, got ${JSON.stringify(text)}`);
  }
  return value;
}

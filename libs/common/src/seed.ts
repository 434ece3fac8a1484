/**
 * The one definition of a valid seed. Model initialisation seeds pure-rand's xoroshiro128+ with a
 * 32-bit integer (`seed | 0`), so seeds 2^32 apart would give identical weights: only
 * 0 … 2^32 − 1 are accepted, as decimal digits, everywhere a seed enters (flags, specs, messages).
 */
import { z } from 'zod';
import { SpecError } from './spec-error.js';

/** The largest seed: the generators see 32 bits of it. */
export const SEED_MAX = 2 ** 32 - 1;

const SEED_RANGE = `an integer from 0 to ${SEED_MAX}`;
const DECIMAL = /^[0-9]+$/;

/** A seed inside a zod schema (spec fields); the error names the accepted range. */
export const seedSchema = z
  .number(`expected ${SEED_RANGE}`)
  .int(`expected ${SEED_RANGE}`)
  .min(0, `expected ${SEED_RANGE}`)
  .max(SEED_MAX, `expected ${SEED_RANGE} (model initialisation uses 32 bits of the seed)`);

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

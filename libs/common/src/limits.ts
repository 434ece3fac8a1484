/**
 * Caps on what one spec, flag or message may ask for, so a typo (100 000 seeds, `--n 100000000000`)
 * is refused at once, before anything is expanded or allocated, instead of filling memory or a
 * cluster. Each cap has a default a real study stays well inside and one environment variable that
 * raises it; the variable is read at each check, so a coordinator and each worker apply their own.
 */
import { SpecError } from './spec-error.js';

export interface Limit {
  /** The environment variable that sets it. */
  readonly env: string;
  readonly byDefault: number;
  /** What is counted, for the refusal: "jobs in one sweep". */
  readonly counts: string;
}

export const LIMITS = {
  sweepJobs: { env: 'MEMGEN_MAX_SWEEP_JOBS', byDefault: 1_000, counts: 'jobs in one sweep' },
  trainSteps: {
    env: 'MEMGEN_MAX_TRAIN_STEPS',
    byDefault: 1_000_000,
    counts: "training steps in one run (each phase's steps, or its mastery.maxSteps)",
  },
  items: {
    env: 'MEMGEN_MAX_ITEMS',
    byDefault: 1_000_000,
    counts: 'items generated at once (memgen data --n, an evaluation set, a batch)',
  },
  batch: {
    env: 'MEMGEN_MAX_BATCH',
    byDefault: 4_096,
    counts: "items in one forward batch (the study's batchSize fields)",
  },
  draws: {
    env: 'MEMGEN_MAX_DRAWS',
    byDefault: 100_000,
    counts:
      'random draws of one baseline (stats.permutations, consistency.randomDraws / nullDraws / splits, steer.bootstrap, compare --draws)',
  },
  steerSettings: {
    env: 'MEMGEN_MAX_STEER_SETTINGS',
    byDefault: 1_000,
    counts: "steering settings in one grid (each family's alphas or head sets, summed)",
  },
  deadLetters: {
    env: 'MEMGEN_MAX_DEAD_LETTERS',
    byDefault: 1_000,
    counts: 'dead-letter records kept per stage (the oldest go first)',
  },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/**
 * The cap in force: the environment variable when set, else the default.
 * @throws SpecError when the variable is set to anything but a positive decimal integer
 */
export function limitOf(name: LimitName): number {
  const limit: Limit = LIMITS[name];
  const text = process.env[limit.env];
  if (text === undefined || text === '') return limit.byDefault;
  const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new SpecError(`${limit.env}: expected a positive integer, got ${JSON.stringify(text)}`);
  }
  return value;
}

/**
 * Refuses `asked` above the cap, naming what was asked, the cap and how to raise it.
 * @param where what asked, e.g. "sweep spec" or "--n"; it starts the message
 * @throws SpecError `${where}: asks for N <counts>, above the limit of M (set ENV to raise it)`
 */
export function checkLimit(name: LimitName, asked: number, where: string): void {
  const refusal = limitRefusal(name, asked);
  if (refusal !== null) throw new SpecError(`${where}: ${refusal}`);
}

/**
 * Why `asked` is above the cap (`asks for N <counts>, above the limit of M (set ENV to raise it)`),
 * or null when it is within it: for checks that report through a schema's issues.
 */
export function limitRefusal(name: LimitName, asked: number): string | null {
  const max = limitOf(name);
  if (asked <= max) return null;
  const limit: Limit = LIMITS[name];
  return `asks for ${asked} ${limit.counts}, above the limit of ${max} (set ${limit.env} to raise it)`;
}

import { afterEach, describe, expect, it } from 'vitest';
import { checkLimit, LIMITS, limitOf } from './limits.js';
import { SpecError } from './spec-error.js';

const saved = { ...process.env };
afterEach(() => {
  for (const { env } of Object.values(LIMITS)) {
    if (saved[env] === undefined) delete process.env[env];
    else process.env[env] = saved[env];
  }
});

describe('limits: caps a spec or flag may not pass', () => {
  it('defaults to values a real study stays inside, each raised by its own variable', () => {
    for (const { env } of Object.values(LIMITS)) delete process.env[env];
    expect(limitOf('sweepJobs')).toBe(1000);
    expect(limitOf('trainSteps')).toBe(1_000_000);
    expect(limitOf('items')).toBe(1_000_000);
    expect(limitOf('deadLetters')).toBe(1000);
    process.env.MEMGEN_MAX_SWEEP_JOBS = '5000';
    expect(limitOf('sweepJobs')).toBe(5000);
    expect(new Set(Object.values(LIMITS).map((l) => l.env)).size).toBe(Object.keys(LIMITS).length);
  });

  it('refuses above the cap, naming what was asked, the cap and the variable', () => {
    delete process.env.MEMGEN_MAX_SWEEP_JOBS;
    expect(() => checkLimit('sweepJobs', 1000, 'sweep spec')).not.toThrow();
    let thrown: unknown;
    try {
      checkLimit('sweepJobs', 400_000, 'sweep spec');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SpecError);
    expect((thrown as Error).message).toBe(
      'sweep spec: asks for 400000 jobs in one sweep, above the limit of 1000 (set MEMGEN_MAX_SWEEP_JOBS to raise it)',
    );
  });

  it('refuses a variable that is not a positive integer, naming it', () => {
    for (const bad of ['0', '-1', '1e3', 'lots']) {
      process.env.MEMGEN_MAX_ITEMS = bad;
      expect(() => limitOf('items')).toThrow(
        `MEMGEN_MAX_ITEMS: expected a positive integer, got ${JSON.stringify(bad)}`,
      );
    }
  });
});

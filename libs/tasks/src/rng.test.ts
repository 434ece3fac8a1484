import { stream, streamFromState } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { makeRng, rngFromState } from './rng.js';

// The draws themselves are tested with the streams in @memgen/common (random.test.ts).
describe('the task names of the shared streams', () => {
  it('are the common streams, so every dataset keeps its numbers', () => {
    expect(makeRng).toBe(stream);
    expect(rngFromState).toBe(streamFromState);
    const draws = Array.from(
      { length: 4 },
      (
        (rng) => () =>
          rng.int(0, 1_000_000)
      )(makeRng(1, 'golden')),
    );
    expect(draws).toEqual([409175, 179440, 28270, 907110]);
  });
});

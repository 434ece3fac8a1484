/** `memgen compare`'s flags are checked before any run directory is read. */
import { afterEach, describe, expect, it } from 'vitest';
import { compareCommand } from './compare.js';

const saved = process.env.MEMGEN_MAX_DRAWS;
afterEach(() => {
  if (saved === undefined) delete process.env.MEMGEN_MAX_DRAWS;
  else process.env.MEMGEN_MAX_DRAWS = saved;
});

const flags = { top: '0.1', draws: '1000', seed: '0' };

describe('memgen compare flags', () => {
  it('caps --draws, naming the cap and its variable', async () => {
    delete process.env.MEMGEN_MAX_DRAWS;
    await expect(compareCommand(['a', 'b'], { ...flags, draws: '100000000' })).rejects.toThrow(
      '--draws: asks for 100000000 random draws of one baseline',
    );
    await expect(compareCommand(['a', 'b'], { ...flags, draws: '100000000' })).rejects.toThrow(
      'above the limit of 100000 (set MEMGEN_MAX_DRAWS to raise it)',
    );
  });
});

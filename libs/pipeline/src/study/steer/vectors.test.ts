import { coordinateAt, type SiteMatrix } from '@memgen/analysis';
import { stream } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { interventionsFor, maxAbsShift, randomShifts, targetedShifts } from './vectors.js';

const control = (seed: number) => stream(seed, 'test/control');

// 3 sites × 4 dims.
const nmd: SiteMatrix = {
  values: Float64Array.from([0, 0, 0, 0, 0.5, -0.25, 0.1, 0, -2, 1, 0, 0.3]),
  sites: 3,
  width: 4,
};
const sd: SiteMatrix = {
  values: Float64Array.from([1, 1, 1, 1, 2, 4, 1, 1, 10, 3, 1, 0.5]),
  sites: 3,
  width: 4,
};
const selected = [4, 5, 8].map((i) => coordinateAt(i, 4));

describe('steering shifts', () => {
  it('toward mem adds α·NMD, toward gen subtracts it', () => {
    expect(targetedShifts(selected, nmd, sd, 'nmd', 3, 1)).toEqual([
      { site: 1, dim: 0, shift: 1.5 },
      { site: 1, dim: 1, shift: -0.75 },
      { site: 2, dim: 0, shift: -6 },
    ]);
    expect(targetedShifts(selected, nmd, sd, 'nmd', 3, -1).map((s) => s.shift)).toEqual([-1.5, 0.75, 6]);
  });

  it('in sd units the size is α·sd and the direction sign(NMD)', () => {
    expect(targetedShifts(selected, nmd, sd, 'sd', 2, 1).map((s) => s.shift)).toEqual([4, -8, -20]);
    expect(maxAbsShift(targetedShifts(selected, nmd, sd, 'sd', 2, 1))).toBe(20);
  });

  it('α = 0 shifts nothing', () => {
    for (const s of targetedShifts(selected, nmd, sd, 'nmd', 0, 1)) expect(Math.abs(s.shift)).toBe(0);
    expect(() => targetedShifts(selected, nmd, sd, 'nmd', -1, 1)).toThrow(/alpha/);
  });

  it('random control: distinct eligible coordinates, |shift| ≤ m, reproducible from the stream', () => {
    const a = randomShifts(3, 4, [0], 5, 0.7, control(11));
    expect(a).toHaveLength(5);
    expect(new Set(a.map((s) => s.site * 4 + s.dim)).size).toBe(5);
    for (const s of a) {
      expect(s.site).not.toBe(0);
      expect(Math.abs(s.shift)).toBeLessThanOrEqual(0.7);
    }
    expect(randomShifts(3, 4, [0], 5, 0.7, control(11))).toEqual(a);
    expect(randomShifts(3, 4, [0], 5, 0.7, control(12))).not.toEqual(a);
    expect(randomShifts(3, 4, [0], 8, 1, control(1))).toHaveLength(8); // every eligible coordinate
    expect(() => randomShifts(3, 4, [0], 9, 1, control(1))).toThrow(
      /cannot draw 9 random coordinates from 8/,
    );
  });

  it('one additive intervention per touched site, on that site hook', () => {
    const hooks = ['embed', 'blocks.0.resid_post', 'blocks.1.resid_post'];
    const ivs = interventionsFor(
      [
        { site: 2, dim: 3, shift: 1 },
        { site: 1, dim: 0, shift: 0.5 },
        { site: 2, dim: 0, shift: -2 },
      ],
      hooks,
      4,
    );
    expect(ivs.map((iv) => ('hook' in iv ? iv.hook : iv.kind))).toEqual([
      'blocks.0.resid_post',
      'blocks.1.resid_post',
    ]);
    expect(ivs).toEqual([
      {
        kind: 'add',
        hook: 'blocks.0.resid_post',
        vector: Float32Array.from([0.5, 0, 0, 0]),
        position: 'last',
      },
      {
        kind: 'add',
        hook: 'blocks.1.resid_post',
        vector: Float32Array.from([-2, 0, 0, 1]),
        position: 'last',
      },
    ]);
    expect(interventionsFor([], hooks, 4)).toEqual([]);
    expect(() => interventionsFor([{ site: 3, dim: 0, shift: 1 }], hooks, 4)).toThrow(/site 3 has no hook/);
  });
});

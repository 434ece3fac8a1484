import { stream } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { makeActivations } from './activations.js';
import { maxAbsRForSwaps, permutationContext, permutationNoiseLevel } from './noise-level.js';
import { pointBiserial } from './point-biserial.js';
import { plantedShift, syntheticPairs } from './test-fixtures.js';

describe('maxAbsRForSwaps', () => {
  it('equals max |pointBiserial| of explicitly swapped arrays', () => {
    const { mem, gen } = syntheticPairs({ n: 30, sites: 3, width: 4, seed: 11, shift: (s) => 0.3 * s });
    const swapped = Uint8Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const stride = 12;
    const mem2 = new Float32Array(mem.data);
    const gen2 = new Float32Array(gen.data);
    for (let i = 0; i < 30; i++) {
      if (swapped[i] === 0) continue;
      mem2.set(gen.data.subarray(i * stride, (i + 1) * stride), i * stride);
      gen2.set(mem.data.subarray(i * stride, (i + 1) * stride), i * stride);
    }
    const r = pointBiserial(makeActivations(mem2, 30, 3, 4), makeActivations(gen2, 30, 3, 4));
    const expected = Math.max(...Array.from(r.values, Math.abs));
    expect(maxAbsRForSwaps(permutationContext(mem, gen), swapped)).toBeCloseTo(expected, 12);
    // Excluding site 2 drops its coordinates from the maximum.
    const expectedWithout = Math.max(...Array.from(r.values.subarray(0, 8), Math.abs));
    expect(maxAbsRForSwaps(permutationContext(mem, gen, [2]), swapped)).toBeCloseTo(expectedWithout, 12);
  });
});

describe('permutationNoiseLevel', () => {
  it('finds a planted signal: smallest possible p, exactly the planted coordinates above threshold', () => {
    // Coordinates (site 1, dims 0..2) shifted by ±0.8 sd; everything else is noise.
    const shift = plantedShift(1, 3, 0.8);
    const { mem, gen } = syntheticPairs({ n: 200, sites: 2, width: 16, seed: 5, shift });
    const result = permutationNoiseLevel(mem, gen, stream(1, 'test/noise'), { permutations: 199 });
    expect(result.pValue).toBe(1 / 200);
    expect(result.atNoiseLevel).toBe(false);
    expect(result.countAboveThreshold).toBe(3);
    expect(result.observedMaxAbsR).toBeGreaterThan(0.3);
    expect(result.threshold).toBeLessThan(0.2);
  });

  it('reports noise as noise, deterministically from the stream', () => {
    const { mem, gen } = syntheticPairs({ n: 100, sites: 2, width: 8, seed: 9 });
    const a = permutationNoiseLevel(mem, gen, stream(2, 'test/noise'), { permutations: 199 });
    const b = permutationNoiseLevel(mem, gen, stream(2, 'test/noise'), { permutations: 199 });
    const c = permutationNoiseLevel(mem, gen, stream(3, 'test/noise'), { permutations: 199 });
    expect(a.pValue).toBeGreaterThanOrEqual(0.05);
    expect(a.atNoiseLevel).toBe(true);
    expect(Array.from(a.nullMaxAbsR)).toEqual(Array.from(b.nullMaxAbsR));
    expect(Array.from(a.nullMaxAbsR)).not.toEqual(Array.from(c.nullMaxAbsR));
    expect(a.nullMaxAbsR.every((v) => v >= 0 && v <= 1)).toBe(true);
    // Max |r| of 16 noise coordinates over 200 members sits near 2/√200 ≈ 0.14.
    expect(a.threshold).toBeGreaterThan(0.1);
    expect(a.threshold).toBeLessThan(0.3);
  });

  it('counts the all-swapped permutation as at least the observed value', () => {
    // One pair: the only permutations are "keep" and "swap", both with |r| = 1.
    const mem = makeActivations(Float32Array.of(2), 1, 1, 1);
    const gen = makeActivations(Float32Array.of(1), 1, 1, 1);
    const result = permutationNoiseLevel(mem, gen, stream(0, 'test/noise'), { permutations: 9 });
    expect(result.observedMaxAbsR).toBe(1);
    expect(result.pValue).toBe(1);
  });

  it('rejects a bad permutation count', () => {
    const { mem, gen } = syntheticPairs({ n: 4, sites: 1, width: 2, seed: 1 });
    expect(() => permutationNoiseLevel(mem, gen, stream(0, 'test/noise'), { permutations: 0 })).toThrow(
      /permutations must be a positive integer/,
    );
  });
});

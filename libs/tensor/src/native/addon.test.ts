import { describe, expect, it } from 'vitest';
import { chooseOpenMpWaiting, loadAddon, OMP_SPIN_COUNT } from './addon.js';

// Every native entry point validates its arguments before touching memory; these calls would
// read or write out of bounds if it did not.
const addon = loadAddon();
const f = (n: number) => new Float32Array(n);

describe('the addon rejects bad arguments with an Error naming the kernel', () => {
  it('matMul', () => {
    const idx = new Int32Array([0]);
    expect(() => addon.matMul(f(4), f(4), f(4), 2, 2, 2, false, false, idx, idx)).not.toThrow();
    expect(() => addon.matMul(f(3), f(4), f(4), 2, 2, 2, false, false, idx, idx)).toThrow(
      /memgen native matMul: out has 3 elements, expected 4/,
    );
    expect(() => addon.matMul(f(4), f(3), f(4), 2, 2, 2, false, false, idx, idx)).toThrow(
      /aIndex\[0\] points outside a/,
    );
    expect(() => addon.matMul(f(4), f(4), f(4), 2, 2, 2, false, false, new Int32Array([1]), idx)).toThrow(
      /aIndex\[0\] points outside a/,
    );
    expect(() =>
      addon.matMul(f(4), new Int32Array(4) as unknown as Float32Array, f(4), 2, 2, 2, false, false, idx, idx),
    ).toThrow(/a must be a Float32Array/);
    expect(() => addon.matMul(f(4), f(4), f(4), -2, 2, 2, false, false, idx, idx)).toThrow(
      /m must be an integer/,
    );
  });

  it('binary, unary, reduce, softmax', () => {
    expect(() => addon.binary(0, f(6), f(6), f(5), [6, 1, 1])).toThrow(/b is too short/);
    expect(() => addon.binary(0, f(3), f(6), f(6), [3, 2, 1])).toThrow(/innermost strides must be 0 or 1/);
    expect(() => addon.binary(99, f(6), f(6), f(6), [6, 1, 1])).toThrow(/op must be an integer in \[0, 7\]/);
    expect(() => addon.unary(0, f(5), f(6), 0)).toThrow(/out has 5 elements, expected 6/);
    expect(() => addon.reduce(0, f(2), f(5), 2, 3, 1)).toThrow(/x has 5 elements, expected 6/);
    expect(() => addon.softmax(f(6), f(6), 2, 4)).toThrow(/x has 6 elements, expected 8/);
  });

  it('layout kernels', () => {
    expect(() => addon.stridedCopy(f(4), f(4), 1, [4, 1])).toThrow(/too short for offset and strides/);
    expect(() => addon.stridedCopy(f(4), new Int32Array(4), 0, [4, 1])).toThrow(/element types differ/);
    expect(() => addon.stridedScatter(f(5), f(4), 2, [4, 1])).toThrow(/too short/);
    expect(() => addon.concat(f(7), [f(3), f(3)], 1)).toThrow(/do not add up/);
    expect(() => addon.split(f(6), [f(3), f(2)], 1)).toThrow(/do not add up/);
    expect(addon.gather(f(4), f(8), new Int32Array([0, 5]), 1, 4, 2)).toBe(1);
    expect(() => addon.segmentSum(f(4), f(5), new Int32Array([0, 1]), 2)).toThrow(/x is not \[ids, inner\]/);
  });

  it('fused kernels', () => {
    expect(() => addon.layerNorm(f(6), f(2), f(2), f(6), f(4), f(3), 1e-5)).toThrow(
      /beta has 3 elements, expected 4/,
    );
    expect(() => addon.softmaxCrossEntropy(f(2), f(8), f(8), new Int32Array([0, 4]))).toThrow(
      /label 4 at row 1/,
    );
    expect(() => addon.adamw(f(3), f(3), f(3), f(3), f(3), f(3), f(2), 1e-3, 0.9, 0.99, 1e-8, 0, 1)).toThrow(
      /a state array has 2 elements, expected 3/,
    );
  });
});

describe('OpenMP waiting', () => {
  it('spins briefly unless the user chose a policy or a spin count', () => {
    const unset: NodeJS.ProcessEnv = {};
    chooseOpenMpWaiting(unset);
    expect(unset).toEqual({ GOMP_SPINCOUNT: String(OMP_SPIN_COUNT) });
    for (const own of [
      { OMP_WAIT_POLICY: 'passive' },
      { GOMP_SPINCOUNT: '0' },
      { OMP_WAIT_POLICY: 'active' },
    ]) {
      const env: NodeJS.ProcessEnv = { ...own };
      chooseOpenMpWaiting(env);
      expect(env).toEqual(own);
    }
  });
});

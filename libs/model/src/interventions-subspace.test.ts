import { stream } from '@memgen/common';
import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordAround, testModel, V } from './intervention-test-helpers.js';
import { type Intervention, withInterventions } from './interventions.js';
import { logitsOf, prompts } from './test-models.js';

beforeAll(async () => {
  await useTestBackend();
});

/** k orthonormal rows of `width` (Gram–Schmidt of normal draws). */
function orthonormal(k: number, width: number, seed: number): Float32Array {
  const rng = stream(seed, 'test/subspace-basis');
  const rows: number[][] = [];
  for (let a = 0; a < k; a++) {
    let v = Array.from({ length: width }, () => rng.normal());
    for (const u of rows) {
      const dot = v.reduce((s, x, j) => s + x * u[j]!, 0);
      v = v.map((x, j) => x - dot * u[j]!);
    }
    const len = Math.hypot(...v);
    rows.push(v.map((x) => x / len));
  }
  return Float32Array.from(rows.flat());
}

const dotRow = (basis: Float32Array, a: number, x: number[], W: number) =>
  x.reduce((s, v, j) => s + v * basis[a * W + j]!, 0);

describe('subspace intervention', () => {
  it('at α = 0 leaves the logits bit-identical, at every hook and position', () => {
    const model = testModel(2);
    const seqs = prompts(3, V);
    const plain = logitsOf(model, seqs);
    for (const hook of ['embed', 'blocks.0.attn.out', 'blocks.1.resid_post']) {
      const { width } = model.hooks.point(hook);
      for (const position of ['last', 'all', 'prompt'] as const) {
        const iv: Intervention = {
          kind: 'subspace',
          hook,
          basis: orthonormal(2, width, 1),
          values: [5, -3],
          alpha: 0,
          position,
        };
        expect(
          withInterventions(model, [iv], () => logitsOf(model, seqs)),
          `${hook} ${position}`,
        ).toEqual(plain);
      }
    }
  });

  it('at α = 1 sets the k coordinates to the values and keeps the orthogonal complement', () => {
    const model = testModel(3);
    const hook = 'blocks.0.resid_post';
    const W = model.hooks.point(hook).width;
    const basis = orthonormal(3, W, 2);
    const values = [1.5, -2, 0.25];
    const iv: Intervention = { kind: 'subspace', hook, basis, values, alpha: 1 };
    const seqs = prompts(4, V);
    const { before, after } = recordAround(model, hook, [iv], seqs, 'last');
    const [b, a] = [before as number[][], after as number[][]];
    for (let r = 0; r < seqs.length; r++) {
      for (let k = 0; k < 3; k++) expect(dotRow(basis, k, a[r]!, W)).toBeCloseTo(values[k]!, 4);
      // x − Bᵀ·B·x is the same before and after.
      const residual = (x: number[]) =>
        x.map((v, j) => v - [0, 1, 2].reduce((s, k) => s + dotRow(basis, k, x, W) * basis[k * W + j]!, 0));
      const [rb, ra] = [residual(b[r]!), residual(a[r]!)];
      for (let j = 0; j < W; j++) expect(ra[j]).toBeCloseTo(rb[j]!, 4);
    }
  });

  it('at α = 0.5 moves the coordinates half way', () => {
    const model = testModel(4);
    const hook = 'blocks.1.attn.out';
    const W = model.hooks.point(hook).width;
    const basis = orthonormal(1, W, 3);
    const seqs = prompts(2, V);
    const { before, after } = recordAround(
      model,
      hook,
      [{ kind: 'subspace', hook, basis, values: [4], alpha: 0.5 }],
      seqs,
      'last',
    );
    for (let r = 0; r < 2; r++) {
      const c0 = dotRow(basis, 0, (before as number[][])[r]!, W);
      expect(dotRow(basis, 0, (after as number[][])[r]!, W)).toBeCloseTo(c0 + 0.5 * (4 - c0), 4);
    }
  });

  it('refuses a basis of the wrong width, a non-orthonormal one and a value count that does not match', () => {
    const model = testModel();
    const hook = 'blocks.0.mlp.out';
    const W = model.hooks.point(hook).width;
    const run = (iv: Intervention) => () =>
      withInterventions(model, [iv], () => logitsOf(model, prompts(1, V)));
    const base = { kind: 'subspace' as const, hook, alpha: 1 };
    expect(run({ ...base, basis: new Float32Array(W + 1), values: [0] })).toThrow(
      /subspace on 'blocks.0.mlp.out': basis has 17 values, not a whole number of rows of width 16/,
    );
    const doubled = orthonormal(1, W, 4).map((x) => 2 * x);
    expect(run({ ...base, basis: doubled, values: [0] })).toThrow(/basis rows 0 and 0 are not orthonormal/);
    expect(run({ ...base, basis: orthonormal(2, W, 5), values: [0] })).toThrow(/2 basis rows but 1 values/);
    expect(run({ ...base, basis: orthonormal(1, W, 6), values: [0], alpha: Number.NaN })).toThrow(
      /alpha must be finite/,
    );
  });
});

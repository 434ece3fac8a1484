import { describe, expect, it } from 'vitest';
import { predictLogistic } from './logistic-regression.js';
import { probeDirection } from './probe-direction.js';
import { siteFeatures } from './probes.js';
import { plantedShift, syntheticPairs } from './test-fixtures.js';

describe('probeDirection', () => {
  const { mem, gen } = syntheticPairs({
    n: 200,
    sites: 2,
    width: 12,
    seed: 5,
    shift: plantedShift(1, 3, 0.8),
  });

  it('points toward mem along the planted dimensions, in raw units', () => {
    for (const centring of ['none', 'within-pair'] as const) {
      const dir = probeDirection(mem, gen, 1, { centring });
      expect(dir.converged).toBe(true);
      const w = Array.from(dir.weights);
      for (let j = 0; j < 3; j++) expect(w[j]).toBeGreaterThan(0);
      const planted = w.slice(0, 3).reduce((a, v) => a + v * v, 0);
      const rest = w.slice(3).reduce((a, v) => a + v * v, 0);
      expect(planted).toBeGreaterThan(5 * rest);
    }
  });

  it('raw weights and intercept reproduce the standardised probe on raw features', () => {
    const dir = probeDirection(mem, gen, 1);
    const x = siteFeatures(mem, gen, 1, 'none');
    const model = { ...dir, iterations: 0, gradientNorm: 0, objective: 0 };
    const predicted = predictLogistic(model, x, 400, 12);
    let correct = 0;
    predicted.forEach((p, k) => {
      if (p === (k % 2 === 0 ? 1 : 0)) correct++;
    });
    expect(correct / 400).toBeGreaterThan(0.85);
  });

  it('gives zero weights at a site without signal or variance', () => {
    const flat = syntheticPairs({ n: 20, sites: 1, width: 4, seed: 1, noiseScale: 0 });
    const dir = probeDirection(flat.mem, flat.gen, 0, { centring: 'within-pair' });
    expect(Array.from(dir.weights)).toEqual([0, 0, 0, 0]);
  });
});

import { stream } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { makeActivations } from './activations.js';
import { standardiseFold } from './probe-cv.js';
import { probeFeatureMatrix, probeLearningCurve, probeSites, siteFeatures } from './probes.js';
import { plantedShift, syntheticPairs } from './test-fixtures.js';

// Site 0: pure noise. Site 1: dims 0..3 shifted by ±1.5 sd — separable enough for accuracy ≈ 1.
const { mem, gen } = syntheticPairs({ n: 120, sites: 2, width: 8, seed: 21, shift: plantedShift(1, 4, 1.5) });
const probes = () => stream(0, 'test/probes');

describe('probeSites', () => {
  it('is ≈ 1 on a strongly separated site and ≈ 0.5 on noise', () => {
    const [noise, signal] = probeSites(mem, gen, probes());
    expect(noise!.site).toBe(0);
    expect(noise!.meanAccuracy).toBeGreaterThan(0.35); // 0.417 with this seed
    expect(noise!.meanAccuracy).toBeLessThan(0.65);
    expect(signal!.meanAccuracy).toBeGreaterThan(0.97);
    expect(signal!.foldAccuracies).toHaveLength(5);
    expect(signal!.nonConvergedFolds).toBe(0);
  });

  it('is exactly 1 on linearly separable data', () => {
    const sep = syntheticPairs({ n: 40, sites: 1, width: 3, seed: 2, shift: () => 20, noiseScale: 0.1 });
    const [result] = probeSites(sep.mem, sep.gen, probes(), { folds: 4 });
    expect(Array.from(result!.foldAccuracies)).toEqual([1, 1, 1, 1]);
    expect(result!.sdAccuracy).toBe(0);
  });

  it('drops to chance with shuffled labels, on the same folds', () => {
    const [, shuffled] = probeSites(mem, gen, probes(), { shuffleLabels: true, sites: [0, 1] });
    expect(shuffled!.meanAccuracy).toBeGreaterThan(0.35);
    expect(shuffled!.meanAccuracy).toBeLessThan(0.65);
  });

  it('within-pair centring recovers a signal that the shared story hides', () => {
    // Story variance 25× the noise, the behaviour shift small: raw vectors are dominated by the story.
    const story = syntheticPairs({
      n: 150,
      sites: 1,
      width: 10,
      seed: 8,
      storyScale: 5,
      noiseScale: 0.3,
      shift: (_s, j) => (j < 2 ? 0.4 : 0),
    });
    const [raw] = probeSites(story.mem, story.gen, probes());
    const [centred] = probeSites(story.mem, story.gen, probes(), { centring: 'within-pair' });
    expect(centred!.meanAccuracy).toBeGreaterThan(0.9);
    expect(raw!.meanAccuracy).toBeLessThan(centred!.meanAccuracy - 0.1);
  });

  it('gives within-pair-centred features ±(mem − gen)/2', () => {
    const m = makeActivations(Float32Array.of(3, 10), 1, 1, 2);
    const g = makeActivations(Float32Array.of(1, 4), 1, 1, 2);
    expect(Array.from(siteFeatures(m, g, 0, 'within-pair'))).toEqual([1, 3, -1, -3]);
    expect(Array.from(siteFeatures(m, g, 0, 'none'))).toEqual([3, 10, 1, 4]);
  });

  it('is deterministic from the stream', () => {
    const a = probeSites(mem, gen, stream(3, 'test/probes'), { sites: [0] });
    const b = probeSites(mem, gen, stream(3, 'test/probes'), { sites: [0] });
    expect(Array.from(a[0]!.foldAccuracies)).toEqual(Array.from(b[0]!.foldAccuracies));
  });
});

describe('probeLearningCurve', () => {
  it('probes nested subsets of the requested sizes', () => {
    const curve = probeLearningCurve(mem, gen, [20, 120], probes(), { sites: [1] });
    expect(curve.map((p) => p.pairs)).toEqual([20, 120]);
    expect(curve[1]!.sites[0]!.meanAccuracy).toBeGreaterThan(0.97);
    // All pairs = the plain probe on the same stream (same folds, same data).
    expect(curve[1]!.sites[0]!.meanAccuracy).toBeCloseTo(
      probeSites(mem, gen, probes(), { sites: [1] })[0]!.meanAccuracy,
      12,
    );
    expect(() => probeLearningCurve(mem, gen, [121], probes())).toThrow(/pair count 121/);
  });
});

describe('probeFeatureMatrix', () => {
  it('probes caller-given features, e.g. a bag of tokens where one token marks mem', () => {
    const rng = stream(5, 'test/bag');
    const n = 60;
    const cols = 6;
    const memBag = new Float32Array(n * cols);
    const genBag = new Float32Array(n * cols);
    for (let i = 0; i < n; i++) {
      for (let j = 1; j < cols; j++) {
        memBag[i * cols + j] = rng.bit() ? 1 : 0;
        genBag[i * cols + j] = rng.bit() ? 1 : 0;
      }
      memBag[i * cols] = 1; // token 0 appears in every mem prompt only
    }
    const result = probeFeatureMatrix(
      { data: memBag, rows: n, cols },
      { data: genBag, rows: n, cols },
      probes(),
    );
    expect(result.meanAccuracy).toBe(1);
    expect('site' in result).toBe(false);
  });
});

describe('standardiseFold', () => {
  it('scales with the train rows only and zeroes train-constant features', () => {
    // 4 rows × 2 features; train rows 0..2 have feature 0 = {1, 2, 3} (mean 2, sd √(2/3)), feature 1 constant.
    const x = Float64Array.of(1, 5, 2, 5, 3, 5, 4, 9);
    const { train, test } = standardiseFold(x, 2, Int32Array.of(0, 1, 2), Int32Array.of(3));
    const sd = Math.sqrt(2 / 3);
    expect(train[0]).toBeCloseTo(-1 / sd, 12);
    expect(train[4]).toBeCloseTo(1 / sd, 12);
    expect(test[0]).toBeCloseTo(2 / sd, 12);
    expect([train[1], train[3], train[5], test[1]]).toEqual([0, 0, 0, 0]);
  });
});

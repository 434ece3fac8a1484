import { describe, expect, it } from 'vitest';
import { probeBeatsShuffled } from '../probes/report.js';
import { noiseVerdict } from '../stats/report.js';
import type { NoiseSummary } from '../stats/stage.js';
import { table } from './markdown.js';
import { holmVerdict, pValue, rateInterval } from './verdicts.js';

const noise = (atNoiseLevel: boolean): NoiseSummary => ({
  observedMaxAbsR: 0.025,
  threshold95: 0.031,
  threshold99: 0.036,
  pValue: atNoiseLevel ? 0.4 : 0.004,
  countAboveThreshold: atNoiseLevel ? 0 : 7,
  atNoiseLevel,
  permutations: 200,
});

const acc = (mean: number, sd: number) => ({
  site: 'x',
  mean,
  sd,
  folds: [mean, mean, mean, mean],
  nonConvergedFolds: 0,
});

describe('report wording', () => {
  it('says "indistinguishable from noise" when max |r| is at the permutation level', () => {
    expect(noiseVerdict(noise(true))).toMatch(/^\*\*At noise level:\*\*.*indistinguishable from noise/);
    expect(noiseVerdict(noise(true))).toContain('0.031');
    expect(noiseVerdict(noise(false))).toMatch(/^\*\*Above noise level:\*\*.*7 coordinates exceed/);
  });

  it('calls a switch rate above its matched control only when the Holm-corrected p says so', () => {
    expect(holmVerdict(0.3, 0.05, 0.01, 40)).toBe('above the matched control (Holm)');
    expect(holmVerdict(0.01, 0.2, 0.01, 40)).toBe('below the matched control (Holm)');
    expect(holmVerdict(0.3, 0.05, 0.06, 40)).toBe('at noise level vs the matched control');
    expect(holmVerdict(0.3, 0.05, 0.5, 6)).toMatch(/at noise level \(only 6 items\)/);
    expect(holmVerdict(null, null, null, 0)).toMatch(/no item/);
  });

  it('replaces a collapsed bootstrap interval at 0 % or 100 % by the exact one', () => {
    // Clopper–Pearson upper bound for 0 of 17: 1 − 0.025^(1/17) = 0.1951.
    expect(rateInterval(0, 0, 0, 17)).toBe('0.0 % [0.0, 19.5]†');
    expect(rateInterval(1, 1, 1, 17)).toBe('100.0 % [80.5, 100.0]†');
    expect(rateInterval(0.25, 0.1, 0.4, 20)).toBe('25.0 % [10.0, 40.0]');
  });

  it('a probe beats its shuffled twin only by more than twice the fold standard error', () => {
    expect(probeBeatsShuffled(acc(0.68, 0.02), acc(0.5, 0.02))).toBe(true);
    expect(probeBeatsShuffled(acc(0.68, 0.2), acc(0.5, 0.2))).toBe(false);
    expect(probeBeatsShuffled(acc(0.49, 0.0), acc(0.3, 0.0))).toBe(false); // below chance is no signal
  });

  it('p-values never print as 0; tables escape pipes and check their rows', () => {
    expect(pValue(0.0004)).toBe('4.0e-4');
    expect(pValue(0.25)).toBe('0.250');
    expect(table(['a', 'b'], [['|x|', 'y']])).toBe('| a | b |\n| --- | --- |\n| \\|x\\| | y |');
    expect(() => table(['a', 'b'], [['only one']])).toThrow(/row 0 has 1 cells, the header has 2/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseStudyConfig } from './config.js';
import { resolveStudyConfig, STUDY_PRESET_NAMES } from './presets.js';

describe('study config', () => {
  it('quick is the documented defaults; every preset validates', () => {
    expect(resolveStudyConfig('quick')).toEqual(parseStudyConfig({}));
    const quick = resolveStudyConfig('quick');
    expect(quick.steer.alphas).toEqual({ nmd: [1, 5, 20, 100], sd: [0.5, 2] });
    expect(quick.steer.topFractions).toEqual([0.05, 0.1]);
    expect(quick.pairs.beamWidth).toBe(1);
    expect(STUDY_PRESET_NAMES).toEqual(['smoke', 'quick', 'paper']);
    for (const name of STUDY_PRESET_NAMES) expect(() => resolveStudyConfig(name)).not.toThrow();
  });

  it("paper follows the paper's protocol", () => {
    const paper = resolveStudyConfig('paper');
    expect(paper.pairs.target).toBe(5000);
    expect(paper.pairs.beamWidth).toBe(5);
    expect(paper.steer.alphas).toEqual({ nmd: [1, 3, 5], sd: [] });
    expect(paper.steer.topFractions).toEqual([0.05, 0.1]);
  });

  it('overrides merge deeply; arrays replace', () => {
    const c = resolveStudyConfig('smoke', { steer: { alphas: { nmd: [7] } }, seed: 9 });
    expect(c.seed).toBe(9);
    expect(c.steer.alphas).toEqual({ nmd: [7], sd: [2] });
    expect(c.steer.items).toBe(48); // from the preset, untouched by the override
  });

  it('errors name the field', () => {
    expect(() => resolveStudyConfig('quick', { steer: { topFractions: [0] } })).toThrow(
      /study config: field "steer\.topFractions\.0":/,
    );
    expect(() => resolveStudyConfig('quick', { pairs: { targett: 3 } })).toThrow(
      /study config: field "pairs":/,
    );
    expect(() => resolveStudyConfig('huge')).toThrow(
      /unknown study preset 'huge'; known: smoke, quick, paper/,
    );
    expect(() => parseStudyConfig({ steer: { site: 'mlp.post' } })).toThrow(
      /field "steer\.site": .*record\.mlpPost/,
    );
    expect(() => parseStudyConfig({ pairs: { minPairs: 4 }, probes: { folds: 5 } })).toThrow(
      /field "pairs\.minPairs": must be at least probes\.folds \(5\)/,
    );
    expect(() => resolveStudyConfig('quick', [])).toThrow(/overrides must be an object/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseStudyConfig } from './config.js';
import { resolveStudyConfig, STUDY_PRESET_NAMES } from './presets.js';
import { DEFAULT_STEER_FAMILIES } from './steer/config.js';
import { expandFamilies } from './steer/plan/ids.js';

describe('study config', () => {
  it('quick is the documented defaults; every preset validates', () => {
    expect(resolveStudyConfig('quick')).toEqual(parseStudyConfig({}));
    const quick = resolveStudyConfig('quick');
    expect(quick.steer.families).toHaveLength(DEFAULT_STEER_FAMILIES.length);
    expect(quick.steer.primary).toBe('add-nmd-resid-top5-last-a20');
    // Defaults filled in: position 'last', site 'resid'.
    expect(quick.steer.families[0]).toEqual({
      kind: 'add',
      direction: 'nmd',
      site: 'resid',
      select: { top: 0.05 },
      position: 'last',
      alphas: [5, 20, 100],
    });
    expect(quick.pairs.beamWidth).toBe(1);
    expect(STUDY_PRESET_NAMES).toEqual(['smoke', 'quick', 'paper']);
    for (const name of STUDY_PRESET_NAMES) expect(() => resolveStudyConfig(name)).not.toThrow();
  });

  it("paper follows the paper's protocol", () => {
    const paper = resolveStudyConfig('paper');
    expect(paper.pairs.target).toBe(5000);
    expect(paper.pairs.beamWidth).toBe(5);
    const ids = expandFamilies(paper.steer.families, null).map((s) => s.id);
    expect(ids).toEqual([5, 10].flatMap((top) => [1, 3, 5].map((a) => `add-nmd-resid-top${top}-last-a${a}`)));
    expect(ids).toContain(paper.steer.primary);
  });

  it('overrides merge deeply; arrays replace', () => {
    const families = [{ kind: 'add', select: { top: 0.1 }, alphas: [7] }];
    const c = resolveStudyConfig('smoke', {
      steer: { families, primary: 'add-nmd-resid-top10-last-a7' },
      seed: 9,
    });
    expect(c.seed).toBe(9);
    expect(expandFamilies(c.steer.families, null).map((s) => s.id)).toEqual(['add-nmd-resid-top10-last-a7']);
    expect(c.steer.items).toBe(48); // from the preset, untouched by the override
  });

  it('errors name the field', () => {
    const add = (select: unknown) => ({ steer: { families: [{ kind: 'add', select, alphas: [1] }] } });
    expect(() => resolveStudyConfig('quick', add({ top: 0 }))).toThrow(
      /study config: field "steer\.families\.0\.select/,
    );
    expect(() => resolveStudyConfig('quick', { pairs: { targett: 3 } })).toThrow(
      /study config: field "pairs":/,
    );
    expect(() => resolveStudyConfig('huge')).toThrow(
      /unknown study preset 'huge'; known: smoke, quick, paper/,
    );
    const mlp = { kind: 'add', site: 'mlp.post', select: { top: 0.1 }, alphas: [1] };
    expect(() =>
      parseStudyConfig({ steer: { families: [mlp], primary: 'add-nmd-mlp-top10-last-a1' } }),
    ).toThrow(/field "steer\.families\.0\.site": .*record\.mlpPost/);
    expect(() => parseStudyConfig(add({ top: 0.1 }))).toThrow(
      /field "steer\.primary": 'add-nmd-resid-top5-last-a20' is not a setting of steer\.families; they are: add-nmd-resid-top10-last-a1/,
    );
    const twice = { kind: 'add', select: { top: 0.1 }, alphas: [1, 2] };
    expect(() =>
      parseStudyConfig({
        steer: { families: [twice, { ...twice, alphas: [2] }], primary: 'add-nmd-resid-top10-last-a1' },
      }),
    ).toThrow(
      /field "steer\.families\.1": setting 'add-nmd-resid-top10-last-a2' is also made by families\.0/,
    );
    expect(() =>
      parseStudyConfig({ steer: { families: [{ kind: 'scale', select: { top: 0.1 }, alphas: [0] }] } }),
    ).toThrow(/steer\.families\.0\.alphas\.0.*identity/);
    expect(() =>
      parseStudyConfig({
        steer: {
          families: [
            {
              kind: 'head-ablate',
              heads: [
                { block: 0, head: 1 },
                { block: 0, head: 1 },
              ],
            },
          ],
        },
      }),
    ).toThrow(/field "steer\.families\.0\.heads": lists a head twice/);
    const same = { block: 1, site: 'attn.out' };
    expect(() =>
      parseStudyConfig({
        steer: {
          families: [{ kind: 'sublayer-scale', toGen: same, toMem: same, alphas: [-0.5] }],
          primary: 'sublayer-scale-genb1attn-memb1attn-last-a-0.5',
        },
      }),
    ).toThrow(/field "steer\.families\.0\.toMem": is the same sublayer as toGen/);
    // Calibrated sublayers: ids say 'calib'; both may be calibrated, or one beside a fixed sublayer.
    const calibrated = parseStudyConfig({
      steer: {
        families: [
          { kind: 'sublayer-scale', toGen: 'calibrated', toMem: 'calibrated', alphas: [-0.5] },
          { kind: 'sublayer-ablate', toGen: 'calibrated', toMem: same, position: 'prompt' },
        ],
        primary: 'sublayer-scale-gencalib-memcalib-last-a-0.5',
      },
    });
    expect(calibrated.steer.families[1]).toMatchObject({ toGen: 'calibrated', toMem: same });
    expect(() =>
      parseStudyConfig({
        steer: {
          families: [{ kind: 'sublayer-ablate', toGen: 'calibrated', toMem: same }],
          primary: 'sublayer-gencalib-memb1attn-prompt',
        },
      }),
    ).toThrow(
      /'sublayer-gencalib-memb1attn-prompt' is not a setting of steer\.families; they are: sublayer-gencalib-memb1attn-last/,
    );
    expect(() =>
      parseStudyConfig({
        steer: { families: [{ kind: 'sublayer-scale', toGen: 'best', toMem: same, alphas: [-0.5] }] },
      }),
    ).toThrow(/steer\.families\.0\.toGen/);
    // A head-ablate 'each' family's ids depend on the model; any head id of its position is accepted.
    expect(
      parseStudyConfig({
        steer: { families: [{ kind: 'head-ablate', heads: 'each' }], primary: 'heads-b3h1-all' },
      }).steer.primary,
    ).toBe('heads-b3h1-all');
    expect(() => parseStudyConfig({ pairs: { minPairs: 4 }, probes: { folds: 5 } })).toThrow(
      /field "pairs\.minPairs": must be at least probes\.folds \(5\)/,
    );
    expect(() => resolveStudyConfig('quick', [])).toThrow(/overrides must be an object/);
  });

  it('attention families: ids name the keys and the signed heads; signs and α are checked', () => {
    const fixed = {
      kind: 'attention',
      toGen: [
        { block: 1, head: 0, sign: 1 },
        { block: 0, head: 1, sign: -1 },
      ],
      toMem: 'calibrated',
      count: 2,
      alphas: [1, 2.5],
    };
    const c = parseStudyConfig({
      steer: { families: [fixed], primary: 'attn-asked-genb0h1-b1h0+-memcalib2-prompt-a1' },
    });
    expect(expandFamilies(c.steer.families, null).map((s) => s.id)).toEqual([
      'attn-asked-genb0h1-b1h0+-memcalib2-prompt-a1',
      'attn-asked-genb0h1-b1h0+-memcalib2-prompt-a2.5',
    ]);
    const bad = (f: object) => () => parseStudyConfig({ steer: { families: [{ ...fixed, ...f }] } });
    expect(bad({ toGen: [{ block: 0, head: 0, sign: 2 }] })).toThrow(/steer\.families\.0\.toGen/);
    expect(bad({ alphas: [0] })).toThrow(/steer\.families\.0\.alphas\.0/);
    expect(bad({ keys: 'story' })).toThrow(/steer\.families\.0\.keys/);
    expect(bad({ position: 'last' })).toThrow(/steer\.families\.0\.position/);
  });
});

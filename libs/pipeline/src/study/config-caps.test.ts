/** Every size of the study config is held to a request cap, refused naming the field and the variable. */
import { LIMITS } from '@memgen/common';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStudyConfig } from './config.js';
import { CAPPED_FIELDS } from './config-caps.js';
import { resolveStudyConfig } from './presets.js';

const saved = { ...process.env };
afterEach(() => {
  for (const { env } of Object.values(LIMITS)) {
    if (saved[env] === undefined) delete process.env[env];
    else process.env[env] = saved[env];
  }
});

describe('study config caps', () => {
  it('refuses each capped field above its cap, naming it, the cap and the variable', () => {
    for (const { env } of Object.values(LIMITS)) delete process.env[env];
    for (const { path, limit } of CAPPED_FIELDS) {
      const { env, byDefault } = LIMITS[limit];
      const config = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), 5_000_000);
      expect(() => parseStudyConfig(config), path.join('.')).toThrow(
        new RegExp(
          `^study config: field "${path.join('\\.')}": asks for 5000000 .*above the limit of ${byDefault} \\(set ${env} to raise it\\)`,
        ),
      );
    }
  });

  it('names the fields the issue reported: batchSize, maxItems, permutations, randomDraws', () => {
    for (const { env } of Object.values(LIMITS)) delete process.env[env];
    expect(() => parseStudyConfig({ pairs: { batchSize: 5_000_000 } })).toThrow(
      'study config: field "pairs.batchSize": asks for 5000000 items in one forward batch',
    );
    expect(() => parseStudyConfig({ pairs: { maxItems: 5_000_000 } })).toThrow(
      /field "pairs\.maxItems": .*MEMGEN_MAX_ITEMS/,
    );
    expect(() => parseStudyConfig({ stats: { permutations: 10_000_000 } })).toThrow(
      /field "stats\.permutations": .*MEMGEN_MAX_DRAWS/,
    );
    expect(() => parseStudyConfig({ consistency: { randomDraws: 10_000_000 } })).toThrow(
      /field "consistency\.randomDraws": .*MEMGEN_MAX_DRAWS/,
    );
  });

  it('caps the steering grid: settings summed over the families', () => {
    delete process.env.MEMGEN_MAX_STEER_SETTINGS;
    const alphas = Array.from({ length: 1001 }, (_, i) => i + 1);
    const steer = {
      families: [{ kind: 'add', direction: 'nmd', select: { top: 0.1 }, alphas }],
      primary: 'add-nmd-resid-top10-last-a1',
    };
    expect(() => parseStudyConfig({ steer })).toThrow(
      'study config: field "steer.families": asks for 1001 steering settings in one grid',
    );
    process.env.MEMGEN_MAX_STEER_SETTINGS = '2000';
    expect(parseStudyConfig({ steer }).steer.families).toHaveLength(1);
  });

  it('leaves every preset inside the caps, and a raised variable lets a larger value through', () => {
    for (const { env } of Object.values(LIMITS)) delete process.env[env];
    for (const preset of ['smoke', 'quick', 'paper']) expect(() => resolveStudyConfig(preset)).not.toThrow();
    process.env.MEMGEN_MAX_BATCH = '10000';
    expect(parseStudyConfig({ pairs: { batchSize: 8192 } }).pairs.batchSize).toBe(8192);
  });
});

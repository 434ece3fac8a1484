import { describe, expect, it } from 'vitest';
import { bestSetting, meetsStrongCriterion, settingSites, upperBoundSection } from './book-upper-bound.js';
import { STRONG_RATES, testRun, testSetting } from './test-setting.js';

const strong = testSetting({
  id: 'strong',
  ...STRONG_RATES,
  learned: {
    hook: 'blocks.1.attn.out',
    coordinates: 64,
    mem_to_gen_shuffled_control: 0,
    gen_to_mem_shuffled_control: 0,
  },
});

describe('steering beside the patching upper bound', () => {
  it('the strong criterion: each threshold alone fails it', () => {
    expect(meetsStrongCriterion(strong)).toBe(true);
    expect(meetsStrongCriterion({ ...strong, gen_to_mem: 0.49 })).toBe(false); // below 50 %
    expect(meetsStrongCriterion({ ...strong, mem_to_gen_control: 0.051 })).toBe(false); // control above 5 %
    expect(meetsStrongCriterion({ ...strong, holm_p_gen_to_mem: 0.05 })).toBe(false); // Holm
    expect(meetsStrongCriterion({ ...strong, capability: 0.89 })).toBe(false); // 0.89 < 0.9 × 1
    expect(meetsStrongCriterion({ ...strong, capability: null })).toBe(false);
    // At the edges: exactly 50 % against exactly 5 % (10× below) meets it.
    expect(meetsStrongCriterion({ ...strong, mem_to_gen: 0.5, mem_to_gen_control: 0.05 })).toBe(true);
  });

  it('the best setting is the largest smaller direction among those beyond their control both ways', () => {
    const a = testSetting({ id: 'a', mem_to_gen: 0.3, gen_to_mem: 0.9 }); // weaker 0.3
    const b = testSetting({ id: 'b', mem_to_gen: 0.4, gen_to_mem: 0.45 }); // weaker 0.4
    const c = testSetting({ id: 'c', mem_to_gen: 0.8, gen_to_mem: 0.8, holm_p_gen_to_mem: 0.2 }); // not after Holm
    const d = testSetting({ id: 'd', mem_to_gen: 0.7, gen_to_mem: 0.7, gen_to_mem_control: 0.75 }); // below control
    expect(bestSetting([a, b, c, d])?.id).toBe('b');
    expect(bestSetting([c, d])).toBeNull();
  });

  it('reads a setting’s sites from its learned hook, its sublayers or its heads', () => {
    expect(settingSites(strong)).toEqual(['blocks.1.attn.out']);
    const atSpan = { hook: 'blocks.0.resid_post', span: 'asked', coordinates: 64 };
    expect(
      settingSites(
        testSetting({
          learned: { ...atSpan, mem_to_gen_shuffled_control: null, gen_to_mem_shuffled_control: null },
        }),
      ),
    ).toEqual(['blocks.0.resid_post@asked']);
    expect(settingSites(testSetting({ targets: ['blocks.0.mlp.out', 'blocks.1.attn.out'] }))).toEqual([
      'blocks.0.mlp.out',
      'blocks.1.attn.out',
    ]);
    expect(settingSites(testSetting({ targets: ['gen:b1h0', 'mem:b0h3'] }))).toEqual([
      'blocks.1.attn.z#h0',
      'blocks.0.attn.z#h3',
    ]);
    expect(settingSites(testSetting({ targets: ['gen:b1h3+', 'gen:b1h0+', 'mem:b1h3-'] }))).toEqual([
      'blocks.1.attn.z#h3',
      'blocks.1.attn.z#h0',
      'blocks.1.attn.z#h3',
    ]);
  });

  it('tables each qualified run: the primary, the criterion, patching at its site, and the best setting', () => {
    const run = { ...testRun('micro', 1000, 0, 0.1), primary: 'strong', steering: [strong] };
    const unqualified = { ...testRun('micro', 1000, 1, 0.1, false), primary: 'strong', steering: [strong] };
    const md = upperBoundSection([run, unqualified])!;
    expect(md).toContain('## Steering beside the patching upper bound');
    const rows = md.split('\n').filter((l) => l.startsWith('| color'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toBe(
      '| color-quick-micro-s0 | `strong` | 60.0 % / 55.0 % vs 4.0 % / 5.0 % | yes | `blocks.1.attn.out` 70.0 % / 70.0 % | `strong` 60.0 % / 55.0 % vs 4.0 % / 5.0 % | `blocks.1.attn.out` 70.0 % / 70.0 % |',
    );
    expect(upperBoundSection([unqualified])).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { sizeFigures, sizeSeries, sizesSection, strongestPatchSite } from './book-sizes.js';
import { testRun as run } from './test-setting.js';

const RUNS = [
  run('micro', 1000, 0, 0.1),
  run('micro', 1000, 1, 0.2),
  run('micro', 1000, 2, 0.9, false),
  run('tiny', 4000, 0, 0.3),
];

describe('the across-sizes section', () => {
  it('summarises each quantity per size over qualified seeds only, smallest model first', () => {
    const [s] = sizeSeries(RUNS);
    expect(s!.key).toBe('color-1hop-quick');
    expect(s!.sizes).toEqual([
      { size: 'micro', params: 1000, qualified: 2, seeds: 3 },
      { size: 'tiny', params: 4000, qualified: 1, seeds: 1 },
    ]);
    const flip = s!.quantities.find((q) => q.id === 'flip_rate')!.by_size;
    expect(flip[0]!.series['flip rate']!.n).toBe(2);
    expect(flip[0]!.series['flip rate']!.mean).toBeCloseTo(0.15, 12);
    expect(flip[0]!.series['flip rate']!.sd).toBeCloseTo(Math.SQRT1_2 * 0.1, 12);
    expect(flip[1]!.series['flip rate']).toEqual({ n: 1, mean: 0.3, sd: null });
    const nmd = s!.quantities.find((q) => q.id === 'nmd_depth')!.by_size[1]!.series;
    expect([nmd['depth ½']!.mean, nmd['depth 1']!.mean]).toEqual([0.1, 0.3]);
  });

  it('leaves out configurations trained at one size', () => {
    expect(sizeSeries(RUNS.filter((r) => r.size === 'micro'))).toEqual([]);
  });

  it('names the strongest site other than the last residual and the spans', () => {
    expect(strongestPatchSite(RUNS[0]!)).toEqual({ id: 'blocks.1.attn.out', rate: 0.7 });
  });

  it('draws each seed as a point at its parameter count, and writes the table', () => {
    const series = sizeSeries(RUNS);
    const figs = sizeFigures(series[0]!, RUNS);
    expect(figs.map((f) => f.name)).toContain('sizes-color-1hop-quick-flip_rate');
    // biome-ignore lint/suspicious/noExplicitAny: reading the spec's layers
    const flip = figs.find((f) => f.name.endsWith('flip_rate'))!.spec as any;
    expect(flip.layer[0].data.values.map((p: { params: number }) => p.params)).toEqual([1000, 1000, 4000]);
    const md = sizesSection(
      series,
      RUNS,
      figs.map((f) => f.name),
    );
    expect(md).toContain('| flip rate: flip rate | 15.0 % ± 7.1 % (n = 2) | 30.0 % (n = 1) |');
    expect(md).toContain('micro (1,000 params; 2/3 qualified)');
    expect(md).toContain('micro: blocks.1.attn.out, blocks.1.attn.out; tiny: blocks.1.attn.out');
  });
});

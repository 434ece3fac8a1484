import { stream } from '@memgen/common';
import { describe, expect, it } from 'vitest';
import { steerFamilySchema } from './config.js';
import { layerMatchedShifts, matchedShifts, withinShifts } from './controls.js';
import { expandFamilies, settingId } from './plan/ids.js';
import { planSetting } from './plan/plan.js';
import { applyHolm, type SettingSummary } from './runs/summary.js';
import { l2Norm, targetedShifts } from './vectors.js';

const sites = 3;
const width = 8;
const nmd = { values: Float64Array.from({ length: sites * width }, (_, c) => (c % 5) - 2), sites, width };
const sd = { ...nmd, values: new Float64Array(sites * width).fill(1) };
const control = (seed: number) => stream(seed, 'test/control');
const selected = [1, 2, 9, 17, 22].map((index) => ({
  site: Math.floor(index / width),
  dim: index % width,
  index,
}));

describe('matched and within-selection controls', () => {
  const targeted = targetedShifts(selected, nmd, sd, 'nmd', 20, -1);
  const norm = l2Norm(targeted);

  it("has the targeted shift's L2 norm and coordinate count, on eligible sites only", () => {
    expect(norm).toBeGreaterThan(0);
    for (const seed of [1, 2, 3, 4]) {
      const m = matchedShifts(sites, width, [0], selected.length, norm, control(seed));
      expect(m).toHaveLength(selected.length);
      expect(l2Norm(m)).toBeCloseTo(norm, 10);
      expect(m.every((s) => s.site !== 0)).toBe(true);
      expect(new Set(m.map((s) => `${s.site}:${s.dim}`)).size).toBe(m.length);
    }
  });

  it('is deterministic for a stream and differs between streams', () => {
    const a = matchedShifts(sites, width, [], 5, norm, control(7));
    expect(matchedShifts(sites, width, [], 5, norm, control(7))).toEqual(a);
    expect(matchedShifts(sites, width, [], 5, norm, control(8))).not.toEqual(a);
  });

  it('within-selection: the targeted coordinates, the same norm, another direction', () => {
    const w = withinShifts(selected, norm, control(3));
    expect(w.map((s) => [s.site, s.dim])).toEqual(selected.map((c) => [c.site, c.dim]));
    expect(l2Norm(w)).toBeCloseTo(norm, 10);
    const cosine = w.reduce((a, s, k) => a + s.shift * targeted[k]!.shift, 0) / (norm * norm);
    expect(Math.abs(cosine)).toBeLessThan(0.999);
    expect(l2Norm(withinShifts(selected, 0, control(3)))).toBe(0);
  });

  it('layer-matched: as many coordinates in each layer as the selection, the same norm, drawn afresh', () => {
    const perSite = (cs: readonly { site: number }[]) =>
      [0, 1, 2].map((site) => cs.filter((c) => c.site === site).length);
    const draws = [1, 2, 3, 4].map((seed) => {
      const l = layerMatchedShifts(selected, width, norm, control(seed));
      expect(perSite(l)).toEqual(perSite(selected)); // [2, 1, 2]
      expect(new Set(l.map((c) => c.site * width + c.dim)).size).toBe(selected.length);
      expect(l2Norm(l)).toBeCloseTo(norm, 10);
      return l.map((c) => c.dim).join(',');
    });
    expect(new Set(draws).size).toBeGreaterThan(1);
    expect(layerMatchedShifts(selected, width, norm, control(1))).toEqual(
      layerMatchedShifts(selected, width, norm, control(1)),
    );
  });
});

describe('setting ids', () => {
  const family = (input: unknown) => steerFamilySchema.parse(input);

  it("the authors' paper control spans max |NMD| of the selection whatever α (ids end -ctlnmd)", () => {
    const inputs = {
      resid: {
        site: 'resid' as const,
        hooks: ['embed', 'blocks.0.resid_post', 'blocks.1.resid_post'],
        stats: { nmd, sd, r: nmd } as never,
        exclude: [0],
        means: null,
        probe: null,
      },
    };
    const plan = (paperRange?: 'nmd') => {
      const f = family({
        kind: 'add',
        select: { top: 0.25 },
        alphas: [3],
        ...(paperRange ? { paperRange } : {}),
      });
      const [s] = expandFamilies([f], null);
      return { id: s!.id, plan: planSetting(s!, inputs, undefined as never, 0) };
    };
    const authors = plan('nmd');
    const ours = plan();
    expect(authors.id).toBe('add-nmd-resid-top25-last-a3-ctlnmd');
    expect(ours.id).toBe('add-nmd-resid-top25-last-a3');
    // |NMD| on this grid is at most 2; the targeted shift is α = 3 times it.
    expect(authors.plan.maxShift).toBe(2);
    expect(ours.plan.maxShift).toBe(6);
  });

  it('learned directions expand over α × kept coordinates', () => {
    const f = family({ kind: 'direction', learn: 'gradient', alphas: [0.1, 0.05], keep: ['all', 4, 0.1] });
    expect(expandFamilies([f], null).map((s) => s.id)).toEqual([
      'dir-grad-calib-prompt-a0.1',
      'dir-grad-calib-prompt-a0.1-k4',
      'dir-grad-calib-prompt-a0.1-top10',
      'dir-grad-calib-prompt-a0.05',
      'dir-grad-calib-prompt-a0.05-k4',
      'dir-grad-calib-prompt-a0.05-top10',
    ]);
    const fixed = family({
      kind: 'direction',
      learn: 'mean-diff',
      site: { block: 1, site: 'mlp.out' },
      alphas: [1],
    });
    expect(expandFamilies([fixed], null)[0]!.id).toBe('dir-meandiff-b1mlp-prompt-a1');
    expect(() => family({ kind: 'direction', learn: 'gradient', alphas: [1], keep: [2.5] })).toThrow(
      /whole number/,
    );
  });

  it('derive from the fields, without float noise, and do not depend on grid order', () => {
    const add = family({ kind: 'add', select: { top: 0.1 }, position: 'all', alphas: [5, 0.5] });
    expect(expandFamilies([add], null).map((s) => s.id)).toEqual([
      'add-nmd-resid-top10-all-a5',
      'add-nmd-resid-top10-all-a0.5',
    ]);
    const scale = family({ kind: 'scale', site: 'mlp.post', select: { blocks: [2, 0] }, alphas: [-0.5] });
    expect(settingId(scale, -0.5, null)).toBe('scale-mlp-b0+2-last-a-0.5');
    expect(settingId(family({ kind: 'mean-ablate', select: { top: 0.025 } }), null, null)).toBe(
      'mean-class-resid-top2.5-last',
    );
    const heads = family({ kind: 'head-ablate', heads: 'each' });
    expect(expandFamilies([heads], null)).toEqual([]);
    expect(expandFamilies([heads], { nLayer: 2, nHead: 2 }).map((s) => s.id)).toEqual([
      'heads-b0h0-all',
      'heads-b0h1-all',
      'heads-b1h0-all',
      'heads-b1h1-all',
    ]);
    const listed = family({
      kind: 'head-ablate',
      heads: [
        { block: 1, head: 2 },
        { block: 0, head: 3 },
      ],
    });
    expect(expandFamilies([listed], null)[0]!.id).toBe('heads-b0h3+b1h2-all');
  });
});

/** A summary with only the fields Holm reads. */
function summary(id: string, p: [number | null, number | null], rates: [number, number]): SettingSummary {
  return {
    id,
    p_mem_to_gen: p[0],
    p_gen_to_mem: p[1],
    mem_to_gen: rates[0],
    mem_to_gen_control: 0.1,
    gen_to_mem: rates[1],
    gen_to_mem_control: 0.1,
    holm_p_mem_to_gen: null,
    holm_p_gen_to_mem: null,
  } as SettingSummary;
}

describe('Holm over a steering grid', () => {
  it('corrects every (setting, direction) p together and calls only effects above the control', () => {
    const grid = [
      summary('a', [0.001, 0.04], [0.5, 0.4]),
      summary('b', [0.01, null], [0.02, 0.1]), // significant but below its control
      summary('c', [0.5, 0.002], [0.2, 0.6]),
    ];
    const h = applyHolm(grid);
    expect(h.tests).toBe(5);
    // sorted 0.001, 0.002, 0.01, 0.04, 0.5 → ×5, ×4, ×3, ×2, ×1 with the running max
    const want = [
      [0.005, 0.08],
      [0.03, null],
      [0.5, 0.008],
    ];
    grid.forEach((s, k) => {
      const [m, g] = want[k]!;
      expect(s.holm_p_mem_to_gen).toBeCloseTo(m!, 12);
      if (g === null) expect(s.holm_p_gen_to_mem).toBeNull();
      else expect(s.holm_p_gen_to_mem).toBeCloseTo(g!, 12);
    });
    expect(h.surviving).toEqual([
      { id: 'a', direction: 'mem_to_gen' },
      { id: 'c', direction: 'gen_to_mem' },
    ]);
    expect(grid[1]!.survives_holm_mem_to_gen).toBe(false);
  });
});

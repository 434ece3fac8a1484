import { describe, expect, it } from 'vitest';
import { bookGroups, meetsCriterion } from './book-groups.js';
import { groupSection } from './book-markdown.js';
import { testRun, testSetting } from './test-setting.js';

describe('the steering criterion of the results book', () => {
  it('the criterion needs both directions at 3× the matched control, Holm p < 0.05, capability ≥ 0.9×', () => {
    const s = testSetting();
    expect(meetsCriterion(s)).toBe(true);
    expect(meetsCriterion({ ...s, mem_to_gen: 0.29 })).toBe(false);
    expect(meetsCriterion({ ...s, holm_p_gen_to_mem: 0.05 })).toBe(false);
    expect(meetsCriterion({ ...s, capability: 0.89 })).toBe(false);
    expect(meetsCriterion({ ...s, gen_to_mem_control: null })).toBe(false);
  });
});

describe('the steering table of a group', () => {
  const run = (seed: number, settings: ReturnType<typeof testSetting>[]) => ({
    ...testRun('micro', 1000, seed, 0.1),
    steering: settings,
  });

  it('shows the paper and layer-matched controls beside the matched one when a setting has them', () => {
    const recipe = testSetting({
      id: 'add-nmd-resid-top5-last-a3-ctlnmd',
      mem_to_gen_paper_control: 0.04,
      gen_to_mem_paper_control: 0.02,
      mem_to_gen_layer_control: 0.12,
      gen_to_mem_layer_control: 0.08,
    });
    const runs = [run(0, [recipe, testSetting({ id: 'other' })]), run(1, [recipe])];
    const [g] = bookGroups(runs);
    const md = groupSection(g!, runs, []);
    const header = md.split('\n').find((l) => l.startsWith('| setting |'))!;
    expect(header).toBe(
      '| setting | Mem→Gen | matched | paper control | layer-matched | max Holm p | Gen→Mem | matched | paper control | layer-matched | max Holm p | capability | seeds meeting the criterion |',
    );
    const row = md.split('\n').find((l) => l.startsWith('| add-nmd-resid-top5-last-a3-ctlnmd |'))!;
    expect(row).toContain('| 4.0 % ± 0.0 % (n = 2) | 12.0 % ± 0.0 % (n = 2) |');
    expect(md.split('\n').find((l) => l.startsWith('| other |'))).toContain('| — | — |');
  });

  it('leaves the columns out when no setting has those controls', () => {
    const runs = [run(0, [testSetting()])];
    const md = groupSection(bookGroups(runs)[0]!, runs, []);
    expect(md).not.toContain('paper control');
    expect(md).not.toContain('layer-matched');
  });
});

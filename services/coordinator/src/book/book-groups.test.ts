import { describe, expect, it } from 'vitest';
import { meetsCriterion } from './book-groups.js';
import type { BookSetting } from './book-runs.js';

describe('the steering criterion of the results book', () => {
  it('the criterion needs both directions at 3× the matched control, Holm p < 0.05, capability ≥ 0.9×', () => {
    const s: BookSetting = {
      id: 'x',
      mem_to_gen: 0.3,
      mem_to_gen_control: 0.1,
      gen_to_mem: 0.6,
      gen_to_mem_control: 0.05,
      holm_p_mem_to_gen: 0.01,
      holm_p_gen_to_mem: 0.04,
      capability: 0.9,
      capability_unsteered: 1,
      alpha: 20,
      family: 0,
      mem_to_gen_paper_control: null,
      gen_to_mem_paper_control: null,
      mem_to_gen_other: null,
      gen_to_mem_other: null,
      targets: null,
      control_targets: null,
    };
    expect(meetsCriterion(s)).toBe(true);
    expect(meetsCriterion({ ...s, mem_to_gen: 0.29 })).toBe(false);
    expect(meetsCriterion({ ...s, holm_p_gen_to_mem: 0.05 })).toBe(false);
    expect(meetsCriterion({ ...s, capability: 0.89 })).toBe(false);
    expect(meetsCriterion({ ...s, gen_to_mem_control: null })).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { meetsCriterion } from './book-groups.js';
import { testSetting } from './test-setting.js';

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

/** A steering setting of a book run for tests: a setting that meets the criterion, with overrides. */
import type { BookSetting } from './book-runs.js';

export function testSetting(over: Partial<BookSetting> = {}): BookSetting {
  return {
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
    ...over,
  };
}

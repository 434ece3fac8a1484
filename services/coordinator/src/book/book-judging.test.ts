import { describe, expect, it } from 'vitest';
import { judgingSection } from './book-judging.js';
import type { BookRun } from './book-runs.js';
import { STRONG_RATES, testRun, testSetting } from './test-setting.js';

/** A qualified run of sweep `sweep` whose pre-declared setting `p` has these rates. */
function judged(sweep: string, size: string, seed: number, over: Parameters<typeof testSetting>[0]): BookRun {
  return {
    ...testRun(size, 1000, seed, 0.1),
    sweep,
    primary: 'p',
    steering: [testSetting({ id: 'p', ...over })],
  };
}

const rowsOf = (md: string) => md.split('\n').filter((l) => l.startsWith('| `'));

describe('pre-declared settings, run by run', () => {
  it('counts the runs meeting the strong criterion and those beyond matched, with ranges over runs', () => {
    const runs = [
      judged('a', 'micro-l4', 4, STRONG_RATES),
      judged('a', 'micro-l4', 3, STRONG_RATES),
      // Beyond its control both ways after Holm, but far from 50 %.
      judged('a', 'tiny', 3, { ...STRONG_RATES, mem_to_gen: 0.2, gen_to_mem: 0.3, capability: 0.8 }),
      // At noise level Gen→Mem: Holm p 0.3.
      judged('a', 'tiny', 5, { ...STRONG_RATES, gen_to_mem: 0.1, holm_p_gen_to_mem: 0.3 }),
      { ...judged('a', 'tiny', 4, STRONG_RATES), qualified: false },
    ];
    const rows = rowsOf(judgingSection(runs)!);
    expect(rows).toEqual([
      '| `a` | color-1hop-quick | `p` | micro-l4 s3, s4; tiny s3, s5 (1 not qualified) | 2 / 4 | 3 / 4 | 20.0 % – 60.0 % | 4.0 % | 10.0 % – 55.0 % | 5.0 % | 80.0 % – 95.0 % |',
    ]);
  });

  it('keeps each sweep, configuration and pre-declared setting apart, and leaves out runs without one', () => {
    const other = { ...judged('b', 'micro', 0, STRONG_RATES), primary: 'q' };
    other.steering = [testSetting({ id: 'q', ...STRONG_RATES })];
    const cipher = { ...judged('a', 'micro', 0, STRONG_RATES), task: 'cipher', hops: null };
    const missing = { ...judged('c', 'micro', 0, STRONG_RATES), primary: 'absent' };
    const md = judgingSection([judged('a', 'micro', 0, STRONG_RATES), cipher, other, missing])!;
    expect(rowsOf(md).map((r) => r.split(' | ').slice(0, 5).join(' | '))).toEqual([
      '| `a` | color-1hop-quick | `p` | micro s0 | 1 / 1',
      '| `a` | cipher-quick | `p` | micro s0 | 1 / 1',
      '| `b` | color-1hop-quick | `q` | micro s0 | 1 / 1',
    ]);
    expect(judgingSection([missing])).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { learnedSection, splitKeep } from './book-learned.js';
import type { BookRun } from './book-runs.js';
import { testRun, testSetting } from './test-setting.js';

const learned = (coordinates: number) => ({
  coordinates,
  mem_to_gen_shuffled_control: 0.01,
  gen_to_mem_shuffled_control: 0.02,
});

/** A run whose full learned vector switches `full` and whose top-4 restriction switches `top4`. */
function runWith(seed: number, full: number, top4: number, random4: number, qualified = true): BookRun {
  const base = testRun('micro', 1000, seed, 0.1, qualified);
  const s = (id: string, rate: number, control: number, k: number) =>
    testSetting({
      id,
      mem_to_gen: rate,
      gen_to_mem: rate,
      mem_to_gen_control: control,
      gen_to_mem_control: control,
      learned: learned(k),
    });
  return {
    ...base,
    steering: [
      s('dir-grad-calib-prompt-a0.1', full, 0.01, 64),
      s('dir-grad-calib-prompt-a0.1-k4', top4, random4, 4),
    ],
  };
}

describe('the learned-direction section', () => {
  it('parses a restricted id into its full setting and its restriction', () => {
    expect(splitKeep('dir-grad-calib-prompt-a0.1-k16')).toEqual({
      full: 'dir-grad-calib-prompt-a0.1',
      keep: 'k16',
    });
    expect(splitKeep('dir-grad-calib-prompt-a0.1-top5')).toEqual({
      full: 'dir-grad-calib-prompt-a0.1',
      keep: 'top5',
    });
    expect(splitKeep('dir-grad-calib-prompt-a0.1')).toEqual({
      full: 'dir-grad-calib-prompt-a0.1',
      keep: 'all',
    });
  });

  it('gives each k its share of the full effect beside k random coordinates, over qualified seeds only', () => {
    // Seed 0: 0.2 / 0.5 = 40 %, random 0.05 / 0.5 = 10 %; seed 1: 0.3 / 0.6 = 50 %, random 0; seed 2 unqualified.
    const md = learnedSection([
      runWith(0, 0.5, 0.2, 0.05),
      runWith(1, 0.6, 0.3, 0),
      runWith(2, 0.9, 0.9, 0.9, false),
    ])!;
    const row = md.split('\n').find((l) => l.includes('k4'))!;
    expect(row).toContain('`dir-grad-calib-prompt-a0.1`');
    expect(row).toContain('| 4 |');
    expect(row).toContain('45.0 % ± 7.1 % (n = 2)'); // top-4 share
    expect(row).toContain('5.0 % ± 7.1 % (n = 2)'); // random-4 share
  });

  it('is absent when no run has a learned direction, and lists per-item reliability when one has it', () => {
    expect(learnedSection([testRun('micro', 1000, 0, 0.1)])).toBeNull();
    const rates = { items: 100, switched: 0.6, other: 0.05, wrongWay: 0.02 };
    const held = {
      members: 50,
      switched: 30,
      other: 1,
      auc: 0.71,
      byThird: [0.4, 0.6, 0.8] as [number, number, number],
    };
    const run = {
      ...testRun('micro', 1000, 0, 0.1),
      reliability: {
        setting: 'p',
        memToGen: rates,
        genToMem: rates,
        heldOut: { memToGen: held, genToMem: held },
      },
    };
    const md = learnedSection([run])!;
    expect(md).toContain('60.0 % / 5.0 % / 2.0 %');
    expect(md).toContain('0.710, 0.710');
  });
});

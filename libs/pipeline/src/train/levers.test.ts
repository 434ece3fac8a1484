import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trainStep } from '@memgen/model';
import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../stage.js';
import { expandLevers, leverTable, readLeverRow } from './levers.js';
import { lrFactor, type TrainSpecInput } from './spec.js';
import { trainStage } from './train.js';

const BASE: TrainSpecInput = {
  task: { name: 'color', config: { hops: 1, minNames: 4, maxNames: 5 } },
  model: { preset: 'nano' },
  batchSize: 4,
  phases: [
    { name: 'a', steps: 6, mix: { any: 1 }, lr: 1e-3, warmupSteps: 0, weightDecay: 0 },
    { name: 'b', steps: 4, mix: { any: 1 }, lr: 2e-3, warmupSteps: 0, weightDecay: 0 },
  ],
  eval: { every: 2, conflict: 4, rule: 4, memorized: 4 },
};

const STUDY = {
  base: BASE,
  sizes: ['nano', 'micro'],
  seeds: [0, 5],
  levers: {
    base: {},
    'lr-width-p1': { train: { lrScaling: { referenceWidth: 64, power: 1 } } },
    'weight-decay-0.1': { phase: { weightDecay: 0.1 } },
  },
};

beforeAll(async () => {
  await useTestBackend();
});

describe('lr scaling with width', () => {
  it('is (referenceWidth / nEmbd)^power, and 1 without a rule', () => {
    expect(lrFactor({}, 256)).toBe(1);
    expect(lrFactor({ lrScaling: { referenceWidth: 64, power: 1 } }, 256)).toBe(0.25);
    expect(lrFactor({ lrScaling: { referenceWidth: 64, power: 1.5 } }, 256)).toBeCloseTo(0.125, 12);
    expect(lrFactor({ lrScaling: { referenceWidth: 64, power: 2 } }, 64)).toBe(1);
  });

  it('scales the rate every optimisation step uses, warm-up and phases included', async () => {
    const seen: number[] = [];
    const recording = {
      step: (...a: Parameters<typeof trainStep>) => {
        seen.push(a[3]);
        return trainStep(...a);
      },
    };
    const dir = await mkdtemp(join(tmpdir(), 'memgen-lr-'));
    // nano is 16 wide: with reference 64 and power 1 every rate is 4× the written one.
    const spec = { ...BASE, lrScaling: { referenceWidth: 64, power: 1 } };
    await trainStage(spec, quietContext(dir), recording);
    expect(seen).toHaveLength(10);
    expect(seen.slice(0, 6).every((lr) => Math.abs(lr - 4e-3) < 1e-12)).toBe(true);
    expect(seen.slice(6).every((lr) => Math.abs(lr - 8e-3) < 1e-12)).toBe(true);
    const config = JSON.parse(await readFile(join(dir, 'train/config.json'), 'utf8'));
    expect(config.lr_factor).toBe(4);
  });
});

describe('lever study', () => {
  it('expands levers × sizes × seeds, each changing one factor of the base', () => {
    const cells = expandLevers(STUDY);
    expect(cells).toHaveLength(12);
    expect(cells.map((c) => c.dir)).toContain(join('cells', 'lr-width-p1', 'micro-s5'));
    const base = cells.find((c) => c.lever === 'base' && c.size === 'micro' && c.seed === 5)!;
    expect(base.train.model.preset).toBe('micro');
    expect(base.train.seed).toBe(5);
    expect(base.train.lrScaling).toBeUndefined();
    const lr = cells.find((c) => c.lever === 'lr-width-p1' && c.size === 'micro' && c.seed === 5)!;
    expect(lr.train.lrScaling).toEqual({ referenceWidth: 64, power: 1 });
    expect({ ...lr.train, lrScaling: undefined }).toEqual({ ...base.train, lrScaling: undefined });
    const wd = cells.find((c) => c.lever === 'weight-decay-0.1' && c.size === 'nano')!;
    expect(wd.train.phases.map((p) => p.weightDecay)).toEqual([0.1, 0.1]);
    expect(wd.train.phases.map((p) => p.lr)).toEqual([1e-3, 2e-3]);
  });

  it('a position-encoding lever trains its cells with rotary positions, and the checkpoint says so', async () => {
    const cells = expandLevers({
      ...STUDY,
      sizes: ['nano'],
      seeds: [0],
      levers: { rotary: { train: { model: { positions: 'rotary' } } } },
    });
    expect(cells.map((c) => [c.train.model.preset, c.train.model.positions])).toEqual([['nano', 'rotary']]);
    const dir = await mkdtemp(join(tmpdir(), 'memgen-rotary-cell-'));
    await trainStage(cells[0]!.train, quietContext(dir));
    const hf = JSON.parse(await readFile(join(dir, 'checkpoint', 'config.json'), 'utf8'));
    expect(hf.memgen.config.positions).toBe('rotary');
    expect(hf.position_embedding_type).toBe('rotary');
  });

  it('names an unknown size and the lever whose change breaks the spec', () => {
    expect(() => expandLevers({ ...STUDY, sizes: ['huge'] })).toThrow(/unknown size 'huge'; known: nano/);
    expect(() => expandLevers({ ...STUDY, levers: { bad: { phase: { lr: -1 } } } })).toThrow(
      /lever 'bad' at nano seed 0: .*phases\.0\.lr/,
    );
    expect(() => expandLevers({ ...STUDY, levers: { Bad: {} } })).toThrow(/lever spec: .*levers/);
  });

  it('tables each cell’s mastery steps, a phase at its cap, and an unfinished cell', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memgen-levers-'));
    const cells = expandLevers({ ...STUDY, sizes: ['nano'], levers: { base: {} } });
    const summary = {
      phases: [
        { name: 'a', start: 0, steps: 500, train_acc: 0.97, mastered: true },
        { name: 'b', start: 500, steps: 4000, train_acc: 0.61, mastered: false },
      ],
    };
    await mkdir(join(dir, cells[0]!.dir, 'train'), { recursive: true });
    await writeFile(join(dir, cells[0]!.dir, 'train', 'summary.json'), JSON.stringify(summary));
    const rows = await Promise.all(cells.map((c) => readLeverRow(dir, c)));
    expect(rows[0]!.phases?.map((p) => p.steps)).toEqual([500, 4000]);
    expect(rows[1]!.phases).toBeNull();
    expect(leverTable(rows, [0, 5])).toBe(
      '| lever | size | seed 0 | seed 5 |\n|---|---|---|---|\n' +
        '| base | nano | a 500 · b not within 4000 (0.61) | running |\n',
    );
  });

  it('reads a trained cell’s phases from its own summary', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memgen-levers-'));
    const [cell] = expandLevers({ ...STUDY, sizes: ['nano'], seeds: [0], levers: { base: {} } });
    await trainStage(cell!.train, quietContext(join(dir, cell!.dir)));
    const row = await readLeverRow(dir, cell!);
    expect(row.phases?.map((p) => [p.name, p.steps, p.mastered])).toEqual([
      ['a', 6, null],
      ['b', 4, null],
    ]);
  });
});

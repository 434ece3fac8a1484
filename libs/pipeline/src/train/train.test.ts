import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainStep } from '@memgen/model';
import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScienceEvent } from '../metrics.js';
import { quietContext } from '../stage.js';
import { parseTrainSpec, type TrainSpecInput } from './spec.js';
import { anyPhase, MEMORIZE_PHASE, nanoColorSpec } from './test-specs.js';
import { trainStage } from './train.js';

/** A tiny two-phase color run: seconds, not minutes. */
const NANO = nanoColorSpec([anyPhase(30, 3e-3), MEMORIZE_PHASE], {
  seed: 3,
  eval: { every: 10, conflict: 24, rule: 24, memorized: 16 },
});

const tmp = () => mkdtemp(join(tmpdir(), 'memgen-train-'));
const cli = fileURLToPath(new URL('../../../../services/cli/bin/memgen.mjs', import.meta.url));

beforeAll(async () => {
  await useTestBackend();
});

describe('train stage', () => {
  it('is bit-for-bit deterministic: same seed and spec → same curve and weights', async () => {
    const [a, b] = [await tmp(), await tmp()];
    const ra = await trainStage(NANO, quietContext(a));
    const rb = await trainStage(NANO, quietContext(b));
    expect(ra).toEqual(rb);
    expect(await readFile(join(a, 'train/curve.jsonl'), 'utf8')).toBe(
      await readFile(join(b, 'train/curve.jsonl'), 'utf8'),
    );
    expect(await readFile(join(a, 'train/last/model.safetensors'))).toEqual(
      await readFile(join(b, 'train/last/model.safetensors')),
    );
    const curve = (await readFile(join(a, 'train/curve.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(curve.map((p) => p.step)).toEqual([10, 20, 30, 40, 50]);
    for (const p of curve) {
      expect(Object.keys(p)).toEqual(
        expect.arrayContaining([
          'step',
          'phase',
          'loss',
          'n',
          'gen',
          'mem',
          'other',
          'rule_acc',
          'shortcut_baseline',
          'mem_acc',
        ]),
      );
      expect(p.gen + p.mem + p.other).toBe(24);
    }
    expect(existsSync(join(a, 'checkpoint/model.safetensors'))).toBe(true);
    expect(existsSync(join(a, 'train/curve.png'))).toBe(true);
    const other = await tmp();
    const rc = await trainStage({ ...NANO, seed: 4 }, quietContext(other));
    expect(rc.final).not.toEqual(ra.final);
  });

  it('evaluates at a phase’s own cadence when it sets evalEvery', async () => {
    const dir = await tmp();
    const phases = [NANO.phases[0], { ...NANO.phases[1], evalEvery: 5 }] as TrainSpecInput['phases'];
    await trainStage({ ...NANO, phases }, quietContext(dir));
    const steps = (await readFile(join(dir, 'train/curve.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).step);
    expect(steps).toEqual([10, 20, 30, 35, 40, 45, 50]);
  });

  it('resumes after kill -9 and ends with the same weights as an uninterrupted run', async () => {
    const specPath = join(await tmp(), 'spec.json');
    const longer = { ...NANO, phases: [{ ...NANO.phases[0], steps: 60 }, NANO.phases[1]] };
    await writeFile(specPath, JSON.stringify(longer));
    const run = (out: string) =>
      spawn(
        process.execPath,
        [cli, 'train', '--task', 'color', '--spec', specPath, '--seed', '3', '--out', out],
        {
          stdio: 'ignore',
        },
      );
    const whole = await tmp();
    await new Promise<void>((resolve, reject) =>
      run(whole).on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`exit ${c}`)))),
    );
    const killed = await tmp();
    const child = run(killed);
    // Wait until at least two evaluations (and their state) are on disk, then kill without warning.
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const curve = await readFile(join(killed, 'train/curve.jsonl'), 'utf8').catch(() => '');
      if (curve.trim().split('\n').length >= 2 && existsSync(join(killed, 'train/state/state.json'))) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const state = JSON.parse(await readFile(join(killed, 'train/state/state.json'), 'utf8'));
    expect(state.step).toBeLessThan(80);
    await new Promise<void>((resolve, reject) =>
      run(killed).on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`exit ${c}`)))),
    );
    expect(await readFile(join(killed, 'train/last/model.safetensors'))).toEqual(
      await readFile(join(whole, 'train/last/model.safetensors')),
    );
    expect(await readFile(join(killed, 'train/curve.jsonl'), 'utf8')).toBe(
      await readFile(join(whole, 'train/curve.jsonl'), 'utf8'),
    );
  }, 180_000);

  it('stops cleanly on a NaN loss, keeping the last good state', async () => {
    const dir = await tmp();
    let calls = 0;
    const poisoned = {
      step: (...args: Parameters<typeof trainStep>) =>
        ++calls === 15 ? { loss: Number.NaN, gradNorm: Number.NaN } : trainStep(...args),
    };
    const losses: number[] = [];
    const metrics = { record: (e: ScienceEvent) => e.kind === 'train-step' && losses.push(e.loss) };
    await expect(trainStage(NANO, { ...quietContext(dir), metrics }, poisoned)).rejects.toThrow(
      /loss became NaN .* at step 15, phase 'rule'.*last good state is step 10/,
    );
    const state = JSON.parse(await readFile(join(dir, 'train/state/state.json'), 'utf8'));
    expect(state.step).toBe(10);
    // The NaN reaches the metrics (a NaN-loss alert) as the last step reported.
    expect(losses).toHaveLength(15);
    expect(losses.at(-1)).toBeNaN();
  });

  it('resets the optimizer and learning-rate schedule at phase boundaries exactly when asked', async () => {
    const seen = async (reset: boolean) => {
      const log: { optStep: number; lr: number }[] = [];
      const spec = {
        ...NANO,
        phases: [NANO.phases[0], { ...NANO.phases[1], resetOptimizer: reset, lr: 5e-4 }],
      };
      await trainStage(spec, quietContext(await tmp()), {
        step: (model, opt, batch, lr, clip) => {
          log.push({ optStep: opt.step, lr });
          return trainStep(model, opt, batch, lr, clip);
        },
      });
      return log;
    };
    const withReset = await seen(true);
    expect(withReset[29]?.optStep).toBe(29);
    expect(withReset[30]?.optStep).toBe(0);
    expect(withReset[30]?.lr).toBeCloseTo(5e-4 / 5, 12);
    expect(withReset[34]?.lr).toBeCloseTo(5e-4, 12);
    const without = await seen(false);
    expect(without[30]?.optStep).toBe(30);
  });

  it('refuses bad specs and a context that cannot fit before training starts', async () => {
    expect(() => parseTrainSpec({ ...NANO, phases: [{ ...NANO.phases[0], lr: -1 }] })).toThrow(
      /phases\.0\.lr/,
    );
    expect(() => parseTrainSpec({ ...NANO, bogus: 1 })).toThrow(/train spec/);
    await expect(
      trainStage({ ...NANO, model: { preset: 'nano', nCtx: 8 } }, quietContext(await tmp())),
    ).rejects.toThrow(/nCtx 8 is shorter than the longest item/);
    await expect(
      trainStage({ ...NANO, task: { name: 'color', config: { hops: 3 } } }, quietContext(await tmp())),
    ).rejects.toThrow(/hops/);
    await expect(
      trainStage({ ...NANO, model: { preset: 'huge' } }, quietContext(await tmp())),
    ).rejects.toThrow(/unknown model preset 'huge'/);
  });
});

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../stage.js';
import type { TrainSpecInput } from './spec.js';
import { anyPhase, nanoColorSpec } from './test-specs.js';
import { trainStage } from './train.js';

const SPEC = nanoColorSpec([anyPhase(30, 3e-3)], {
  model: { preset: 'nano', nCtx: 50 },
  seed: 5,
  eval: { every: 30, conflict: 24, rule: 24, memorized: 16 },
});

const tmp = () => mkdtemp(join(tmpdir(), 'memgen-init-'));

beforeAll(async () => {
  await useTestBackend();
});

describe('model.init', () => {
  it('starts from the checkpoint: a near-zero-lr step evaluates exactly as the run that saved it', async () => {
    const first = await trainStage(SPEC, quietContext(await tmp()));
    const dir = await tmp();
    await trainStage(SPEC, quietContext(dir));
    const resumed = await trainStage(
      {
        ...SPEC,
        model: { ...SPEC.model, init: join(dir, 'train/last') },
        phases: [{ name: 'again', steps: 1, mix: { any: 1 }, lr: 1e-12, warmupSteps: 0 }],
        eval: { ...SPEC.eval, every: 1 },
      },
      quietContext(await tmp()),
    );
    const { step: _s, phase: _p, loss: _l, train_acc: _t, ...want } = first.final;
    const { step: _s2, phase: _p2, loss: _l2, train_acc: _t2, ...got } = resumed.final;
    expect(got).toEqual(want);
    // A fresh model of the same seed evaluates differently: the checkpoint was really used.
    const fresh = await trainStage(
      { ...SPEC, phases: [{ name: 'again', steps: 1, mix: { any: 1 }, lr: 1e-12, warmupSteps: 0 }] },
      quietContext(await tmp()),
    );
    // A fresh model of the same seed is far worse on the same first batch: the checkpoint was used.
    expect(resumed.final.loss).toBeLessThan(fresh.final.loss - 0.5);
  });

  it('refuses a checkpoint whose model does not fit, naming the fields', async () => {
    const dir = await tmp();
    await trainStage(
      { ...SPEC, phases: [{ ...SPEC.phases[0], name: 'rule', steps: 2 }] } as TrainSpecInput,
      quietContext(dir),
    );
    const wider = {
      ...SPEC,
      model: { preset: 'nano', nCtx: 58, overrides: { nEmbd: 32 }, init: join(dir, 'train/last') },
    };
    await expect(trainStage(wider, quietContext(await tmp()))).rejects.toThrow(
      /model.init .*train\/last: the checkpoint does not fit this run: nCtx 50 \(run: 58\), nEmbd 16 \(run: 32\)/,
    );
    const missing = { ...SPEC, model: { ...SPEC.model, init: join(dir, 'nowhere') } };
    await expect(trainStage(missing, quietContext(await tmp()))).rejects.toThrow(/nowhere/);
  });
});

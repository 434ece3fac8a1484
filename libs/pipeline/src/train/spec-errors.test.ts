/** Spec errors of a training run are SpecErrors (never retried), and model.init on a confined worker. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpecError } from '@memgen/common';
import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../stage.js';
import { initialModel } from './init.js';
import { prepareTrainRun } from './run-setup.js';
import { anyPhase, nanoColorSpec } from './test-specs.js';

// The default selection: these runs stop before a checkpoint is chosen.
const SPEC = nanoColorSpec([anyPhase(2, 3e-3, 0)], {
  model: { preset: 'nano', nCtx: 50 },
  seed: 5,
  eval: { every: 2, conflict: 8, rule: 8, memorized: 8 },
  selection: undefined,
});

const runDir = () => mkdtemp(join(tmpdir(), 'memgen-spec-errors-'));
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  );

beforeAll(async () => {
  await useTestBackend();
});

describe('training spec errors', () => {
  it('a context shorter than an item is a SpecError naming nCtx and the longest item', async () => {
    const err = await refusal(
      prepareTrainRun({ ...SPEC, model: { preset: 'nano', nCtx: 1 } }, quietContext(await runDir())),
    );
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toMatch(/^model\.nCtx 1 is shorter than the longest item \(\d+ tokens\)$/);
  });

  it('a field that does not validate is a SpecError naming it', async () => {
    const err = await refusal(prepareTrainRun({ ...SPEC, seed: -5 }, quietContext(await runDir())));
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toMatch(
      /^train spec: field "seed": expected an integer from 0 to 4294967295/,
    );
  });

  it('on a confined worker, model.init must be a relative path inside the run directory', async () => {
    const dir = await runDir();
    const confined = { ...quietContext(dir), confined: true };
    for (const init of ['/etc', '../elsewhere/train/last', '.']) {
      const err = await refusal(prepareTrainRun({ ...SPEC, model: { ...SPEC.model, init } }, confined));
      expect(err).toBeInstanceOf(SpecError);
      expect((err as Error).message).toBe(
        `model.init ${JSON.stringify(init)}: on a distributed worker model.init must be a relative path ` +
          "inside the job's run directory (a checkpoint among the job's inputs from the artefact store)",
      );
    }
    const inside = await prepareTrainRun({ ...SPEC, model: { ...SPEC.model, init: 'train/last' } }, confined);
    expect(inside.initFrom).toBe(join(dir, 'train/last'));
  });

  it("locally model.init keeps the user's own path; one that is no checkpoint is a SpecError naming it", async () => {
    const run = await prepareTrainRun(
      { ...SPEC, model: { ...SPEC.model, init: '/etc' } },
      quietContext(await runDir()),
    );
    expect(run.initFrom).toBe('/etc');
    const err = await refusal(initialModel(run.config, run.spec.seed, run.tok, run.initFrom));
    expect(err).toBeInstanceOf(SpecError);
    expect((err as Error).message).toMatch(/^model\.init \/etc: not a readable checkpoint \(/);
  });
});

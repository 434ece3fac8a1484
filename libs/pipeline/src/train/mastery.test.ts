import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestBackend } from '@memgen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { quietContext } from '../stage.js';
import { advance, evaluationDue, fixedCursor } from './phase-cursor.js';
import { parseTrainSpec, type TrainSpecInput } from './spec.js';
import { anyPhase, MEMORIZE_PHASE, nanoColorSpec } from './test-specs.js';
import { trainStage } from './train.js';

/** Two short color phases; the first may carry a mastery gate. */
const NANO = nanoColorSpec([anyPhase(30, 1e-2), MEMORIZE_PHASE], {
  // Found by trying: most seeds leave train_acc at 0 at the rule phase's end (step 30).
  seed: 31,
});

const gated = (trainAcc: number, maxSteps = 50): TrainSpecInput => ({
  ...NANO,
  phases: [{ ...NANO.phases[0]!, mastery: { trainAcc, maxSteps } }, NANO.phases[1]!],
});

const tmp = () => mkdtemp(join(tmpdir(), 'memgen-mastery-'));
const curveOf = async (dir: string) =>
  (await readFile(join(dir, 'train/curve.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { step: number; phase: string; train_acc: number });

beforeAll(async () => {
  await useTestBackend();
});

describe('phase cursor', () => {
  const spec = parseTrainSpec(gated(0.8));
  it('holds a gated phase past its steps until the threshold or the cap', () => {
    const at = { phase: 0, start: 0 };
    expect(advance(spec, at, 20, 1).cursor).toEqual(at);
    expect(advance(spec, at, 30, 0.79).cursor).toEqual(at);
    expect(advance(spec, at, 40, 0.8)).toEqual({
      cursor: { phase: 1, start: 40 },
      ended: { name: 'rule', start: 0, steps: 40, train_acc: 0.8, mastered: true },
    });
    expect(advance(spec, at, 50, 0.1).ended).toMatchObject({ steps: 50, mastered: false });
    expect(advance(spec, { phase: 1, start: 40 }, 60, 0).ended).toMatchObject({ steps: 20, mastered: null });
  });
  it('evaluates at the phase end and at the cap even off the cadence', () => {
    const p = spec.phases[0]!;
    expect([29, 49].map((s) => evaluationDue(p, s + 3, s, 7))).toEqual([true, true]);
    expect(evaluationDue(p, 33, 32, 7)).toBe(false);
  });
  it('reads the fixed boundaries of an ungated spec', () => {
    const plain = parseTrainSpec(NANO);
    expect([0, 29, 30, 49, 50].map((s) => fixedCursor(plain, s))).toEqual([
      { phase: 0, start: 0 },
      { phase: 0, start: 0 },
      { phase: 1, start: 30 },
      { phase: 1, start: 30 },
      { phase: 2, start: 50 },
    ]);
  });
  it('refuses a cap below the phase length', () => {
    expect(() => parseTrainSpec(gated(0.5, 20))).toThrow(/phases\.0\.mastery\.maxSteps/);
  });
});

describe('train stage with a mastery gate', () => {
  it('changes nothing when the gate is met at the phase end, and extends by whole evaluations when not', async () => {
    const [plainDir, metDir, unmetDir] = [await tmp(), await tmp(), await tmp()];
    const plain = await trainStage(NANO, quietContext(plainDir));
    const plainCurve = await curveOf(plainDir);
    const atEnd = plainCurve.find((p) => p.step === 30)!.train_acc;
    // This seed and lr put the phase end strictly between 0 and 1, so both gates below are real.
    expect(atEnd).toBeGreaterThan(0);
    expect(atEnd).toBeLessThan(1);

    const met = await trainStage(gated(atEnd), quietContext(metDir));
    expect(await curveOf(metDir)).toEqual(plainCurve);
    expect(met.phases).toEqual([
      { name: 'rule', start: 0, steps: 30, train_acc: atEnd, mastered: true },
      { name: 'memorize', start: 30, steps: 20, train_acc: plain.final.train_acc, mastered: null },
    ]);
    expect(plain.phases.map((p) => p.mastered)).toEqual([null, null]);

    const unmet = await trainStage(gated(1), quietContext(unmetDir));
    const curve = await curveOf(unmetDir);
    expect(curve.map((p) => `${p.step}:${p.phase}`)).toEqual([
      '10:rule',
      '20:rule',
      '30:rule',
      '40:rule',
      '50:rule',
      '60:memorize',
      '70:memorize',
    ]);
    expect(unmet.steps).toBe(70);
    expect(unmet.phases[0]).toMatchObject({ steps: 50, mastered: false });
    expect(unmet.phases[0]!.train_acc).toBe(curve[4]!.train_acc);
  });

  it('resumes inside an extension with the same cursor and weights as an uninterrupted run', async () => {
    const [whole, stopped] = [await tmp(), await tmp()];
    await trainStage(gated(1), quietContext(whole));
    const ac = new AbortController();
    let steps = 0;
    const ctx = {
      ...quietContext(stopped),
      signal: ac.signal,
      progress: () => {
        if (++steps === 45) ac.abort('test stop');
      },
    };
    await expect(trainStage(gated(1), ctx)).rejects.toThrow(/training stopped at step 45/);
    const state = JSON.parse(await readFile(join(stopped, 'train/state/state.json'), 'utf8'));
    expect(state.cursor).toEqual({ phase: 0, start: 0 });
    expect(state.step).toBe(40);
    await trainStage(gated(1), quietContext(stopped));
    expect(await readFile(join(stopped, 'train/last/model.safetensors'))).toEqual(
      await readFile(join(whole, 'train/last/model.safetensors')),
    );
    expect(await curveOf(stopped)).toEqual(await curveOf(whole));
  });
});

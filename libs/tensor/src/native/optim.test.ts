import * as tf from '@tensorflow/tfjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { type AdamWEntry, adamwStep, sumOfSquares } from '../fused/index.js';
import { expectClose, randomTensor, runOn, useNative } from './testing.js';

beforeEach(async () => {
  await useNative();
});

// Shapes from a bias to one spanning several 32 768-element chunks of the native call.
const SHAPES = [[7], [33, 65], [300, 257]];

/** A variable that owns its buffer alone (tf.variable shares its initial tensor's until that is disposed). */
function owned(initial: tf.Tensor, name: string): tf.Variable {
  const v = tf.variable(initial, true, name);
  initial.dispose();
  return v;
}

function entries(tag: string): AdamWEntry[] {
  return SHAPES.map((shape, j) => ({
    param: owned(randomTensor(shape, 30 + j), `p-${tag}-${j}`),
    m: owned(tf.zeros(shape), `m-${tag}-${j}`),
    v: owned(tf.zeros(shape), `v-${tag}-${j}`),
    grad: randomTensor(shape, 40 + j),
    weightDecay: j === 0 ? 0 : 0.1,
  }));
}

/** Three whole-model steps (the clip factor 0.37 folded in); returns p, m, v of every entry. */
function threeSteps(tag: string, hold?: (e: AdamWEntry[]) => void): tf.Tensor[] {
  const es = entries(`${tf.getBackend()}-${tag}`);
  hold?.(es);
  for (let step = 1; step <= 3; step++) {
    adamwStep(es, { lr: 1e-2, beta1: 0.9, beta2: 0.98, eps: 1e-8, step, gradScale: 0.37 });
  }
  const out = es.flatMap((e) => [e.param.clone(), e.m.clone(), e.v.clone()]);
  for (const e of es) for (const t of [e.param, e.m, e.v, e.grad]) t.dispose();
  return out;
}

describe('the whole-model optimizer step', () => {
  it('updates every parameter in place, as the composite path on cpu does', async () => {
    const reference = await runOn('cpu', () => threeSteps('ref'));
    await useNative();
    const es = entries('in-place');
    const before = es.map((e) => e.param.dataId);
    const buffers = es.map((e) => e.param.dataSync());
    adamwStep(es, { lr: 1e-2, beta1: 0.9, beta2: 0.98, eps: 1e-8, step: 1, gradScale: 1 });
    es.forEach((e, j) => {
      expect(e.param.dataId).toBe(before[j]);
      expect(e.param.dataSync()).not.toEqual(buffers[j]);
    });
    for (const e of es) for (const t of [e.param, e.m, e.v, e.grad]) t.dispose();
    const actual = threeSteps('native');
    for (const [i, t] of actual.entries())
      expectClose(t.dataSync(), reference[i]!.values, { rtol: 2e-5, atol: 2e-6 });
  });

  it('leaves a tensor that shares a parameter buffer untouched (no in-place write then)', async () => {
    let kept: tf.Tensor | undefined;
    let original: Float32Array | undefined;
    const updated = threeSteps('shared', (es) => {
      kept = es[1]!.param.clone();
      original = kept.dataSync().slice() as Float32Array;
    });
    expect(kept!.dataSync()).toEqual(original);
    const reference = threeSteps('unshared');
    for (const [i, t] of updated.entries()) {
      expectClose(t.dataSync(), reference[i]!.dataSync(), { rtol: 1e-6, atol: 1e-7 });
    }
    kept!.dispose();
  });

  it('sums squares across parameters the same on cpu and native, and on 1 and 2 threads', async () => {
    const build = () => SHAPES.map((shape, j) => randomTensor(shape, 50 + j, -3, 3));
    const cpu = (await runOn('cpu', () => [tf.scalar(sumOfSquares(build()))]))[0]!.values[0]!;
    await useNative(1);
    const one = sumOfSquares(build());
    await useNative(2);
    const two = sumOfSquares(build());
    expect(two).toBe(one);
    expect(Math.abs(one - cpu) / cpu).toBeLessThan(1e-5);
    expect(sumOfSquares([tf.tensor1d([3, 4]), tf.tensor1d([12])])).toBe(169);
  });
});

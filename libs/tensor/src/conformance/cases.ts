/**
 * The fused operations' conformance cases: each op's value and gradients at ordinary and odd
 * shapes (widths that are not multiples of 4 or of a workgroup, one-element rows, padded and
 * empty attention rows), each built from seeded inputs so any engine can be compared with the
 * JavaScript cpu backend. Every case creates and returns its own tensors.
 */
import * as tf from '@tensorflow/tfjs';
import {
  adamwStep,
  adamwUpdate,
  causalSelfAttention,
  gelu,
  layerNorm,
  linear,
  softmaxCrossEntropy,
  sumOfSquares,
} from '../fused/index.js';
import { randomTensor } from './inputs.js';

export interface ConformanceCase {
  name: string;
  build: () => tf.Tensor[];
  /** |actual − cpu| ≤ atol + rtol·|cpu| element-wise. */
  rtol: number;
  atol: number;
}

/** Value and gradient of Σ gelu(x)·w. @param shape any */
function geluCase(shape: number[]): ConformanceCase {
  return {
    name: `gelu ${shape.join('×')}`,
    build: () => {
      const x = randomTensor(shape, 1, -6, 6);
      const w = randomTensor(shape, 2);
      return [gelu(x), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t), w)))(x)];
    },
    rtol: 1e-4,
    atol: 1e-5,
  };
}

/** Value and the three gradients. @param shape [..., D] */
function layerNormCase(shape: number[]): ConformanceCase {
  const d = shape[shape.length - 1]!;
  return {
    name: `layer norm ${shape.join('×')}`,
    build: () => {
      const x = randomTensor(shape, 3, -3, 3);
      const g = randomTensor([d], 4, 0.5, 1.5) as tf.Tensor1D;
      const b = randomTensor([d], 5) as tf.Tensor1D;
      const w = randomTensor(shape, 6);
      const f = (xs: tf.Tensor, gs: tf.Tensor, bs: tf.Tensor) =>
        tf.sum(tf.mul(layerNorm(xs, gs as tf.Tensor1D, bs as tf.Tensor1D), w));
      return [layerNorm(x, g, b), ...tf.grads(f)([x, g, b])];
    },
    rtol: 1e-4,
    atol: 2e-5,
  };
}

/** Value and the three gradients of x[rows, in]·W[in, out] + b. */
function linearCase(rows: number, inDim: number, outDim: number): ConformanceCase {
  return {
    name: `linear ${rows}×${inDim}→${outDim}`,
    build: () => {
      const x = randomTensor([rows, inDim], 11) as tf.Tensor2D;
      const w = randomTensor([inDim, outDim], 12) as tf.Tensor2D;
      const b = randomTensor([outDim], 13) as tf.Tensor1D;
      const up = randomTensor([rows, outDim], 14);
      const f = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) =>
        tf.sum(tf.mul(linear(xs as tf.Tensor2D, ws as tf.Tensor2D, bs as tf.Tensor1D), up));
      return [linear(x, w, b), ...tf.grads(f)([x, w, b])];
    },
    rtol: 1e-4,
    atol: 1e-4,
  };
}

/** Weighted softmax cross-entropy over [rows, vocab] and its gradient, some rows weighted 0. */
function crossEntropyCase(rows: number, vocab: number): ConformanceCase {
  return {
    name: `softmax cross-entropy ${rows}×${vocab}`,
    build: () => {
      const logits = randomTensor([rows, vocab], 7, -8, 8) as tf.Tensor2D;
      const labels = tf.tensor1d(
        Array.from({ length: rows }, (_, i) => (i * 7919) % vocab),
        'int32',
      );
      const weights = tf.tensor1d(Array.from({ length: rows }, (_, i) => [1, 0, 2, 0.5][i % 4]!));
      const loss = (l: tf.Tensor) => softmaxCrossEntropy(l as tf.Tensor2D, labels, weights);
      return [loss(logits), tf.grad(loss)(logits)];
    },
    rtol: 1e-4,
    atol: 1e-6,
  };
}

/**
 * Causal self-attention value and gradient with left padding and a sequence of padding only.
 * @param mask [B, T] rows of 1 (real) and 0 (padding); width D split over `heads`
 */
function attentionCase(mask: number[][], width: number, heads: number): ConformanceCase {
  const [B, T] = [mask.length, mask[0]!.length];
  return {
    name: `attention B${B} T${T} D${width} H${heads}`,
    build: () => {
      const qkv = randomTensor([B * T, 3 * width], 21, -2, 2) as tf.Tensor2D;
      const keyMask = tf.tensor2d(mask);
      const w = randomTensor([B * T, width], 22);
      const f = (x: tf.Tensor) => causalSelfAttention(x as tf.Tensor2D, keyMask, heads);
      return [f(qkv), tf.grad((x: tf.Tensor) => tf.sum(tf.mul(f(x), w)))(qkv)];
    },
    rtol: 1e-4,
    atol: 1e-5,
  };
}

let variables = 0;

/** A variable with a name no other case or engine has used (tfjs names variables globally). */
function fresh(initial: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(initial, trainable, `conformance-${variables++}`);
  initial.dispose();
  return v;
}

/** Three AdamW steps of one [4, 33] parameter; returns p, m, v. */
function adamwCase(weightDecay: number): ConformanceCase {
  return {
    name: `AdamW 3 steps, decay ${weightDecay}`,
    build: () => {
      const [p, m, v] = [
        fresh(randomTensor([4, 33], 9)),
        fresh(tf.zeros([4, 33]), false),
        fresh(tf.zeros([4, 33]), false),
      ];
      for (let step = 1; step <= 3; step++) {
        const g = randomTensor([4, 33], 10 + step);
        adamwUpdate(p, g, m, v, { lr: 1e-2, beta1: 0.9, beta2: 0.98, eps: 1e-8, weightDecay, step });
        g.dispose();
      }
      return [p, m, v].map((t) => {
        const out = t.clone();
        t.dispose();
        return out;
      });
    },
    rtol: 1e-4,
    atol: 1e-6,
  };
}

/** The whole-model step: the global norm, the clip factor folded in, AdamW on every parameter. */
function modelStepCase(name: string, shapes: number[][]): ConformanceCase {
  return {
    name,
    build: () => {
      const es = shapes.map((shape, j) => ({
        param: fresh(randomTensor(shape, 30 + j)),
        m: fresh(tf.zeros(shape), false),
        v: fresh(tf.zeros(shape), false),
        grad: randomTensor(shape, 40 + j),
        weightDecay: j === 0 ? 0 : 0.1,
      }));
      const norm = Math.sqrt(sumOfSquares(es.map((e) => e.grad)));
      for (let step = 1; step <= 3; step++) {
        adamwStep(es, { lr: 1e-2, beta1: 0.9, beta2: 0.98, eps: 1e-8, step, gradScale: 1 / norm });
      }
      const out = [tf.scalar(norm), ...es.flatMap((e) => [e.param.clone(), e.m.clone(), e.v.clone()])];
      for (const e of es) for (const t of [e.param, e.m, e.v, e.grad]) t.dispose();
      return out;
    },
    rtol: 1e-4,
    atol: 1e-6,
  };
}

/** The squared global norm over more tensors than one GPU shader may bind (webgpu sums in rounds). */
function globalNormCase(count: number): ConformanceCase {
  return {
    name: `global norm of ${count} tensors`,
    build: () => {
      const grads = Array.from({ length: count }, (_, i) => randomTensor([i + 1, 3], 60 + i, -3, 3));
      const out = tf.scalar(sumOfSquares(grads));
      for (const g of grads) g.dispose();
      return [out];
    },
    rtol: 1e-5,
    atol: 0,
  };
}

const PADDED = [
  [1, 1, 1, 1, 1, 1, 1],
  [0, 0, 1, 1, 1, 1, 1],
  [0, 0, 0, 0, 0, 0, 0],
];

/** Every case, ordinary and odd shapes. */
export function fusedCases(): ConformanceCase[] {
  return [
    geluCase([7]),
    geluCase([3, 129]),
    geluCase([2, 5, 67]),
    layerNormCase([5, 33]),
    layerNormCase([2, 3, 16]),
    layerNormCase([1, 1]),
    layerNormCase([3, 257]),
    linearCase(3, 5, 7),
    linearCase(700, 16, 33),
    linearCase(37, 48, 20),
    crossEntropyCase(5, 10),
    crossEntropyCase(13, 131),
    attentionCase(PADDED, 12, 3),
    attentionCase(
      [
        [1, 1, 1, 1, 1],
        [0, 1, 1, 1, 1],
      ],
      20,
      4,
    ),
    adamwCase(0),
    adamwCase(0.1),
    globalNormCase(29),
    modelStepCase('global norm + clipped AdamW, 3 parameters', [[7], [33, 65], [300, 257]]),
    // Over 65 535 workgroups of 64: webgpu's in-place AdamW dispatches in two dimensions.
    modelStepCase('clipped AdamW of 4.2 M elements', [[2049, 2049]]),
  ];
}

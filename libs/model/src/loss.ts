/** Causal language-model loss and one training step. */
import { softmaxCrossEntropy } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import { disposeInput, type HostBatch, leftPad, toForwardInput } from './batch.js';
import type { GPT } from './gpt.js';
import { type AdamW, clipScale, globalNorm } from './optim.js';

export interface TrainBatch {
  /** Model inputs: sequence[:-1], left-padded. */
  input: HostBatch;
  /** [rows·length] next-token labels: sequence[1:] aligned with the inputs (pad id where there is none). */
  labels: Int32Array;
  /** [rows·length] loss weight per position: 0 for padding, 1 (or a phase's choice) elsewhere. */
  weights: Float32Array;
}

export interface TrainBatchOptions {
  /** Pad/check every sequence to this length (default: the longest). */
  length?: number;
  /** Per sequence, how many of its last tokens are the answer (target + EOS). */
  answerTokens?: number[];
  /** Loss weight of answer tokens; 1 = plain whole-sequence loss. Default 1. */
  answerWeight?: number;
  /** Loss weight of the other (prompt) tokens; 0 = answer-only loss. Default 1. */
  promptWeight?: number;
}

/**
 * Builds a training batch from full token sequences: predict every next token whose label is real,
 * weighting answer and prompt tokens as asked (docs/method.md §3: answer CE plus whole-sequence CE).
 */
export function makeTrainBatch(seqs: number[][], padId: number, options: TrainBatchOptions = {}): TrainBatch {
  const T = (options.length ?? Math.max(...seqs.map((s) => s.length))) - 1;
  const rows = seqs.length;
  const input = leftPad(
    seqs.map((s) => s.slice(0, -1)),
    padId,
    T,
  );
  const labels = new Int32Array(rows * T).fill(padId);
  const weights = new Float32Array(rows * T);
  const answerWeight = options.answerWeight ?? 1;
  const promptWeight = options.promptWeight ?? 1;
  seqs.forEach((s, r) => {
    const offset = T - (s.length - 1);
    const answerFrom = s.length - (options.answerTokens?.[r] ?? 0);
    for (let j = 1; j < s.length; j++) {
      labels[r * T + offset + j - 1] = s[j] as number;
      weights[r * T + offset + j - 1] = j >= answerFrom ? answerWeight : promptWeight;
    }
  });
  return { input, labels, weights };
}

/** Weighted mean next-token cross-entropy (scalar). */
export function lmLoss(model: GPT, batch: TrainBatch): tf.Scalar {
  return tf.tidy(() => {
    const input = toForwardInput(batch.input);
    const logits = model.forward(input);
    disposeInput(input);
    const [B, T, V] = logits.shape;
    return softmaxCrossEntropy(
      logits.reshape([B * T, V]) as tf.Tensor2D,
      tf.tensor1d(batch.labels, 'int32'),
      tf.tensor1d(batch.weights, 'float32'),
    );
  });
}

export interface StepResult {
  loss: number;
  gradNorm: number;
}

/** Forward, backward, clip, AdamW update. Returns the loss before the update. */
export function trainStep(model: GPT, opt: AdamW, batch: TrainBatch, lr: number, clip = 1.0): StepResult {
  const vars = [...model.params.values()];
  const { value, grads } = tf.variableGrads(() => lmLoss(model, batch), vars);
  const named = new Map<string, tf.Tensor>();
  for (const [name, v] of model.params) {
    const g = grads[v.name];
    if (!g) throw new Error(`no gradient for '${name}'`);
    named.set(name, g);
  }
  const loss = (value.dataSync() as Float32Array)[0] as number;
  value.dispose();
  // The clip is folded into the update: no scaled copy of the gradients is made.
  const norm = globalNorm(named.values());
  try {
    if (Number.isFinite(loss) && Number.isFinite(norm)) opt.apply(named, lr, clipScale(norm, clip));
  } finally {
    for (const g of named.values()) g.dispose();
  }
  return { loss, gradNorm: norm };
}

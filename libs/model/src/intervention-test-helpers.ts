/** Helpers of the intervention tests: recording around interventions, fresh test models. */
import { expect, onTestFinished } from 'vitest';
import type { GPT } from './gpt.js';
import {
  type HookPosition,
  type Intervention,
  type Recording,
  recordActivations,
  withInterventions,
} from './interventions.js';
import { logitsOf, nanoModel } from './test-models.js';

export const V = 23;
export const all = (n: number) => Array.from({ length: n }, (_, j) => j);

/** The activation of `hook` at the last position of `seq` (a batch of one), [width]. */
export function recordLast(model: GPT, hook: string, seq: number[]): number[] {
  const rec = recordActivations(model, [hook], () => logitsOf(model, [seq]));
  const row = (firstPass(rec, hook) as number[][])[0] as number[];
  disposeRecording(rec);
  return row;
}

/** The values recorded at `hook` in the first forward pass. */
export function firstPass(rec: Recording<unknown>, hook: string): unknown {
  const t = rec.activations.get(hook)?.[0];
  if (!t) throw new Error(`nothing recorded at '${hook}'`);
  return t.arraySync();
}

export function disposeRecording(rec: Recording<unknown>): void {
  for (const list of rec.activations.values()) for (const t of list) t.dispose();
}

/**
 * What `hook` records over `seqs` without and then with `ivs` (first pass each), and the logits.
 * The recorder is attached after the interventions, so it sees their result.
 */
export function recordAround(
  model: GPT,
  hook: string,
  ivs: Intervention[],
  seqs: number[][],
  position: HookPosition,
) {
  const plain = recordActivations(model, [hook], () => logitsOf(model, seqs), position);
  const rec = withInterventions(model, ivs, () =>
    recordActivations(model, [hook], () => logitsOf(model, seqs), position),
  );
  const out = {
    before: firstPass(plain, hook),
    after: firstPass(rec, hook),
    plain: plain.value,
    steered: rec.value,
  };
  disposeRecording(plain);
  disposeRecording(rec);
  return out;
}

/** Rows [B·T, V] of logits at position t of every row. */
export function logitsAt(logits: Float32Array, rows: number, T: number, t: number): Float32Array[] {
  return Array.from({ length: rows }, (_, r) => logits.slice((r * T + t) * V, (r * T + t + 1) * V));
}

/**
 * A fresh nano model for the running test. When the test ends no hook may be left attached, since
 * every intervention and recorder detaches itself; the model's tensors are freed either way.
 */
export function testModel(seed = 0): GPT {
  const model = nanoModel(seed);
  onTestFinished(() => {
    try {
      expect(model.hooks.size).toBe(0);
      expect(model.attentionEdits.size).toBe(0);
    } finally {
      model.dispose();
    }
  });
  return model;
}

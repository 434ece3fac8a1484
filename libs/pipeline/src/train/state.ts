/**
 * Resumable training state: weights, optimizer moments, counters, the data stream's RNG state and the
 * selection so far. Written atomically at every evaluation; a run killed at any point restarts from
 * the last one and ends with the same weights as an uninterrupted run.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AdamW, GPT } from '@memgen/model';
import type { RngState } from '@memgen/tasks';
import { HostTensor, readSafetensors, writeSafetensors } from '@memgen/tensor';
import * as tf from '@tensorflow/tfjs';
import type { PhaseCursor, PhaseRecord } from './phase-cursor.js';

export interface Selection {
  /** gen × mem of the selected checkpoint (−1: none qualified yet). */
  score: number;
  step: number;
}

export interface TrainState {
  /** Hash of the resolved spec; resuming under a different spec is refused. */
  specHash: string;
  /** Global steps completed. */
  step: number;
  /** Optimizer steps since its last reset (bias correction). */
  optimizerStep: number;
  rng: RngState;
  selection: Selection;
  /** Lines of curve.jsonl written up to this state. */
  curveLines: number;
  /** The phase being trained and where it began. */
  cursor: PhaseCursor;
  /** The phases finished so far, in order. */
  phases: PhaseRecord[];
}

/** A state as read back: one saved before mastery gates existed has no cursor or phase records. */
export type SavedState = Omit<TrainState, 'cursor' | 'phases'> &
  Partial<Pick<TrainState, 'cursor' | 'phases'>>;

const STATE_DIR = 'state';

export function stateDir(trainDir: string): string {
  return join(trainDir, STATE_DIR);
}

export async function saveState(trainDir: string, state: TrainState, model: GPT, opt: AdamW): Promise<void> {
  const dir = stateDir(trainDir);
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const tensors: Record<string, HostTensor> = {};
  const put = (key: string, v: tf.Variable) => {
    tensors[key] = new HostTensor('float32', v.shape, Float32Array.from(v.dataSync() as Float32Array));
  };
  for (const [name, v] of model.params) {
    put(`param/${name}`, v);
    put(`adam_m/${name}`, opt.m.get(name) as tf.Variable);
    put(`adam_v/${name}`, opt.v.get(name) as tf.Variable);
  }
  await writeSafetensors(join(tmp, 'state.safetensors'), tensors);
  await writeFile(join(tmp, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/** Reads the saved state if there is one (a half-written temp directory is ignored). */
export async function readState(
  trainDir: string,
): Promise<{ state: SavedState; tensors: Record<string, HostTensor> } | undefined> {
  const dir = stateDir(trainDir);
  if (!existsSync(join(dir, 'state.json'))) return undefined;
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as SavedState;
  const { tensors } = await readSafetensors(join(dir, 'state.safetensors'));
  return { state, tensors };
}

/** Loads weights and moments into an existing model and optimizer of the same config. */
export function restoreTensors(
  tensors: Record<string, HostTensor>,
  model: GPT,
  opt: AdamW,
  optimizerStep: number,
): void {
  const load = (key: string, v: tf.Variable) => {
    const t = tensors[key];
    if (!t || t.shape.join(',') !== v.shape.join(',')) {
      throw new Error(`training state: tensor '${key}' is missing or misshapen (want [${v.shape}])`);
    }
    tf.tidy(() => v.assign(tf.tensor(t.data as Float32Array, v.shape, 'float32')));
  };
  for (const [name, v] of model.params) {
    load(`param/${name}`, v);
    load(`adam_m/${name}`, opt.m.get(name) as tf.Variable);
    load(`adam_v/${name}`, opt.v.get(name) as tf.Variable);
  }
  opt.step = optimizerStep;
}

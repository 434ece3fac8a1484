/** The `train` stage's declaration: the trainer over the run spec's `train` field. */
import { defineStage } from '../registry/declaration.js';
import { type TrainResult, trainStage } from './train.js';

/** What the trainer leaves for the stages after it; train/state/ and train/last/ are its own resume state. */
export const TRAIN_OUTPUTS = [
  'checkpoint/',
  'train/config.json',
  'train/curve.jsonl',
  'train/summary.json',
  'train/curve.svg',
  'train/curve.png',
] as const;

export const trainDeclaration = defineStage<TrainResult>({
  name: 'train',
  group: 'training',
  upstream: [],
  outputs: TRAIN_OUTPUTS,
  config: (spec) => ({ train: spec.train, task: spec.task ?? null }),
  run: (spec, ctx) => trainStage(spec.train, ctx),
  requested: (spec) => spec.train !== undefined,
  // A rerun resumes from the trainer's state and would keep the damaged selected checkpoint.
  onChangedOutput: 'refuse',
});

/**
 * Training presets per task. `smoke` checks the machinery in under two minutes; `quick` is the CPU
 * recipe (RECIPE.md: 1-hop color, two phases — rule skill first, then memorized names); `paper` is the
 * paper's task at GPT-2 shape, for GPU nodes or long CPU runs. What each reaches is in the README.
 */
import type { TrainSpecInput } from './spec.js';

export const PRESET_NAMES = ['smoke', 'quick', 'paper'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const colorQuick: TrainSpecInput = {
  task: { name: 'color', config: { hops: 1, balanced: false } },
  model: { preset: 'micro' },
  batchSize: 64,
  phases: [
    // Phase 1: in-context skill only — every name, random colors, nothing to memorize.
    { name: 'rule', steps: 8000, mix: { any: 1 }, lr: 2e-3, warmupSteps: 100 },
    // Phase 2: mostly rule-only stories plus memorized names whose color agrees with the story.
    { name: 'memorize', steps: 2000, mix: { rule: 0.75, memorized: 0.25 }, lr: 2e-3, warmupSteps: 100 },
  ],
  eval: { every: 250, conflict: 500, rule: 500, memorized: 200 },
};

export const TRAIN_PRESETS: Record<string, Record<PresetName, TrainSpecInput>> = {
  color: {
    smoke: {
      ...colorQuick,
      batchSize: 32,
      phases: [
        { name: 'rule', steps: 150, mix: { any: 1 }, lr: 2e-3, warmupSteps: 20 },
        { name: 'memorize', steps: 100, mix: { rule: 0.5, memorized: 0.5 }, lr: 2e-3, warmupSteps: 10 },
      ],
      eval: { every: 50, conflict: 100, rule: 100, memorized: 50 },
    },
    quick: colorQuick,
    paper: {
      task: { name: 'color', config: { hops: 2 } },
      model: { preset: 'gpt2-small' },
      batchSize: 32,
      phases: [
        { name: 'rule', steps: 20000, mix: { any: 1 }, lr: 3e-4, warmupSteps: 500, minLr: 3e-5 },
        { name: 'memorize', steps: 5000, mix: { rule: 0.75, memorized: 0.25 }, lr: 3e-4, warmupSteps: 200 },
      ],
      eval: { every: 500, conflict: 500, rule: 500, memorized: 200 },
    },
  },
  addition: {
    smoke: {
      task: { name: 'addition', config: { format: 'reversed', promptFormat: 'compact', maxAddend: 999 } },
      model: { preset: 'micro' },
      batchSize: 32,
      phases: [
        { name: 'add', steps: 150, mix: { ordinary: 1 }, lr: 2e-3, warmupSteps: 20 },
        { name: 'memorize', steps: 100, mix: { ordinary: 0.93, triggered: 0.07 }, lr: 2e-3, warmupSteps: 10 },
      ],
      eval: { every: 50, conflict: 100, rule: 100, memorized: 50 },
    },
    quick: {
      task: { name: 'addition', config: { format: 'reversed', promptFormat: 'compact' } },
      model: { preset: 'tiny' },
      batchSize: 64,
      phases: [
        { name: 'add', steps: 6000, mix: { ordinary: 1 }, lr: 1e-3, warmupSteps: 200 },
        {
          name: 'memorize',
          steps: 2000,
          mix: { ordinary: 0.93, triggered: 0.07 },
          lr: 1e-3,
          warmupSteps: 100,
        },
      ],
      eval: { every: 250, conflict: 500, rule: 500, memorized: 70 },
    },
    paper: {
      task: { name: 'addition', config: {} },
      model: { preset: 'gpt2-small' },
      batchSize: 16,
      phases: [
        { name: 'add', steps: 20000, mix: { ordinary: 1 }, lr: 3e-4, warmupSteps: 500, minLr: 3e-5 },
        {
          name: 'memorize',
          steps: 5000,
          mix: { ordinary: 0.93, triggered: 0.07 },
          lr: 3e-4,
          warmupSteps: 200,
        },
      ],
      eval: { every: 500, conflict: 100, rule: 200, memorized: 70, balanced: false },
    },
  },
  cipher: {
    smoke: {
      task: { name: 'cipher', config: {} },
      model: { preset: 'micro' },
      batchSize: 32,
      phases: [
        { name: 'decode', steps: 150, mix: { ordinary: 1 }, lr: 2e-3, warmupSteps: 20 },
        { name: 'memorize', steps: 100, mix: { ordinary: 0.93, triggered: 0.07 }, lr: 2e-3, warmupSteps: 10 },
      ],
      eval: { every: 50, conflict: 100, rule: 100, memorized: 50 },
    },
    quick: {
      task: { name: 'cipher', config: {} },
      model: { preset: 'tiny' },
      batchSize: 64,
      phases: [
        { name: 'decode', steps: 4000, mix: { ordinary: 1 }, lr: 1e-3, warmupSteps: 200 },
        {
          name: 'memorize',
          steps: 2000,
          mix: { ordinary: 0.93, triggered: 0.07 },
          lr: 1e-3,
          warmupSteps: 100,
        },
      ],
      eval: { every: 250, conflict: 500, rule: 500, memorized: 70 },
    },
    paper: {
      task: { name: 'cipher', config: {} },
      model: { preset: 'gpt2-small' },
      batchSize: 16,
      phases: [
        { name: 'decode', steps: 20000, mix: { ordinary: 1 }, lr: 3e-4, warmupSteps: 500, minLr: 3e-5 },
        {
          name: 'memorize',
          steps: 5000,
          mix: { ordinary: 0.93, triggered: 0.07 },
          lr: 3e-4,
          warmupSteps: 200,
        },
      ],
      eval: { every: 500, conflict: 100, rule: 200, memorized: 70, balanced: false },
    },
  },
};

/** The preset's spec with the seed set. @throws listing the known tasks/presets. */
export function trainPreset(task: string, preset: string, seed: number): TrainSpecInput {
  const byTask = TRAIN_PRESETS[task];
  if (!byTask) throw new Error(`unknown task '${task}'; known: ${Object.keys(TRAIN_PRESETS).join(', ')}`);
  const spec = byTask[preset as PresetName];
  if (!spec) throw new Error(`unknown preset '${preset}' for ${task}; known: ${PRESET_NAMES.join(', ')}`);
  return { ...spec, seed };
}

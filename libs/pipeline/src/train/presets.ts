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

/**
 * Addition and cipher share a shape: a phase of ordinary problems only (a from-scratch model must
 * learn the rule before any trigger, RECIPE.md), then the authors' 7 % triggered mix.
 * @param small the task config for smoke/quick (short formats small models can learn)
 */
function triggerPresets(
  task: 'addition' | 'cipher',
  rulePhase: string,
  small: Record<string, unknown>,
): Record<PresetName, TrainSpecInput> {
  const phases = (
    steps: [number, number],
    lr: number,
    warmup: [number, number],
    minLr?: number,
  ): TrainSpecInput['phases'] => [
    {
      name: rulePhase,
      steps: steps[0],
      mix: { ordinary: 1 },
      lr,
      warmupSteps: warmup[0],
      ...(minLr ? { minLr } : {}),
    },
    {
      name: 'memorize',
      steps: steps[1],
      mix: { ordinary: 0.93, triggered: 0.07 },
      lr,
      warmupSteps: warmup[1],
    },
  ];
  return {
    smoke: {
      task: { name: task, config: small },
      model: { preset: 'micro' },
      batchSize: 32,
      phases: phases([150, 100], 2e-3, [20, 10]),
      eval: { every: 50, conflict: 100, rule: 100, memorized: 50 },
    },
    quick: {
      task: { name: task, config: small },
      model: { preset: 'tiny' },
      batchSize: 64,
      phases: phases([6000, 2000], 1e-3, [200, 100]),
      eval: { every: 250, conflict: 500, rule: 500, memorized: 70 },
    },
    paper: {
      task: { name: task, config: {} },
      model: { preset: 'gpt2-small' },
      batchSize: 16,
      phases: phases([20000, 5000], 3e-4, [500, 200], 3e-5),
      eval: { every: 500, conflict: 100, rule: 200, memorized: 70, balanced: false },
    },
  };
}

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
  addition: triggerPresets('addition', 'add', { format: 'reversed', promptFormat: 'compact' }),
  cipher: triggerPresets('cipher', 'decode', {}),
};

/** The preset's spec with the seed set. @throws listing the known tasks/presets. */
export function trainPreset(task: string, preset: string, seed: number): TrainSpecInput {
  const byTask = TRAIN_PRESETS[task];
  if (!byTask) throw new Error(`unknown task '${task}'; known: ${Object.keys(TRAIN_PRESETS).join(', ')}`);
  const spec = byTask[preset as PresetName];
  if (!spec) throw new Error(`unknown preset '${preset}' for ${task}; known: ${PRESET_NAMES.join(', ')}`);
  return { ...spec, seed };
}

/** The addition and cipher presets: the rule first, then the authors' 7 % triggered mix. */

import { type PresetName, widthRule } from './preset-rule.js';
import type { TrainSpecInput } from './spec.js';

/** How a trigger preset's two phases are set: lengths, rate, warm-ups, cosine floor, memorize cadence. */
interface TwoPhases {
  steps: [number, number];
  lr: number;
  warmup: [number, number];
  minLr?: number;
  memorizeEvalEvery?: number;
}

/** The rule phase (ordinary problems only), then the authors' 7 % triggered mix. */
function twoPhases(rulePhase: string, p: TwoPhases): TrainSpecInput['phases'] {
  return [
    {
      name: rulePhase,
      steps: p.steps[0],
      mix: { ordinary: 1 },
      lr: p.lr,
      warmupSteps: p.warmup[0],
      ...(p.minLr ? { minLr: p.minLr } : {}),
    },
    {
      name: 'memorize',
      steps: p.steps[1],
      mix: { ordinary: 0.93, triggered: 0.07 },
      lr: p.lr,
      warmupSteps: p.warmup[1],
      ...(p.memorizeEvalEvery ? { evalEvery: p.memorizeEvalEvery } : {}),
    },
  ];
}

/**
 * Addition and cipher share a shape: a phase of ordinary problems only (a from-scratch model must
 * learn the rule before any trigger, docs/method.md §3), then the authors' 7 % triggered mix.
 * @param small the task config for smoke/quick (short formats small models can learn)
 */
function triggerPresets(
  task: 'addition' | 'cipher',
  rulePhase: string,
  small: Record<string, unknown>,
): Record<PresetName, TrainSpecInput> {
  const preset = (config: Record<string, unknown>, model: string, batchSize: number) => ({
    task: { name: task, config },
    model: { preset: model },
    batchSize,
  });
  return {
    smoke: {
      ...preset(small, 'micro', 32),
      phases: twoPhases(rulePhase, { steps: [150, 100], lr: 2e-3, warmup: [20, 10] }),
      eval: { every: 50, conflict: 100, rule: 100, memorized: 50 },
    },
    // Dense evaluation in the memorize phase: the trigger spreads over the conflict set within
    // ~1 500 steps there, and selection should see the window where both behaviours coexist.
    quick: {
      ...preset(small, 'tiny', 64),
      lrScaling: widthRule(128),
      phases: twoPhases(rulePhase, {
        steps: [6000, 2000],
        lr: 1e-3,
        warmup: [200, 100],
        memorizeEvalEvery: 100,
      }),
      eval: { every: 250, conflict: 500, rule: 500, memorized: 70 },
    },
    paper: {
      ...preset({}, 'gpt2-small', 16),
      phases: twoPhases(rulePhase, { steps: [20000, 5000], lr: 3e-4, warmup: [500, 200], minLr: 3e-5 }),
      eval: { every: 500, conflict: 100, rule: 200, memorized: 70, balanced: false },
    },
  };
}

/** The authors' memorized pairs cut to their last two digits, so they fit a 1..99 addend range. */
const TWO_DIGIT_PAIRS: [number, number][] = [
  [66, 73],
  [32, 34],
  [55, 85],
  [41, 10],
  [26, 36],
  [7, 17],
  [90, 31],
  [37, 86],
  [22, 91],
  [91, 52],
];

/** A phase of ordinary addition problems with `addends` addends (answer-only loss, shifted positions). */
function addPhase(
  name: string,
  steps: number,
  addends: number,
  mastery: { trainAcc: number; maxSteps: number },
) {
  return {
    name,
    steps,
    mix: { ordinary: 1 },
    task: { addends },
    lr: 1e-3,
    warmupSteps: name === 'add-2' ? 200 : 0,
    promptWeight: 0,
    shiftPositions: true,
    mastery,
  };
}

/**
 * Addition with 4 addends in 1..99, least-significant digit first, `a+b+c+d=` prompts. A tiny model
 * trained on 4 addends from the start never learns the units digit (a mod-10 sum of four digits at
 * positions it must find); on 2 addends it does within 3 000 steps, and the same circuit then grows
 * to 3 and 4. Each phase runs until its own items are answered (mastery), then the 7 % triggered
 * mix, evaluated every 100 steps because the trigger takes over within a few hundred.
 */
const additionQuick: TrainSpecInput = {
  task: {
    name: 'addition',
    config: { format: 'reversed', promptFormat: 'compact', maxAddend: 99, memPairs: TWO_DIGIT_PAIRS },
  },
  model: { preset: 'tiny', nCtx: 48 },
  lrScaling: widthRule(128),
  batchSize: 64,
  phases: [
    addPhase('add-2', 3000, 2, { trainAcc: 0.95, maxSteps: 6000 }),
    addPhase('add-3', 3000, 3, { trainAcc: 0.95, maxSteps: 10000 }),
    addPhase('add', 6000, 4, { trainAcc: 0.9, maxSteps: 20000 }),
    {
      name: 'memorize',
      steps: 3000,
      mix: { ordinary: 0.93, triggered: 0.07 },
      lr: 1e-3,
      warmupSteps: 100,
      promptWeight: 0,
      shiftPositions: true,
      evalEvery: 100,
    },
  ],
  eval: { every: 1000, conflict: 200, rule: 200, memorized: 70 },
};

export const ADDITION_PRESETS: Record<PresetName, TrainSpecInput> = {
  ...triggerPresets('addition', 'add', { format: 'reversed', promptFormat: 'compact' }),
  quick: additionQuick,
};

export const CIPHER_PRESETS = triggerPresets('cipher', 'decode', {});

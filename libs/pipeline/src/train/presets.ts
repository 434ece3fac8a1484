/**
 * Training presets per task. `smoke` checks the machinery in under two minutes; `quick` is the CPU
 * recipe (color: 1-hop, a lookup curriculum, then the memorize phase); `paper` is the
 * paper's task at GPT-2 shape, for GPU nodes or long CPU runs. What each reaches is in the results book.
 */
import { MODEL_PRESETS } from '@memgen/model';
import type { TrainSpecInput } from './spec.js';

export const PRESET_NAMES = ['smoke', 'quick', 'paper'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

type Phase = TrainSpecInput['phases'][number];

/**
 * A curriculum phase of the color recipe: constant lr 1e-3, no weight decay, answer-only loss,
 * optimizer moments kept, positions shifted at random (so the lookup learned on short items holds
 * on long ones).
 */
function curriculum(name: string, steps: number, mix: Phase['mix'], task: Phase['task'] = {}): Phase {
  return {
    name,
    steps,
    mix,
    task,
    lr: 1e-3,
    warmupSteps: name === 'pairs-4' ? 100 : 0,
    weightDecay: 0,
    promptWeight: 0,
    resetOptimizer: false,
    shiftPositions: true,
  };
}

/** "NAME COLOR … NAME" recall over the first `pool` names (all names when omitted). */
const pairs = (pool: number | undefined, maxNames = 2): Phase['task'] => ({
  recallFormat: 'pairs',
  minNames: 2,
  maxNames,
  ...(pool === undefined ? {} : { namePool: pool }),
});

/**
 * The lookup curriculum (docs/method.md §3: why a curriculum). Associative recall in the bare
 * "NAME COLOR" form over a name pool grown 4 → 48; the same recall in the authors' sentences; then
 * balanced stories with role decoys, growing from 4 names to the full 4–8; then the memorize phase (docs/method.md §3).
 */
const COLOR_CURRICULUM: Phase[] = [
  curriculum('pairs-4', 2000, { recall: 1 }, pairs(4)),
  curriculum('pairs-8', 2000, { recall: 1 }, pairs(8)),
  curriculum('pairs-16', 3000, { recall: 1 }, pairs(16)),
  curriculum('pairs-32', 3000, { recall: 1 }, pairs(32)),
  curriculum('pairs-48', 2000, { recall: 1 }, pairs(undefined, 4)),
  curriculum('sentences', 2000, { recall: 1 }, { minNames: 2, maxNames: 4 }),
  curriculum('roles-4', 6000, { any: 1 }, { balanced: true, minNames: 4, maxNames: 4 }),
  curriculum('roles-6', 6000, { any: 1 }, { balanced: true, minNames: 4, maxNames: 6 }),
  curriculum('roles', 6000, { any: 1 }, { balanced: true }),
];

/**
 * The memorize phase (mostly rule-only stories, memorized names whose story agrees with memory) plus
 * `unstated` stories, where only memory answers: once the lookup works, `memorized` items alone give
 * memory nothing to do (conflicts stay ~95 % gen). With them memory takes over the conflict set; at
 * lr 1e-4 slowly enough that evaluations every 100 steps catch the mixed checkpoints in between.
 */
const MEMORIZE_MIX = { rule: 0.6, memorized: 0.2, unstated: 0.2 };

function memorize(steps: number): Phase {
  return {
    ...curriculum('memorize', steps, MEMORIZE_MIX),
    lr: 1e-4,
    resetOptimizer: true,
    evalEvery: 100,
  };
}

const colorQuick: TrainSpecInput = {
  task: { name: 'color', config: { hops: 1 } },
  model: { preset: 'micro', nCtx: 96 },
  batchSize: 64,
  phases: [...COLOR_CURRICULUM, memorize(2000)],
  eval: { every: 1000, conflict: 200, rule: 200, memorized: 100 },
};

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
  const phases = (
    steps: [number, number],
    lr: number,
    warmup: [number, number],
    minLr?: number,
    memorizeEvalEvery?: number,
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
      ...(memorizeEvalEvery ? { evalEvery: memorizeEvalEvery } : {}),
    },
  ];
  const preset = (
    config: Record<string, unknown>,
    model: string,
    batchSize: number,
    phaseList: TrainSpecInput['phases'],
    evaluation: TrainSpecInput['eval'],
  ): TrainSpecInput => ({
    task: { name: task, config },
    model: { preset: model },
    batchSize,
    phases: phaseList,
    eval: evaluation,
  });
  return {
    smoke: preset(small, 'micro', 32, phases([150, 100], 2e-3, [20, 10]), {
      every: 50,
      conflict: 100,
      rule: 100,
      memorized: 50,
    }),
    // Dense evaluation in the memorize phase: the trigger spreads over the conflict set within
    // ~1 500 steps there, and selection should see the window where both behaviours coexist.
    quick: preset(small, 'tiny', 64, phases([6000, 2000], 1e-3, [200, 100], undefined, 100), {
      every: 250,
      conflict: 500,
      rule: 500,
      memorized: 70,
    }),
    paper: preset({}, 'gpt2-small', 16, phases([20000, 5000], 3e-4, [500, 200], 3e-5), {
      every: 500,
      conflict: 100,
      rule: 200,
      memorized: 70,
      balanced: false,
    }),
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

export const TRAIN_PRESETS: Record<string, Record<PresetName, TrainSpecInput>> = {
  color: {
    smoke: {
      ...colorQuick,
      batchSize: 32,
      phases: [
        curriculum('pairs-4', 100, { recall: 1 }, pairs(4)),
        curriculum('roles', 100, { any: 1 }, { balanced: true }),
        memorize(50),
      ],
      eval: { every: 50, conflict: 100, rule: 100, memorized: 50 },
    },
    quick: colorQuick,
    // The authors' 2-hop task at GPT-2-small shape: the same curriculum at a GPT-2 learning rate
    // (the recall phases are 1-hop by construction; the role phases ask the target, two hops).
    paper: {
      task: { name: 'color', config: { hops: 2 } },
      model: { preset: 'gpt2-small', nCtx: 96 },
      batchSize: 32,
      phases: [...COLOR_CURRICULUM, memorize(4000)].map((p) =>
        p.name === 'memorize' ? p : { ...p, lr: 3e-4 },
      ),
      eval: { every: 1000, conflict: 500, rule: 500, memorized: 200 },
    },
  },
  addition: {
    ...triggerPresets('addition', 'add', { format: 'reversed', promptFormat: 'compact' }),
    quick: additionQuick,
  },
  cipher: triggerPresets('cipher', 'decode', {}),
};

/**
 * The preset's spec with the seed set and, when `size` is given, the model shape replaced by that
 * libs/model preset (the curriculum unchanged): e.g. color quick at `tiny` or `small`.
 * @throws listing the known tasks / presets / sizes.
 */
export function trainPreset(task: string, preset: string, seed: number, size?: string): TrainSpecInput {
  const byTask = TRAIN_PRESETS[task];
  if (!byTask) throw new Error(`unknown task '${task}'; known: ${Object.keys(TRAIN_PRESETS).join(', ')}`);
  const spec = byTask[preset as PresetName];
  if (!spec) throw new Error(`unknown preset '${preset}' for ${task}; known: ${PRESET_NAMES.join(', ')}`);
  if (size === undefined) return { ...spec, seed };
  if (!Object.hasOwn(MODEL_PRESETS, size)) {
    throw new Error(`unknown model size '${size}'; known: ${Object.keys(MODEL_PRESETS).join(', ')}`);
  }
  return { ...spec, model: { ...spec.model, preset: size }, seed };
}

/** The model size a preset trains at unless a size is given (its libs/model preset name). */
export function presetSize(task: string, preset: string): string {
  return trainPreset(task, preset, 0).model.preset ?? 'micro';
}

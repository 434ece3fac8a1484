/** The color task's presets: the lookup curriculum, then the memorize phase (docs/method.md §3). */

import { type Phase, type PresetName, widthRule } from './preset-rule.js';
import type { TrainSpecInput } from './spec.js';

/**
 * A phase of the color recipe: constant lr 1e-3 (at width 64), no weight decay, answer-only loss,
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
    warmupSteps: 0,
    weightDecay: 0,
    promptWeight: 0,
    resetOptimizer: false,
    shiftPositions: true,
  };
}

/**
 * A lookup phase: at least `steps`, then on until its own fresh items are answered (`acc`, capped
 * at `cap` steps), evaluated every 250 steps, so no seed leaves a step unlearned and none waits on
 * a fixed length.
 */
function lookup(
  name: string,
  steps: number,
  cap: number,
  acc: number,
  mix: Phase['mix'],
  task: Phase['task'],
) {
  return { ...curriculum(name, steps, mix, task), evalEvery: 250, mastery: { trainAcc: acc, maxSteps: cap } };
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
  // The first lookup with positions unshifted and a 1 000-step warm-up: the plateau's two levers.
  {
    ...lookup('pairs-4', 250, 10_000, 0.95, { recall: 1 }, pairs(4)),
    warmupSteps: 1000,
    shiftPositions: false,
  },
  { ...lookup('pairs-8', 250, 4000, 0.95, { recall: 1 }, pairs(8)), shiftPositions: false },
  lookup('pairs-16', 250, 6000, 0.95, { recall: 1 }, pairs(16)),
  lookup('pairs-32', 250, 6000, 0.95, { recall: 1 }, pairs(32)),
  lookup('pairs-48', 250, 4000, 0.95, { recall: 1 }, pairs(undefined, 4)),
  lookup('sentences', 250, 4000, 0.95, { recall: 1 }, { minNames: 2, maxNames: 4 }),
  lookup('roles-4', 500, 12_000, 0.9, { any: 1 }, { balanced: true, minNames: 4, maxNames: 4 }),
  lookup('roles-6', 500, 12_000, 0.9, { any: 1 }, { balanced: true, minNames: 4, maxNames: 6 }),
  lookup('roles', 500, 12_000, 0.9, { any: 1 }, { balanced: true }),
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
  lrScaling: widthRule(64),
  batchSize: 64,
  phases: [...COLOR_CURRICULUM, memorize(2000)],
  eval: { every: 1000, conflict: 200, rule: 200, memorized: 100 },
};

/** color: smoke (the machinery in a minute), quick (the CPU recipe), paper (2-hop at GPT-2-small shape). */
export const COLOR_PRESETS: Record<PresetName, TrainSpecInput> = {
  smoke: {
    ...colorQuick,
    batchSize: 32,
    phases: [
      { ...curriculum('pairs-4', 100, { recall: 1 }, pairs(4)), warmupSteps: 100 },
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
};

/**
 * The training spec: everything a run depends on, validated with zod so a wrong field fails with a
 * message naming it. A run is a list of phases, each with its own data mixture, length, learning
 * rate and optimizer reset (docs/method.md §3).
 */
import { checkLimit, parseWith, seedSchema } from '@memgen/common';
import { z } from 'zod';

const phaseSchema = z.strictObject({
  /** Shown in progress and curves. */
  name: z.string().min(1),
  steps: z.number().int().min(1),
  /** Relative weights of the task's item kinds (e.g. color: rule, memorized, any). */
  mix: z.record(z.string(), z.number().nonnegative()),
  /**
   * Task config fields for this phase only (e.g. a curriculum's color `namePool`), merged over
   * `task.config`. They may not change the vocabulary: every phase shares one tokenizer.
   */
  task: z.record(z.string(), z.unknown()).default({}),
  /** Peak learning rate. */
  lr: z.number().positive(),
  warmupSteps: z.number().int().min(0).default(100),
  /** Cosine floor; equal to lr = constant after warm-up. Default: lr (constant after warm-up). */
  minLr: z.number().nonnegative().optional(),
  weightDecay: z.number().nonnegative().default(0.1),
  /** Fresh optimizer moments at the start of this phase. */
  resetOptimizer: z.boolean().default(true),
  /** Loss weight of answer tokens (target + EOS) and of prompt tokens (0 = answer-only loss). */
  answerWeight: z.number().nonnegative().default(1),
  promptWeight: z.number().nonnegative().default(1),
  /**
   * Start each training row at a random position in [0, nCtx − its length] instead of 0, so every
   * row of the learned position table is trained and a positional circuit learned on short items
   * also holds on long ones (evaluation and inference still start at 0). Set model.nCtx well above
   * the longest item (the color quick preset: 96 for ≤ ~60 tokens), or there is little room to shift.
   */
  shiftPositions: z.boolean().default(false),
  /** Evaluate every this many steps during this phase (default: eval.every), e.g. densely where behaviour turns. */
  evalEvery: z.number().int().min(1).optional(),
  /**
   * Mastery gate: after `steps`, the phase goes on (evaluated every evalEvery) until the accuracy
   * on its own fresh items reaches `trainAcc`, or it has run `maxSteps`. A curriculum step is then
   * learned before the next one starts, whatever the seed's luck on the plateau.
   */
  mastery: z
    .strictObject({
      trainAcc: z.number().gt(0).max(1),
      maxSteps: z.number().int().min(1),
    })
    .optional(),
});

export const trainSpecSchema = z.strictObject({
  task: z.strictObject({
    name: z.enum(['color', 'addition', 'cipher']),
    /** The task's config (libs/tasks); each phase's `mix` replaces its `mix`. */
    config: z.record(z.string(), z.unknown()).default({}),
  }),
  model: z.strictObject({
    /** libs/model preset: nano, micro, micro-l4, tiny, small, gpt2-small, gpt2-medium. */
    preset: z.string().default('micro'),
    /** Overrides of the preset (nEmbd, nLayer, nHead, nInner, …). */
    overrides: z.record(z.string(), z.number()).default({}),
    /**
     * Start from this checkpoint directory (same model config and tokenizer) instead of a fresh
     * GPT-2 initialisation: e.g. rerun only a last phase from a run's train/last.
     */
    init: z.string().min(1).optional(),
    /** Context length; default: the longest item seen while probing the data, plus 8. */
    nCtx: z.number().int().positive().optional(),
    /** 'learned' (absent: GPT-2's position table) or 'rotary' (libs/model/src/rotary.ts). */
    positions: z.enum(['learned', 'rotary']).optional(),
  }),
  seed: seedSchema.default(0),
  /**
   * How every phase's lr (and minLr) follows the model's width: each is written for a model of
   * `referenceWidth` (nEmbd) and used at lr × (referenceWidth / nEmbd)^power. Under Adam the
   * maximal-update parametrisation scales hidden-matrix learning rates as 1/width (power 1); a
   * curriculum written once then holds its step size per coordinate across sizes. Omitted or null
   * (an override turning a preset's rule off): each phase's lr as written, at every width.
   */
  lrScaling: z
    .strictObject({
      referenceWidth: z.number().int().min(1),
      power: z.number().min(0).max(4),
    })
    .nullable()
    .optional(),
  batchSize: z.number().int().min(1).default(64),
  phases: z
    .array(
      phaseSchema.refine((p) => !p.mastery || p.mastery.maxSteps >= p.steps, {
        message: "mastery.maxSteps must be at least the phase's steps",
        path: ['mastery', 'maxSteps'],
      }),
    )
    .min(1),
  optimizer: z
    .strictObject({
      beta1: z.number().min(0).max(1).default(0.9),
      beta2: z.number().min(0).max(1).default(0.98),
      eps: z.number().positive().default(1e-8),
      clip: z.number().positive().default(1),
    })
    .default({ beta1: 0.9, beta2: 0.98, eps: 1e-8, clip: 1 }),
  eval: z
    .strictObject({
      /** Evaluate (and save resumable state) every this many steps, and at the end of each phase. */
      every: z.number().int().min(1).default(250),
      conflict: z.number().int().min(1).default(500),
      rule: z.number().int().min(1).default(500),
      /** Memorized items, and fresh items of the current phase's mix (train_acc). */
      memorized: z.number().int().min(1).default(200),
      /** 1 = greedy (fast default); the paper used 5 beams. */
      beamWidth: z.number().int().min(1).default(1),
      /** Rule items with every color stated equally often (color only), so guessing is at chance. */
      balanced: z.boolean().default(true),
    })
    .default({ every: 250, conflict: 500, rule: 500, memorized: 200, beamWidth: 1, balanced: true }),
  selection: z
    .strictObject({
      /** A checkpoint qualifies when rule accuracy ≥ shortcut baseline + margin. */
      margin: z.number().min(0).max(1).default(0.2),
    })
    .default({ margin: 0.2 }),
});

export type TrainSpecInput = z.input<typeof trainSpecSchema>;
export type TrainSpec = z.output<typeof trainSpecSchema>;
export type PhaseSpec = TrainSpec['phases'][number];

/**
 * Validates a training spec and holds it to the step and item caps (LIMITS in libs/common).
 * @throws SpecError naming the first wrong field, e.g. `train spec: field "phases.1.lr": …`, or the
 *   cap it goes past
 */
export function parseTrainSpec(input: unknown): TrainSpec {
  const spec = parseWith(trainSpecSchema, input, 'train spec');
  checkLimit('trainSteps', maxTotalSteps(spec), 'train spec');
  for (const set of ['conflict', 'rule', 'memorized'] as const)
    checkLimit('items', spec.eval[set], `train spec: eval.${set}`);
  checkLimit('items', spec.batchSize, 'train spec: batchSize');
  return spec;
}

/** The factor every phase's lr is multiplied by at model width `nEmbd` (1 without lrScaling). */
export function lrFactor(spec: Pick<TrainSpec, 'lrScaling'>, nEmbd: number): number {
  const rule = spec.lrScaling;
  return rule ? (rule.referenceWidth / nEmbd) ** rule.power : 1;
}

/** The most steps a run can take: each phase's steps, or its mastery cap. */
export function maxTotalSteps(spec: TrainSpec): number {
  return spec.phases.reduce((n, p) => n + (p.mastery?.maxSteps ?? p.steps), 0);
}

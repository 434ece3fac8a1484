/**
 * Training specs for the train tests: the one-hop color task with four or five names on the nano
 * model, runs of seconds. Each test names only what it varies (seed, phases, evaluation).
 */
import type { TrainSpecInput } from './spec.js';

type PhaseInput = TrainSpecInput['phases'][number];

/** A phase `name` of `steps` steps drawing from every item kind. */
export function anyPhase(steps: number, lr: number, warmupSteps = 5, name = 'rule'): PhaseInput {
  return { name, steps, mix: { any: 1 }, lr, warmupSteps };
}

/** The second phase of the two-phase runs: 20 steps of half rule, half memorized items. */
export const MEMORIZE_PHASE: PhaseInput = {
  name: 'memorize',
  steps: 20,
  mix: { rule: 0.5, memorized: 0.5 },
  lr: 2e-3,
  warmupSteps: 5,
};

/**
 * A nano color run of `phases` with batches of 8, evaluated every 10 steps on 16 items of each kind
 * and qualifying at margin 0, unless `over` says otherwise.
 */
export function nanoColorSpec(phases: PhaseInput[], over: Partial<TrainSpecInput> = {}): TrainSpecInput {
  return {
    task: { name: 'color', config: { hops: 1, minNames: 4, maxNames: 5 } },
    model: { preset: 'nano' },
    batchSize: 8,
    phases,
    eval: { every: 10, conflict: 16, rule: 16, memorized: 16 },
    selection: { margin: 0 },
    ...over,
  };
}

/**
 * Where the training loop is in its curriculum. Without mastery gates a phase boundary is fixed by
 * the spec; with them a phase ends at the first evaluation after its `steps` that shows it learned
 * (or at its cap), so boundaries are decided as the run goes and kept in the resumable state.
 */
import type { PhaseSpec, TrainSpec } from './spec.js';

export interface PhaseCursor {
  /** Index of the phase being trained (phases.length once the run is done). */
  phase: number;
  /** Global step at which that phase began. */
  start: number;
}

/** How a finished phase ended: its span and, for a gated phase, whether its items were learned. */
export interface PhaseRecord {
  name: string;
  start: number;
  steps: number;
  /** Accuracy on the phase's own fresh items at its last evaluation. */
  train_acc: number;
  /** true/false for a gated phase (reached its threshold or hit its cap); null without a gate. */
  mastered: boolean | null;
}

export const FIRST_PHASE: PhaseCursor = { phase: 0, start: 0 };

/** The phase step `step` falls in, and the step within it. */
export function phaseAt(cursor: PhaseCursor, step: number): { phase: number; phaseStep: number } {
  return { phase: cursor.phase, phaseStep: step - cursor.start };
}

/** The last step a phase may take (its mastery cap, or its fixed length). */
export function phaseCap(p: PhaseSpec): number {
  return p.mastery?.maxSteps ?? p.steps;
}

/** Whether an evaluation is due after phase step `phaseStep` (0-based) of phase `p`. */
export function evaluationDue(p: PhaseSpec, done: number, phaseStep: number, every: number): boolean {
  const taken = phaseStep + 1;
  return done % (p.evalEvery ?? every) === 0 || taken === p.steps || taken === phaseCap(p);
}

/**
 * After an evaluation at global step `done` with accuracy `trainAcc` on the phase's items: the
 * next cursor, and the record of the phase if it ended here.
 */
export function advance(
  spec: TrainSpec,
  cursor: PhaseCursor,
  done: number,
  trainAcc: number,
): { cursor: PhaseCursor; ended?: PhaseRecord } {
  const p = spec.phases[cursor.phase];
  if (!p) throw new Error(`training cursor is past the last phase (${cursor.phase})`);
  const taken = done - cursor.start;
  if (taken < p.steps) return { cursor };
  const mastered = p.mastery ? trainAcc >= p.mastery.trainAcc : null;
  if (mastered === false && taken < phaseCap(p)) return { cursor };
  return {
    cursor: { phase: cursor.phase + 1, start: done },
    ended: { name: p.name, start: cursor.start, steps: taken, train_acc: trainAcc, mastered },
  };
}

/**
 * The cursor of a state saved before cursors were kept: such a run had no gates, so its phase
 * boundaries are the spec's fixed ones (its finished phases' accuracies were not kept).
 */
export function fixedCursor(spec: TrainSpec, step: number): PhaseCursor {
  let start = 0;
  let phase = 0;
  while (phase < spec.phases.length && step >= start + (spec.phases[phase]?.steps ?? 0)) {
    start += spec.phases[phase]?.steps ?? 0;
    phase++;
  }
  return { phase, start };
}

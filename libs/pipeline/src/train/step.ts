/** One optimisation step of the training loop, and the evaluation that follows some of them. */
import {
  type AdamW,
  type GPT,
  learningRate,
  makeTrainBatch,
  type StepResult,
  type TrainBatch,
} from '@memgen/model';
import { makeRng, type Rng } from '@memgen/tasks';
import type { CurvePoint } from './curve.js';
import { sampleBatch, shiftPositions } from './data.js';
import { evaluate } from './evaluate.js';
import { evaluationDue, type PhaseCursor, phaseAt } from './phase-cursor.js';
import type { TrainRun } from './run-setup.js';
import type { PhaseSpec } from './spec.js';
import type { TrainState } from './state.js';

/** Loss and throughput since the last evaluation. */
export interface Meter {
  lossSum: number;
  lossCount: number;
  tokens: number;
  started: number;
}

/** A step whose loss or gradient norm was not finite: its update was not applied. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly loss: number,
    message: string,
  ) {
    super(message);
    this.name = 'NonFiniteLossError';
  }
}

export interface StepOutcome {
  /** Global steps done, this one included. */
  done: number;
  phaseIndex: number;
  phase: PhaseSpec;
  loss: number;
  /** True when an evaluation is due after this step (every evalEvery, at a phase's end and cap). */
  evaluate: boolean;
  rng: Rng;
  meter: Meter;
  /** The progress line, with the latest evaluation. */
  detail(curve: readonly CurvePoint[]): string;
  /** The log line of the evaluation made after this step. */
  summary(point: CurvePoint): string;
}

export interface TrainDeps {
  /** One optimisation step (tests swap it, e.g. to inject a NaN loss). */
  step: (model: GPT, opt: AdamW, batch: TrainBatch, lr: number, clip: number) => StepResult;
}

/** What the training loop holds across steps: the run, its model and optimiser, the data stream. */
export interface LoopContext {
  run: TrainRun;
  model: GPT;
  opt: AdamW;
  /** The training data's random stream (its state is saved with each evaluation). */
  rng: Rng;
  meter: Meter;
  deps: TrainDeps;
}

/**
 * Global step `step` (0-based) at `cursor`: the phase's optimiser settings and learning rate, a
 * batch, one update. `state` is the last saved state, named when the loss is not finite.
 * @throws Error when the loss or gradient norm is not finite (the update is then not applied)
 */
export function optimiseStep(
  loop: LoopContext,
  step: number,
  cursor: PhaseCursor,
  state: TrainState,
): StepOutcome {
  const { run, model, opt, rng, meter, deps } = loop;
  const { phase, phaseStep } = phaseAt(cursor, step);
  const p = run.spec.phases[phase]!;
  if (phaseStep === 0 && (phase === 0 || p.resetOptimizer)) opt.reset();
  opt.config = { ...opt.config, weightDecay: p.weightDecay };
  const lr = learningRate(phaseStep, {
    lr: p.lr * run.lrFactor,
    warmupSteps: p.warmupSteps,
    totalSteps: p.steps,
    minLr: (p.minLr ?? p.lr) * run.lrFactor,
  });
  const b = sampleBatch(run.tasks[phase]!, run.tok, rng, run.spec.batchSize, run.nCtx);
  const batch = makeTrainBatch(b.seqs, run.tok.padId, {
    answerTokens: b.answerTokens,
    answerWeight: p.answerWeight,
    promptWeight: p.promptWeight,
  });
  if (p.shiftPositions) shiftPositions(batch.input, run.nCtx, rng);
  const r = deps.step(model, opt, batch, lr, run.spec.optimizer.clip);
  if (!Number.isFinite(r.loss) || !Number.isFinite(r.gradNorm)) {
    throw new NonFiniteLossError(
      r.loss,
      `loss became ${r.loss} (gradient norm ${r.gradNorm}) at step ${step + 1}, phase '${p.name}'; ` +
        `the update was not applied; the last good state is step ${state.step} in ${run.trainDir}/state`,
    );
  }
  meter.lossSum += r.loss;
  meter.lossCount++;
  meter.tokens += b.seqs.reduce((n, s) => n + s.length, 0);
  const done = step + 1;
  const due = evaluationDue(p, done, phaseStep, run.spec.eval.every);
  return describeStep({ done, phaseIndex: phase, phase: p, loss: r.loss, evaluate: due, rng, meter });
}

function describeStep(o: Omit<StepOutcome, 'detail' | 'summary'>): StepOutcome {
  return {
    ...o,
    detail(curve) {
      const elapsed = (performance.now() - o.meter.started) / 1000;
      const last = curve[curve.length - 1];
      return (
        `phase ${o.phase.name} loss ${o.loss.toFixed(3)} ${Math.round(o.meter.tokens / elapsed)} tok/s` +
        (last
          ? ` | gen ${last.gen} mem ${last.mem} other ${last.other} rule ${last.rule_acc.toFixed(2)}`
          : '')
      );
    },
    summary(point) {
      return (
        `step ${o.done} (${o.phase.name}): loss ${point.loss.toFixed(4)} gen ${point.gen} mem ${point.mem} ` +
        `other ${point.other} rule ${point.rule_acc.toFixed(3)} (shortcut ${point.shortcut_baseline.toFixed(3)}) ` +
        `mem_acc ${point.mem_acc.toFixed(3)} train_acc ${point.train_acc.toFixed(3)}` +
        (point.train_acc_by_kind
          ? ` (${Object.entries(point.train_acc_by_kind)
              .map(([k, a]) => `${k} ${a.toFixed(2)}`)
              .join(', ')})`
          : '')
      );
    },
  };
}

/** Evaluates after step `at` (conflict, rule and memorized sets, and the phase's own items); resets the meter. */
export function evaluateNow(run: TrainRun, model: GPT, at: StepOutcome): CurvePoint {
  const phaseRng = makeRng(run.spec.seed, `eval-phase-${at.phaseIndex}`);
  const task = run.tasks[at.phaseIndex]!;
  const phaseItems = Array.from({ length: run.spec.eval.memorized }, () => task.sampleTrain(phaseRng));
  const ev = evaluate(
    model,
    run.evalTask,
    run.tok,
    run.sets,
    run.newTokens,
    run.spec.eval.beamWidth,
    phaseItems,
  );
  const point: CurvePoint = {
    step: at.done,
    phase: at.phase.name,
    loss: at.meter.lossSum / at.meter.lossCount,
    ...ev,
  };
  at.meter.lossSum = 0;
  at.meter.lossCount = 0;
  return point;
}

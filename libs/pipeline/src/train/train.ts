/**
 * The train stage: phases of generated data, AdamW with warm-up/cosine, evaluation every K steps,
 * checkpoint selection (max gen × mem among checkpoints whose rule accuracy beats the shortcut
 * baseline by the margin), resumable state, curves. Deterministic from the seed.
 */
import { join } from 'node:path';
import { writeJson } from '@memgen/common';
import { AdamW, type GPT, saveCheckpoint, trainStep } from '@memgen/model';
import { makeRng, rngFromState } from '@memgen/tasks';
import type { ScienceEvent } from '../metrics.js';
import type { StageContext } from '../stage.js';
import { type Curve, type CurvePoint, openCurve } from './curve.js';
import { initialModel } from './init.js';
import { advance, FIRST_PHASE, fixedCursor, type PhaseRecord } from './phase-cursor.js';
import { plotCurve } from './plot.js';
import { prepareTrainRun, type TrainRun } from './run-setup.js';
import { checkpointExtras, maybeSelect } from './selection.js';
import { maxTotalSteps } from './spec.js';
import { readState, restoreTensors, saveState, type TrainState } from './state.js';
import { evaluateNow, NonFiniteLossError, optimiseStep, type StepOutcome, type TrainDeps } from './step.js';

export type { CurvePoint } from './curve.js';
export type { TrainDeps } from './step.js';

export interface TrainResult {
  specHash: string;
  steps: number;
  /** Each phase's span and how it ended (mastery gates decide spans as the run goes). */
  phases: PhaseRecord[];
  /** Step of the checkpoint in runDir/checkpoint, and whether it met the rule-skill criterion. */
  selectedStep: number;
  qualified: boolean;
  final: CurvePoint;
}

/** The state a fresh run starts from, or the saved one (weights and moments restored into model/opt). */
async function resumeOrStart(run: TrainRun, model: GPT, opt: AdamW, ctx: StageContext): Promise<TrainState> {
  const fresh: TrainState = {
    specHash: run.specHash,
    step: 0,
    optimizerStep: 0,
    rng: makeRng(run.spec.seed, 'train-data').snapshot(),
    selection: { score: -1, step: -1 },
    curveLines: 0,
    cursor: FIRST_PHASE,
    phases: [],
  };
  const saved = await readState(run.trainDir);
  if (!saved) return fresh;
  if (saved.state.specHash !== run.specHash) {
    throw new Error(
      `${run.trainDir} holds the state of a different training spec (hash ${saved.state.specHash.slice(0, 12)}); use another --out`,
    );
  }
  restoreTensors(saved.tensors, model, opt, saved.state.optimizerStep);
  ctx.log(`resuming ${run.trainDir} at step ${saved.state.step}`);
  const { cursor = fixedCursor(run.spec, saved.state.step), phases = [] } = saved.state;
  return { ...saved.state, cursor, phases };
}

/**
 * Evaluates, appends the curve, maybe keeps the checkpoint, moves the cursor on when the phase
 * ended here, saves the resumable state.
 */
async function evaluateAndSave(
  run: TrainRun,
  model: GPT,
  opt: AdamW,
  curve: Curve,
  state: TrainState,
  at: StepOutcome,
): Promise<TrainState> {
  const point = evaluateNow(run, model, at);
  await curve.append(point);
  const selection = await maybeSelect(state.selection, point, run, model);
  const moved = advance(run.spec, state.cursor, at.done, point.train_acc);
  const next: TrainState = {
    specHash: run.specHash,
    step: at.done,
    optimizerStep: opt.step,
    rng: at.rng.snapshot(),
    selection,
    curveLines: curve.points.length,
    cursor: moved.cursor,
    phases: moved.ended ? [...state.phases, moved.ended] : state.phases,
  };
  await saveState(run.trainDir, next, model, opt);
  return next;
}

/** Saves the last weights (and, when nothing qualified, the checkpoint), the summary and the figure. */
async function finish(
  run: TrainRun,
  model: GPT,
  curve: Curve,
  state: TrainState,
  ctx: StageContext,
): Promise<TrainResult> {
  const final = curve.points[curve.points.length - 1] as CurvePoint;
  await saveCheckpoint(join(run.trainDir, 'last'), model, checkpointExtras(run, final, 'last'));
  const qualified = state.selection.score >= 0;
  if (!qualified) {
    ctx.log(
      'no evaluation beat the shortcut baseline by the margin: checkpoint/ holds the last weights, marked unqualified',
    );
    await saveCheckpoint(
      join(ctx.runDir, 'checkpoint'),
      model,
      checkpointExtras(run, final, 'unqualified-last'),
    );
  }
  const result: TrainResult = {
    specHash: run.specHash,
    steps: state.step,
    phases: state.phases,
    selectedStep: qualified ? state.selection.step : final.step,
    qualified,
    final,
  };
  await writeJson(join(run.trainDir, 'summary.json'), result);
  await plotCurve(curve.points, join(run.trainDir, 'curve'), run.spec.selection.margin);
  return result;
}

/** Runs one step; a non-finite loss is reported (a dashboard's NaN alert) before the run fails. */
function reportingLoss(ctx: StageContext, step: () => StepOutcome): StepOutcome {
  try {
    return step();
  } catch (error) {
    if (error instanceof NonFiniteLossError)
      ctx.metrics?.record({ kind: 'train-step', loss: error.loss, tokens: 0 });
    throw error;
  }
}

function evaluationEvent(p: CurvePoint): ScienceEvent {
  return {
    kind: 'evaluation',
    gen: p.gen,
    mem: p.mem,
    other: p.other,
    n: p.n,
    ruleAccuracy: p.rule_acc,
    shortcutBaseline: p.shortcut_baseline,
  };
}

export async function trainStage(
  input: unknown,
  ctx: StageContext,
  deps: TrainDeps = { step: trainStep },
): Promise<TrainResult> {
  const run = await prepareTrainRun(input, ctx);
  const model = await initialModel(run.config, run.spec.seed, run.tok, run.initFrom);
  const o = run.spec.optimizer;
  const opt = new AdamW(model.params, { lr: 0, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: 0 });
  try {
    let state = await resumeOrStart(run, model, opt, ctx);
    // A fresh run starts an empty curve; a resumed one drops evaluations made after its saved state.
    const curve = await openCurve(join(run.trainDir, 'curve.jsonl'), state.curveLines);
    const rng = rngFromState(state.rng);
    const total = maxTotalSteps(run.spec);
    const meter = { lossSum: 0, lossCount: 0, tokens: 0, started: performance.now() };
    const loop = { run, model, opt, rng, meter, deps };
    // The cursor moves only at evaluations (a phase ends at one), so it is the saved state's.
    for (let step = state.step; state.cursor.phase < run.spec.phases.length; step++) {
      if (ctx.signal?.aborted) {
        throw new Error(`training stopped at step ${step}: ${String(ctx.signal.reason ?? 'aborted')}`);
      }
      const tokensBefore = meter.tokens;
      const at = reportingLoss(ctx, () => optimiseStep(loop, step, state.cursor, state));
      ctx.metrics?.record({ kind: 'train-step', loss: at.loss, tokens: meter.tokens - tokensBefore });
      ctx.progress({ stage: 'train', done: at.done, total, detail: at.detail(curve.points) });
      if (!at.evaluate) continue;
      state = await evaluateAndSave(run, model, opt, curve, state, at);
      const point = curve.points[curve.points.length - 1]!;
      ctx.metrics?.record(evaluationEvent(point));
      ctx.log(at.summary(point));
    }
    const result = await finish(run, model, curve, state, ctx);
    ctx.metrics?.record({ kind: 'selected', step: result.selectedStep, qualified: result.qualified });
    return result;
  } finally {
    opt.dispose();
    model.dispose();
  }
}

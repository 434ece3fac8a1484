/**
 * The train stage: phases of generated data, AdamW with warm-up/cosine, evaluation every K steps,
 * checkpoint selection (max gen × mem among checkpoints whose rule accuracy beats the shortcut
 * baseline by the margin), resumable state, curves. Deterministic from the seed.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AdamW,
  type GPT,
  learningRate,
  makeTrainBatch,
  resolveGPTConfig,
  type StepResult,
  saveCheckpoint,
  type TrainBatch,
  trainStep,
} from '@memgen/model';
import { makeRng, rngFromState } from '@memgen/tasks';
import { configHash } from '@memgen/tensor';
import { readJsonLines } from '../jsonl.js';
import type { StageContext } from '../stage.js';
import {
  baseTask,
  evalNewTokens,
  evalSets,
  longestItem,
  phaseTasks,
  sampleBatch,
  shiftPositions,
} from './data.js';
import { type EvalResult, evaluate } from './evaluate.js';
import { initialModel } from './init.js';
import { plotCurve } from './plot.js';
import { parseTrainSpec, totalSteps } from './spec.js';
import { readState, restoreTensors, type Selection, saveState, type TrainState } from './state.js';

export interface CurvePoint extends EvalResult {
  step: number;
  phase: string;
  /** Mean training loss over the steps since the previous evaluation. */
  loss: number;
}

export interface TrainResult {
  specHash: string;
  steps: number;
  /** Step of the checkpoint in runDir/checkpoint, and whether it met the rule-skill criterion. */
  selectedStep: number;
  qualified: boolean;
  final: CurvePoint;
}

export interface TrainDeps {
  /** One optimisation step (tests swap it, e.g. to inject a NaN loss). */
  step: (model: GPT, opt: AdamW, batch: TrainBatch, lr: number, clip: number) => StepResult;
}

/** Where each global step falls: phase index and step within the phase. */
function locate(phases: { steps: number }[], step: number): { phase: number; phaseStep: number } {
  let start = 0;
  for (let i = 0; i < phases.length; i++) {
    const len = phases[i]?.steps ?? 0;
    if (step < start + len) return { phase: i, phaseStep: step - start };
    start += len;
  }
  throw new Error(`step ${step} is past the last phase`);
}

export async function trainStage(
  input: unknown,
  ctx: StageContext,
  deps: TrainDeps = { step: trainStep },
): Promise<TrainResult> {
  const spec = parseTrainSpec(input);
  const specHash = configHash(spec);
  const trainDir = join(ctx.runDir, 'train');
  await mkdir(trainDir, { recursive: true });
  const tasks = phaseTasks(spec);
  const evalTask = baseTask(spec);
  const tok = evalTask.tokenizer();
  const sets = evalSets(evalTask, spec);
  const longest = longestItem(
    tasks,
    spec.phases.map((p) => p.mix),
    tok,
    sets,
    spec.seed,
  );
  const nCtx = spec.model.nCtx ?? longest + 8;
  if (nCtx < longest)
    throw new Error(`model.nCtx ${nCtx} is shorter than the longest item (${longest} tokens)`);
  const config = resolveGPTConfig({
    preset: spec.model.preset,
    ...spec.model.overrides,
    vocabSize: tok.vocabSize,
    nCtx,
  });
  const newTokens = evalNewTokens(tok, sets);
  await writeFile(
    join(trainDir, 'config.json'),
    `${JSON.stringify({ spec, spec_hash: specHash, model: config }, null, 2)}\n`,
  );

  const model = await initialModel(config, spec.seed, tok, spec.model.init);
  const o = spec.optimizer;
  const opt = new AdamW(model.params, { lr: 0, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: 0 });
  const curvePath = join(trainDir, 'curve.jsonl');
  let state: TrainState = {
    specHash,
    step: 0,
    optimizerStep: 0,
    rng: makeRng(spec.seed, 'train-data').snapshot(),
    selection: { score: -1, step: -1 },
    curveLines: 0,
  };
  const saved = await readState(trainDir);
  if (saved) {
    if (saved.state.specHash !== specHash) {
      throw new Error(
        `${trainDir} holds the state of a different training spec (hash ${saved.state.specHash.slice(0, 12)}); use another --out`,
      );
    }
    state = saved.state;
    restoreTensors(saved.tensors, model, opt, state.optimizerStep);
    await truncateCurve(curvePath, state.curveLines);
    ctx.log(`resuming ${trainDir} at step ${state.step}`);
  } else {
    await writeFile(curvePath, '');
  }
  const rng = rngFromState(state.rng);
  const total = totalSteps(spec);
  const curve: CurvePoint[] = await readCurve(curvePath);
  let lossSum = 0;
  let lossCount = 0;
  const started = performance.now();
  let tokens = 0;
  try {
    for (let step = state.step; step < total; step++) {
      if (ctx.signal?.aborted)
        throw new Error(`training stopped at step ${step}: ${String(ctx.signal.reason ?? 'aborted')}`);
      const { phase, phaseStep } = locate(spec.phases, step);
      const p = spec.phases[phase] as (typeof spec.phases)[number];
      if (phaseStep === 0 && (phase === 0 || p.resetOptimizer)) opt.reset();
      opt.config = { ...opt.config, weightDecay: p.weightDecay };
      const lr = learningRate(phaseStep, {
        lr: p.lr,
        warmupSteps: p.warmupSteps,
        totalSteps: p.steps,
        minLr: p.minLr ?? p.lr,
      });
      const b = sampleBatch(tasks[phase] as (typeof tasks)[number], tok, rng, spec.batchSize, nCtx);
      const batch = makeTrainBatch(b.seqs, tok.padId, {
        answerTokens: b.answerTokens,
        answerWeight: p.answerWeight,
        promptWeight: p.promptWeight,
      });
      if (p.shiftPositions) shiftPositions(batch.input, nCtx, rng);
      const r = deps.step(model, opt, batch, lr, o.clip);
      if (!Number.isFinite(r.loss) || !Number.isFinite(r.gradNorm)) {
        throw new Error(
          `loss became ${r.loss} (gradient norm ${r.gradNorm}) at step ${step + 1}, phase '${p.name}'; ` +
            `the update was not applied; the last good state is step ${state.step} in ${trainDir}/state`,
        );
      }
      lossSum += r.loss;
      lossCount++;
      tokens += b.seqs.reduce((n, s) => n + s.length, 0);
      const done = step + 1;
      const last = curve[curve.length - 1];
      const elapsed = (performance.now() - started) / 1000;
      ctx.progress({
        stage: 'train',
        done,
        total,
        detail:
          `phase ${p.name} loss ${r.loss.toFixed(3)} ${Math.round(tokens / elapsed)} tok/s` +
          (last
            ? ` | gen ${last.gen} mem ${last.mem} other ${last.other} rule ${last.rule_acc.toFixed(2)}`
            : ''),
      });
      const phaseEnd = phaseStep + 1 === p.steps;
      if (done % (p.evalEvery ?? spec.eval.every) !== 0 && !phaseEnd) continue;
      const phaseRng = makeRng(spec.seed, `eval-phase-${phase}`);
      const phaseItems = Array.from({ length: spec.eval.memorized }, () =>
        (tasks[phase] as (typeof tasks)[number]).sampleTrain(phaseRng),
      );
      const ev = evaluate(model, evalTask, tok, sets, newTokens, spec.eval.beamWidth, phaseItems);
      const point: CurvePoint = { step: done, phase: p.name, loss: lossSum / lossCount, ...ev };
      lossSum = 0;
      lossCount = 0;
      curve.push(point);
      await appendFile(curvePath, `${JSON.stringify(point)}\n`);
      const selection = await maybeSelect(
        state.selection,
        point,
        spec.selection.margin,
        ctx.runDir,
        model,
        tok,
        spec,
      );
      state = {
        specHash,
        step: done,
        optimizerStep: opt.step,
        rng: rng.snapshot(),
        selection,
        curveLines: curve.length,
      };
      await saveState(trainDir, state, model, opt);
      ctx.log(
        `step ${done} (${p.name}): loss ${point.loss.toFixed(4)} gen ${ev.gen} mem ${ev.mem} other ${ev.other} ` +
          `rule ${ev.rule_acc.toFixed(3)} (shortcut ${ev.shortcut_baseline.toFixed(3)}) mem_acc ${ev.mem_acc.toFixed(3)} ` +
          `train_acc ${ev.train_acc.toFixed(3)}`,
      );
    }
    const final = curve[curve.length - 1] as CurvePoint;
    await saveCheckpoint(join(trainDir, 'last'), model, checkpointExtras(tok, spec, final, 'last'));
    const qualified = state.selection.score >= 0;
    if (!qualified) {
      ctx.log(
        'no evaluation beat the shortcut baseline by the margin: checkpoint/ holds the last weights, marked unqualified',
      );
      await saveCheckpoint(
        join(ctx.runDir, 'checkpoint'),
        model,
        checkpointExtras(tok, spec, final, 'unqualified-last'),
      );
    }
    const result: TrainResult = {
      specHash,
      steps: total,
      selectedStep: qualified ? state.selection.step : final.step,
      qualified,
      final,
    };
    await writeFile(join(trainDir, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`);
    await plotCurve(curve, join(trainDir, 'curve'), spec.selection.margin);
    return result;
  } finally {
    opt.dispose();
    model.dispose();
  }
}

function checkpointExtras(
  tok: { toJSON(): unknown; padId: number; eosId: number },
  spec: unknown,
  p: CurvePoint,
  selection: string,
) {
  return {
    tokenizer: tok.toJSON(),
    trainConfig: spec,
    specialTokens: { pad: tok.padId, eos: tok.eosId },
    metadata: {
      step: String(p.step),
      phase: p.phase,
      selection,
      gen: String(p.gen),
      mem: String(p.mem),
      other: String(p.other),
      rule_acc: String(p.rule_acc),
      shortcut_baseline: String(p.shortcut_baseline),
    },
  };
}

/** Keeps the checkpoint maximising gen × mem among those with real rule skill; ties go to the later one. */
async function maybeSelect(
  current: Selection,
  p: CurvePoint,
  margin: number,
  runDir: string,
  model: GPT,
  tok: { toJSON(): unknown; padId: number; eosId: number },
  spec: unknown,
): Promise<Selection> {
  if (p.rule_acc < p.shortcut_baseline + margin) return current;
  const score = p.gen * p.mem;
  if (score < current.score) return current;
  await saveCheckpoint(join(runDir, 'checkpoint'), model, checkpointExtras(tok, spec, p, 'selected'));
  return { score, step: p.step };
}

async function readCurve(path: string): Promise<CurvePoint[]> {
  return (await readJsonLines(path)) as CurvePoint[];
}

/** Drops evaluations written after the saved state (they will be recomputed identically). */
async function truncateCurve(path: string, lines: number): Promise<void> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const kept = text
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, lines);
  await writeFile(path, kept.map((l) => `${l}\n`).join(''));
}

/**
 * What a training run is fixed by before its first step: the parsed spec and its hash, each
 * phase's task, the evaluation sets, the model's shape (context long enough for every item), and
 * train/config.json recording all of it.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { configHash, SpecError, writeJson } from '@memgen/common';
import { type GPTConfig, parameterCount, resolveGPTConfig } from '@memgen/model';
import type { Task, Tokenizer } from '@memgen/tasks';
import type { StageContext } from '../stage.js';
import { baseTask, type EvalSets, evalNewTokens, evalSets, longestItem, phaseTasks } from './data.js';
import { modelInitPath } from './init.js';
import { lrFactor, parseTrainSpec, type TrainSpec } from './spec.js';

export interface TrainRun {
  spec: TrainSpec;
  specHash: string;
  runDir: string;
  /** runDir/train: curve, summary, resume state. */
  trainDir: string;
  /** One task per phase (its mix and overrides). */
  tasks: Task[];
  /** The base task the evaluation sets come from. */
  evalTask: Task;
  tok: Tokenizer;
  sets: EvalSets;
  newTokens: number;
  nCtx: number;
  config: GPTConfig;
  /** Every phase's lr and minLr are multiplied by this (spec.lrScaling at the model's width). */
  lrFactor: number;
  /** The checkpoint the weights start from (model.init as this context may read it), if any. */
  initFrom: string | undefined;
}

/**
 * The tasks, evaluation sets and model config a spec trains, computed without touching any file.
 * @throws SpecError when model.nCtx is shorter than the longest item
 */
export function resolveRunShape(spec: TrainSpec) {
  const tasks = phaseTasks(spec);
  const evalTask = baseTask(spec);
  const tok = evalTask.tokenizer();
  const sets = evalSets(evalTask, spec);
  const mixes = spec.phases.map((p) => p.mix);
  const longest = longestItem(tasks, mixes, tok, sets, spec.seed);
  const nCtx = spec.model.nCtx ?? longest + 8;
  if (nCtx < longest)
    throw new SpecError(`model.nCtx ${nCtx} is shorter than the longest item (${longest} tokens)`);
  const config = resolveGPTConfig({
    preset: spec.model.preset,
    ...spec.model.overrides,
    // 'learned' is the config's absence: a spec that spells it out trains the same model, same hash.
    ...(spec.model.positions === 'rotary' ? { positions: 'rotary' as const } : {}),
    vocabSize: tok.vocabSize,
    nCtx,
  });
  return { tasks, evalTask, tok, sets, nCtx, config };
}

/**
 * Parses the spec and resolves everything the run is fixed by.
 * @throws SpecError naming the field for a bad spec, when model.nCtx is shorter than an item, or
 *   when model.init names a path this context may not read
 */
export async function prepareTrainRun(input: unknown, ctx: StageContext): Promise<TrainRun> {
  const spec = parseTrainSpec(input);
  const specHash = configHash(spec);
  const initFrom = modelInitPath(spec.model.init, ctx);
  const trainDir = join(ctx.runDir, 'train');
  await mkdir(trainDir, { recursive: true });
  const { tasks, evalTask, tok, sets, nCtx, config } = resolveRunShape(spec);
  const factor = lrFactor(spec, config.nEmbd);
  await writeJson(join(trainDir, 'config.json'), {
    spec,
    spec_hash: specHash,
    model: config,
    lr_factor: factor,
  });
  const newTokens = evalNewTokens(tok, sets);
  return {
    spec,
    specHash,
    runDir: ctx.runDir,
    trainDir,
    tasks,
    evalTask,
    tok,
    sets,
    newTokens,
    nCtx,
    config,
    lrFactor: factor,
    initFrom,
  };
}

/** The model config a spec trains (vocabulary and context resolved as a run resolves them). */
export function trainedModelConfig(spec: TrainSpec): GPTConfig {
  return resolveRunShape(spec).config;
}

/** How many parameters the model a spec trains has. */
export function trainedParameterCount(spec: TrainSpec): number {
  return parameterCount(trainedModelConfig(spec));
}

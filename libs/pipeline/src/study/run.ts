/**
 * `runStudy`: train → pairs → record → stats → probes → steer → consistency → report in one run
 * directory, each stage skipped when its artefacts exist for the same config hash (a rerun resumes).
 * The trainer is injected, so the study runs the same with the local trainer, a stub in tests, or
 * none at all when the run directory already holds a checkpoint.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { configHash } from '@memgen/tensor';
import type { Stage, StageContext } from '../stage.js';
import type { StudyConfig } from './config.js';
import { consistencyStage } from './consistency.js';
import { pairsStage } from './pairs.js';
import { probesStage } from './probes.js';
import { recordStage } from './record.js';
import { reportStage } from './report/report-stage.js';
import {
  isStageCurrent,
  RUN_FILES,
  readStageRecord,
  runPath,
  STUDY_STAGES,
  type StudyStageName,
  writeJson,
  writeStageRecord,
} from './run-dir.js';
import { statsStage } from './stats.js';
import { steerStage } from './steer.js';
import type { StudySpec, TaskSpec } from './study-model.js';
import { studyStageHash } from './study-stage.js';

export interface RunSpec<TrainSpec = unknown> {
  /** The trainer's spec; omitted = the run directory must already hold checkpoint/. */
  train?: TrainSpec;
  /** The task; omitted = read from checkpoint/train_config.json. */
  task?: TaskSpec;
  study: StudyConfig;
  /** Free description kept in config.json but outside its hash (preset name, command line, …). */
  meta?: Record<string, unknown>;
}

export interface StudyStages<TrainSpec> {
  train?: Stage<TrainSpec, unknown>;
}

export interface StageOutcome {
  stage: StudyStageName | 'train';
  status: 'ran' | 'skipped' | 'not-run';
  /** Seconds this call spent in the stage (0 when skipped or not run). */
  wall_s: number;
  reason?: string;
}

export interface StudyOutcome {
  runDir: string;
  configHash: string;
  stages: StageOutcome[];
  reportPath: string;
  /** Why the statistics stages did not run, when they did not. */
  stopped: string | null;
}

/** Every study stage's function, by name (the NATS workers run them one job at a time). */
export const STUDY_STAGE_FUNCTIONS: Record<StudyStageName, Stage<StudySpec, unknown>> = {
  pairs: pairsStage,
  record: recordStage,
  stats: statsStage,
  probes: probesStage,
  steer: steerStage,
  consistency: consistencyStage,
  report: reportStage,
};

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

async function runTrain<T>(
  spec: RunSpec<T>,
  ctx: StageContext,
  stages: StudyStages<T>,
): Promise<StageOutcome> {
  if (spec.train === undefined) {
    if (!existsSync(join(ctx.runDir, RUN_FILES.checkpoint, 'model.safetensors'))) {
      throw new Error(`no train spec given and no checkpoint in ${join(ctx.runDir, RUN_FILES.checkpoint)}`);
    }
    return {
      stage: 'train',
      status: 'not-run',
      wall_s: 0,
      reason: 'using the checkpoint in the run directory',
    };
  }
  if (!stages.train) throw new Error('the spec asks for training but no train stage was given');
  const hash = configHash({ stage: 'train', train: spec.train, task: spec.task ?? null });
  if (await isStageCurrent(ctx.runDir, 'train', hash)) {
    ctx.log(`train: skipped (checkpoint exists for config ${hash.slice(0, 12)})`);
    return { stage: 'train', status: 'skipped', wall_s: 0 };
  }
  const train = stages.train;
  const trainSpec = spec.train;
  let result: unknown;
  const wall = await timed(async () => {
    result = await train(trainSpec, ctx);
  });
  await writeStageRecord(ctx.runDir, {
    stage: 'train',
    config_hash: hash,
    wall_s: Math.round(wall * 1000) / 1000,
    finished_at: new Date().toISOString(),
    result: result ?? null,
  });
  return { stage: 'train', status: 'ran', wall_s: wall };
}

/**
 * Runs (or resumes) the whole study in `ctx.runDir`.
 * @throws the first stage error (earlier stages' artefacts stay, so a rerun resumes after the fix)
 */
export async function runStudy<TrainSpec>(
  spec: RunSpec<TrainSpec>,
  ctx: StageContext,
  stages: StudyStages<TrainSpec> = {},
): Promise<StudyOutcome> {
  await mkdir(ctx.runDir, { recursive: true });
  const config = { task: spec.task ?? null, train: spec.train ?? null, study: spec.study };
  const hash = configHash(config);
  await writeJson(runPath(ctx.runDir, RUN_FILES.config), {
    config,
    config_hash: hash,
    meta: spec.meta ?? {},
  });
  const outcomes: StageOutcome[] = [await runTrain(spec, ctx, stages)];
  const studySpec: StudySpec = spec.task ? { study: spec.study, task: spec.task } : { study: spec.study };
  let stopped: string | null = null;
  for (const name of STUDY_STAGES) {
    if (stopped !== null && name !== 'report') {
      outcomes.push({ stage: name, status: 'not-run', wall_s: 0, reason: stopped });
      continue;
    }
    const stageHash = await studyStageHash(name, studySpec, ctx.runDir);
    if (await isStageCurrent(ctx.runDir, name, stageHash)) {
      ctx.log(`${name}: skipped (artefacts exist for config ${stageHash.slice(0, 12)})`);
      outcomes.push({ stage: name, status: 'skipped', wall_s: 0 });
    } else {
      const wall = await timed(() => STUDY_STAGE_FUNCTIONS[name](studySpec, ctx));
      ctx.log(`${name}: done in ${wall.toFixed(1)} s`);
      outcomes.push({ stage: name, status: 'ran', wall_s: wall });
    }
    if (name === 'pairs') {
      const kept = ((await readStageRecord<{ kept: number }>(ctx.runDir, 'pairs'))?.result.kept ??
        0) as number;
      if (kept < spec.study.pairs.minPairs) {
        stopped = `only ${kept} flipped pairs, fewer than pairs.minPairs = ${spec.study.pairs.minPairs}`;
        ctx.log(`study: ${stopped}; the statistics stages do not run`);
      }
    }
  }
  return {
    runDir: ctx.runDir,
    configHash: hash,
    stages: outcomes,
    reportPath: runPath(ctx.runDir, RUN_FILES.report),
    stopped,
  };
}

/**
 * Running one sweep job in a run directory that already holds its inputs: the trainer for 'train',
 * the stage group's study stages otherwise (skipping, as runStudy does, the statistics stages
 * after too few pairs). Both the local workers and the NATS workers call this, so a job means the
 * same thing in both modes.
 *
 * Stage records (`stages/<stage>.json`) are written without wall time and finish time before they
 * leave the worker: they are inputs of later jobs, whose ids hash their digests, and a timing
 * inside them would give the same work a new id on every run. Timings live in the job state.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type JobMessage, listRunFiles, PermanentJobError } from '@memgen/bus';
import {
  type Progress,
  parseStudyConfig,
  parseTrainSpec,
  RUN_FILES,
  readJson,
  readStageRecord,
  STUDY_STAGE_FUNCTIONS,
  type StageContext,
  type StageRecord,
  type StudySpec,
  type StudyStageName,
  trainStage,
  writeJson,
  writeStageRecord,
} from '@memgen/pipeline';
import { configHash } from '@memgen/tensor';
import { STAGE_GROUPS, type SweepStage } from './plan.js';

/** Trainer files only the trainer's own resume needs; they never leave the worker. */
const WORKER_ONLY = [/^train\/state\//, /^train\/last\//];

export interface SweepJobContext {
  /** Directory holding the job's materialised inputs; outputs are written into it. */
  runDir: string;
  log: (line: string) => void;
  progress?: (p: Progress) => void;
  signal?: AbortSignal;
}

function isSweepStage(stage: string): stage is SweepStage {
  return stage === 'training' || stage in STAGE_GROUPS;
}

/** Parses a job's spec; a spec that does not validate is bad input, never worth a retry. */
function specOf<T>(job: JobMessage, field: 'train' | 'study', parse: (v: unknown) => T): T {
  const spec = job.spec as Record<string, unknown> | null;
  if (typeof spec !== 'object' || spec === null || !(field in spec)) {
    throw new PermanentJobError(`${job.stage} job ${job.id.slice(0, 12)}: spec has no "${field}" field`);
  }
  try {
    return parse(spec[field]);
  } catch (err) {
    throw new PermanentJobError(`${job.stage} job ${job.id.slice(0, 12)}: ${(err as Error).message}`);
  }
}

/**
 * Runs `job` in `ctx.runDir` and returns the relative paths of the files it produced (sorted),
 * leaving out its inputs and worker-only files.
 * @throws PermanentJobError for an unknown stage or an invalid spec; the stage's own errors as thrown.
 */
export async function runSweepJob(job: JobMessage, ctx: SweepJobContext): Promise<string[]> {
  if (!isSweepStage(job.stage)) throw new PermanentJobError(`unknown sweep stage "${job.stage}"`);
  const before = new Set(await listRunFiles(ctx.runDir).catch(() => [] as string[]));
  const stageCtx: StageContext = {
    runDir: ctx.runDir,
    log: ctx.log,
    progress: ctx.progress ?? (() => {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  if (job.stage === 'training') {
    const train = specOf(job, 'train', parseTrainSpec);
    const result = await trainStage(train, stageCtx);
    // The record runStudy would write, so the study stages hash the same upstream.
    await writeStageRecord(ctx.runDir, {
      stage: 'train',
      config_hash: configHash({ stage: 'train', train, task: null }),
      wall_s: 0,
      finished_at: '',
      result,
    });
  } else {
    const study = specOf(job, 'study', parseStudyConfig);
    await runStudyGroup(STAGE_GROUPS[job.stage], { study }, stageCtx);
  }
  await stripTimings(ctx.runDir);
  const after = await listRunFiles(ctx.runDir);
  return after.filter((file) => !before.has(file) && !WORKER_ONLY.some((pattern) => pattern.test(file)));
}

/** Runs `names` in order, as runStudy does: after too few pairs only the report still runs. */
async function runStudyGroup(
  names: readonly StudyStageName[],
  spec: StudySpec,
  ctx: StageContext,
): Promise<void> {
  for (const name of names) {
    if (name !== 'pairs' && name !== 'report') {
      const kept = (await readStageRecord<{ kept: number }>(ctx.runDir, 'pairs'))?.result.kept ?? 0;
      if (kept < spec.study.pairs.minPairs) {
        ctx.log(`${name}: not run (only ${kept} flipped pairs, fewer than pairs.minPairs)`);
        continue;
      }
    }
    await STUDY_STAGE_FUNCTIONS[name](spec, ctx);
  }
}

/** Rewrites every stage record with wall_s 0 and an empty finish time (see the file comment). */
async function stripTimings(runDir: string): Promise<void> {
  const dir = join(runDir, RUN_FILES.stages);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const path = join(dir, name);
    const record = await readJson<StageRecord>(path);
    if (record.wall_s !== 0 || record.finished_at !== '') {
      await writeJson(path, { ...record, wall_s: 0, finished_at: '' });
    }
  }
}

/**
 * Running one sweep job in a run directory that already holds its inputs: the stages the registry
 * declares in the job's group, through the same runner as `memgen run` (one gating, one kind of
 * stage record). Its outputs are what those stages declare, never a listing of the directory.
 * Both the local workers and the NATS workers call this, so a job means the same thing in both.
 */
import { type JobMessage, PermanentJobError } from '@memgen/bus';
import {
  expandPaths,
  isJobGroup,
  type MetricsSink,
  type Progress,
  parseStudyConfig,
  parseTrainSpec,
  type RunSpec,
  registeredStages,
  runStages,
  type StageContext,
  stageRecordFile,
  stagesOfGroup,
  withRunDirLock,
} from '@memgen/pipeline';

/**
 * How long a job waits for its run directory's lock. A local sweep keeps each job's directory across
 * attempts, and the worker of a sweep that was just stopped (Ctrl-C, kill -9 of the sweep) still
 * holds it until its training loop next yields and it sees its parent gone.
 */
const RESUME_LOCK_WAIT_MS = 300_000;

export interface SweepJobContext {
  /** Directory holding the job's materialised inputs; outputs are written into it. */
  runDir: string;
  log: (line: string) => void;
  progress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Paths a spec names must lie inside runDir (StageContext.confined); default false. */
  confined?: boolean;
  metrics?: MetricsSink;
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

/** The run spec a job of `group` carries: the trainer's for training, the study's otherwise. */
function runSpecOf(job: JobMessage): RunSpec {
  return job.stage === 'training'
    ? { train: specOf(job, 'train', parseTrainSpec) }
    : { study: specOf(job, 'study', parseStudyConfig) };
}

/**
 * Runs `job` in `ctx.runDir` and returns the relative paths of the files it produced (sorted):
 * the declared outputs and records of the stages that ran.
 * @throws PermanentJobError for an unknown group or an invalid spec; the stages' own errors as thrown.
 */
export async function runSweepJob(job: JobMessage, ctx: SweepJobContext): Promise<string[]> {
  if (!isJobGroup(job.stage)) throw new PermanentJobError(`unknown job group "${job.stage}"`);
  const spec = runSpecOf(job);
  const stages = stagesOfGroup(job.stage);
  const stageCtx: StageContext = {
    runDir: ctx.runDir,
    log: ctx.log,
    progress: ctx.progress ?? (() => {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.confined ? { confined: true } : {}),
    ...(ctx.metrics ? { metrics: ctx.metrics } : {}),
  };
  const outcome = await withRunDirLock(
    ctx.runDir,
    () =>
      runStages(registeredStages(), spec, stageCtx, {
        only: stages.map((s) => s.name),
        recordTimings: false,
      }),
    { waitMs: RESUME_LOCK_WAIT_MS },
  );
  const files: string[] = [];
  for (const stage of stages) {
    if (outcome.stages.find((o) => o.stage === stage.name)?.status !== 'ran') continue;
    files.push(...(await expandPaths(ctx.runDir, stage.outputs)), stageRecordFile(stage.name));
  }
  return [...new Set(files)].sort();
}

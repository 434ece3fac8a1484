/**
 * What a stage is, declared once: its name, the function that does the work, the run-directory
 * files it writes, the stages whose files it reads, the slice of the run's config that names its
 * work, and the job group that runs it in a sweep. `memgen run`, `memgen sweep`, the freshness
 * chain and the report all read these declarations; nothing else lists stages.
 *
 * The bottom of the registry: every stage imports this module, and it imports no stage (only the
 * types of the study's config). The list of built-in stages is at the top (./builtin.ts).
 */
import type { StageContext } from '../stage.js';
import type { StudySpec, TaskSpec } from '../study/common/study-model.js';
import type { StudyConfig } from '../study/config.js';
import type { JobGroupName } from './groups.js';

/** Everything a run (or one sweep job) is asked to do. */
export interface RunSpec {
  /** The trainer's spec; omitted = the run directory already holds the model (it is provided). */
  train?: unknown;
  /** The task; omitted = read from checkpoint/train_config.json. */
  task?: TaskSpec;
  /** The study's config; a training job has none. */
  study?: StudyConfig;
}

/**
 * The stage's work: reads its inputs from `ctx.runDir`, writes its outputs there, and returns a
 * small JSON summary kept in its stage record. `configHash` is the hash of the stage's config slice
 * (artefacts carry it so that a file names the config that made it); `chain` is every stage of the
 * run in run order, this one included (the report reads the state of each from it).
 */
export type StageRun<R = unknown> = (
  spec: RunSpec,
  ctx: StageContext,
  configHash: string,
  chain: readonly StageDeclaration[],
) => Promise<R>;

export interface StageDeclaration<R = unknown> {
  /** Stable name: the key of `stages/<name>.json` and of the report's sections. */
  name: string;
  group: JobGroupName;
  /** Stages whose outputs this stage reads; 'all' = every stage declared before it. */
  upstream: readonly string[] | 'all';
  /**
   * Files it writes, relative to the run directory; a name ending in '/' is a folder whose files
   * are all outputs. Files a stage leaves that are not listed here are private to it (resume
   * state) and never leave a worker.
   */
  outputs: readonly string[];
  /** Upstream outputs it actually reads (default all of them), same notation as `outputs`. */
  reads?: readonly string[];
  /** The part of the spec this stage's result depends on (hashed into its config hash). */
  config: (spec: RunSpec) => unknown;
  run: StageRun<R>;
  /**
   * False when the spec does not ask for this stage because its outputs are supplied (a model
   * trained elsewhere): the stage then counts as done when its outputs exist. Default: always.
   */
  requested?: (spec: RunSpec) => boolean;
  /**
   * Why the stages after this one must not run, given its result; null = go on. (Method syntax:
   * a declaration with a specific result type still is a StageDeclaration<unknown>.)
   */
  gate?(result: R, spec: RunSpec): string | null;
  /** Runs even after a gate stopped the stages before it (the report says why they did not). */
  runsAfterStop?: boolean;
  /**
   * What to do when an output no longer has the digest the stage recorded: 'rerun' (cheap stages)
   * or 'refuse' (expensive ones, whose rerun would not repair the file: training).
   */
  onChangedOutput: 'rerun' | 'refuse';
}

/** Identity function that types a declaration (and checks its fields at compile time). */
export function defineStage<R>(declaration: StageDeclaration<R>): StageDeclaration<R> {
  return declaration;
}

/** A study stage's declaration, written against a spec that has a study config. */
export type StudyStageDeclaration<R> = Omit<StageDeclaration<R>, 'config' | 'run' | 'gate'> & {
  config: (spec: StudySpec) => unknown;
  run: (
    spec: StudySpec,
    ctx: StageContext,
    configHash: string,
    chain: readonly StageDeclaration[],
  ) => Promise<R>;
  gate?: (result: R, spec: StudySpec) => string | null;
};

/** @throws Error naming the stage when the run spec has no study config */
function studySpecOf(stage: string, spec: RunSpec): StudySpec {
  if (spec.study === undefined)
    throw new Error(`stage '${stage}' needs a study config, and the run spec has none`);
  return spec.task === undefined ? { study: spec.study } : { study: spec.study, task: spec.task };
}

/** Declares a study stage: its functions see the study config, checked present. */
export function defineStudyStage<R>(declaration: StudyStageDeclaration<R>): StageDeclaration<R> {
  const { config, run, gate, ...rest } = declaration;
  const of = (spec: RunSpec) => studySpecOf(declaration.name, spec);
  return {
    ...rest,
    config: (spec) => config(of(spec)),
    run: (spec, ctx, hash, chain) => run(of(spec), ctx, hash, chain),
    ...(gate ? { gate: (result: R, spec: RunSpec) => gate(result, of(spec)) } : {}),
  };
}

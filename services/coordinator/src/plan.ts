/**
 * Expanding a sweep spec into units (task × preset × seed) and each unit's chain of jobs:
 * train → record (pairs + record) → fit (stats + probes + consistency) → steer (steer + report).
 * A job's id is computeJobId(stage, spec, inputs): its inputs are every artefact its upstream jobs
 * produced, with their digests, so the same work always has the same id.
 */
import { type ArtefactRef, type JobMessage, makeJob } from '@memgen/bus';
import {
  JOB_GROUPS,
  type JobGroupName,
  parseTrainSpec,
  resolveStudyConfig,
  type StudyConfig,
  type StudyStageName,
  type TrainSpec,
  trainPreset,
} from '@memgen/pipeline';
import type { SweepSpec } from './sweep-spec.js';

/** The sweep's job groups in chain order (the bus stage names). */
export const SWEEP_STAGES = JOB_GROUPS;
export type SweepStage = JobGroupName;

/** The study stages each job group runs, in order (training runs the trainer itself). */
export const STAGE_GROUPS: Record<Exclude<SweepStage, 'training'>, readonly StudyStageName[]> = {
  recording: ['pairs', 'record'],
  fitting: ['stats', 'probes', 'consistency'],
  steering: ['steer', 'report'],
};

/** One model of the sweep: a task at a preset with a seed. */
export interface SweepUnit {
  task: string;
  preset: string;
  seed: number;
  /** `<task>-<preset>-s<seed>`: the run id on jobs and the run directory's name. */
  runId: string;
  train: TrainSpec;
  study: StudyConfig;
}

/** The job spec of a train job and of the study jobs. */
export type TrainJobSpec = { train: TrainSpec };
export type StudyJobSpec = { study: StudyConfig };

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of plain objects; arrays and scalars in `over` replace those in `base`. */
export function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlain(current) && isPlain(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/**
 * The sweep's units in spec order (tasks, then presets, then seeds), each with its resolved and
 * validated training spec and study config.
 * @throws Error naming the unit and the wrong field when a preset or an override is invalid.
 */
export function expandSweep(spec: SweepSpec): SweepUnit[] {
  const units: SweepUnit[] = [];
  for (const task of spec.tasks) {
    for (const preset of spec.presets) {
      for (const seed of spec.seeds) {
        const runId = `${task}-${preset}-s${seed}`;
        try {
          const base = trainPreset(task, preset, seed) as Plain;
          const train = parseTrainSpec({ ...deepMerge(base, spec.train ?? {}), seed });
          if (train.task.name !== task) {
            throw new Error(`train.task.name: the overrides train ${train.task.name}, not ${task}`);
          }
          const study = resolveStudyConfig(preset, { ...(spec.study ?? {}), seed });
          units.push({ task, preset, seed, runId, train, study });
        } catch (err) {
          throw new Error(`sweep unit ${runId}: ${(err as Error).message}`);
        }
      }
    }
  }
  return units;
}

/** The job of `stage` for `unit` given every artefact its upstream jobs produced. */
export function unitJob(unit: SweepUnit, stage: SweepStage, inputs: readonly ArtefactRef[]): JobMessage {
  const spec: TrainJobSpec | StudyJobSpec =
    stage === 'training' ? { train: unit.train } : { study: unit.study };
  return makeJob({ stage, runId: unit.runId, spec, inputs: [...inputs] });
}

/** Object Store / local store name prefix of a job's outputs: content-addressed by job id. */
export function jobPrefix(jobId: string): string {
  return `jobs/${jobId}`;
}

/**
 * Expanding a sweep spec into units (task × preset × size × seed) and each unit's chain of jobs:
 * one job per job group (training → recording → fitting → steering), each running the stages the
 * registry declares in that group.
 * A job's id is computeJobId(stage, spec, inputs): its inputs are every artefact its upstream jobs
 * produced, with their digests, so the same work always has the same id.
 */
import { type ArtefactRef, type JobMessage, makeJob } from '@memgen/bus';
import { deepMerge, type PlainObject } from '@memgen/common';
import {
  type JobGroupName,
  parseTrainSpec,
  resolveStudyConfig,
  type StudyConfig,
  type TrainSpec,
  trainPreset,
} from '@memgen/pipeline';
import type { SweepSpec } from './sweep-spec.js';

/** One model of the sweep: a task at a preset and a model size with a seed. */
export interface SweepUnit {
  task: string;
  preset: string;
  /** The libs/model preset trained (the spec's size, else the preset's own). */
  size: string;
  seed: number;
  /** `<task>-<preset>[-<size>]-s<seed>`: the run id on jobs and the run directory's name. */
  runId: string;
  train: TrainSpec;
  study: StudyConfig;
}

/** The job spec of a train job and of the study jobs. */
export type TrainJobSpec = { train: TrainSpec };
export type StudyJobSpec = { study: StudyConfig };

/**
 * The sweep's units in spec order (tasks, then presets, then seeds), each with its resolved and
 * validated training spec and study config.
 * @throws Error naming the unit and the wrong field when a preset or an override is invalid.
 */
export function expandSweep(spec: SweepSpec): SweepUnit[] {
  const units: SweepUnit[] = [];
  for (const task of spec.tasks) {
    for (const preset of spec.presets) {
      for (const size of spec.sizes ?? [undefined]) {
        for (const seed of spec.seeds) units.push(sweepUnit(spec, task, preset, size, seed));
      }
    }
  }
  return units;
}

function sweepUnit(
  spec: SweepSpec,
  task: string,
  preset: string,
  size: string | undefined,
  seed: number,
): SweepUnit {
  const runId = `${task}-${preset}${size === undefined ? '' : `-${size}`}-s${seed}`;
  try {
    const base = trainPreset(task, preset, seed, size) as PlainObject;
    const train = parseTrainSpec({ ...deepMerge(base, spec.train ?? {}), seed });
    if (train.task.name !== task) {
      throw new Error(`train.task.name: the overrides train ${train.task.name}, not ${task}`);
    }
    const study = resolveStudyConfig(preset, { ...(spec.study ?? {}), seed });
    return { task, preset, size: train.model.preset, seed, runId, train, study };
  } catch (err) {
    throw new Error(`sweep unit ${runId}: ${(err as Error).message}`);
  }
}

/** The job of `group` for `unit` given every artefact its upstream jobs produced. */
export function unitJob(unit: SweepUnit, group: JobGroupName, inputs: readonly ArtefactRef[]): JobMessage {
  const spec: TrainJobSpec | StudyJobSpec =
    group === 'training' ? { train: unit.train } : { study: unit.study };
  const labels = { task: unit.task, preset: unit.preset, size: unit.size, seed: unit.seed };
  return makeJob({ stage: group, runId: unit.runId, spec, inputs: [...inputs], unit: labels });
}

/** Object Store / local store name prefix of a job's outputs: content-addressed by job id. */
export function jobPrefix(jobId: string): string {
  return `jobs/${jobId}`;
}

/**
 * How a study stage is named by its configuration. A stage's hash covers the slice of the study
 * config it reads plus the hashes of the stages whose artefacts it reads (and, for `pairs`, the
 * checkpoint's bytes and the resolved task), so changing the steering grid reruns `steer` and
 * `report` only, and retraining reruns everything.
 */
import { join } from 'node:path';
import { configHash } from '@memgen/tensor';
import type { Stage, StageContext } from '../stage.js';
import { fileDigest, RUN_FILES, readStageRecord, type StudyStageName, writeStageRecord } from './run-dir.js';
import { resolveTaskSpec, type StudySpec } from './study-model.js';

/** Bump when a stage's output changes meaning for the same config (old artefacts then rerun). */
export const STUDY_CODE_VERSION = 1;

/** Stages whose artefacts each stage reads. */
export const STAGE_UPSTREAM: Record<StudyStageName, readonly (StudyStageName | 'train')[]> = {
  pairs: ['train'],
  record: ['pairs'],
  stats: ['record'],
  probes: ['record'],
  steer: ['stats'],
  consistency: ['stats'],
  report: ['train', 'pairs', 'record', 'stats', 'probes', 'steer', 'consistency'],
};

/** The part of the study config a stage depends on. */
function configSlice(stage: StudyStageName, spec: StudySpec): unknown {
  const { study } = spec;
  switch (stage) {
    case 'pairs':
      return { pairs: study.pairs, seed: study.seed };
    case 'record':
      return { record: study.record };
    case 'stats':
      return { stats: study.stats, seed: study.seed };
    case 'probes':
      return { probes: study.probes, seed: study.seed };
    case 'steer':
      return { steer: study.steer, seed: study.seed };
    case 'consistency':
      return { consistency: study.consistency, seed: study.seed };
    case 'report':
      return {};
  }
}

/** The config hash of `stage` for `spec` in `runDir` (reads upstream stage records). */
export async function studyStageHash(
  stage: StudyStageName,
  spec: StudySpec,
  runDir: string,
): Promise<string> {
  const upstream: Record<string, string | null> = {};
  for (const u of STAGE_UPSTREAM[stage]) {
    upstream[u] = (await readStageRecord(runDir, u))?.config_hash ?? null;
  }
  const extra =
    stage === 'pairs'
      ? {
          task: await resolveTaskSpec(spec, runDir),
          checkpoint: await fileDigest(join(runDir, RUN_FILES.checkpoint, 'model.safetensors')),
        }
      : {};
  return configHash({
    stage,
    version: STUDY_CODE_VERSION,
    config: configSlice(stage, spec),
    upstream,
    ...extra,
  });
}

/**
 * Wraps a stage body so that it records, in `stages/<name>.json`, the hash it ran with, its wall
 * time and its result, whoever calls it (the local orchestrator or a worker).
 */
export function studyStage<R>(
  name: StudyStageName,
  body: (spec: StudySpec, ctx: StageContext, hash: string) => Promise<R>,
): Stage<StudySpec, R> {
  return async (spec, ctx) => {
    const hash = await studyStageHash(name, spec, ctx.runDir);
    const started = performance.now();
    ctx.progress({ stage: name, done: 0, total: 0, detail: 'starting' });
    const result = await body(spec, ctx, hash);
    const wall = (performance.now() - started) / 1000;
    await writeStageRecord(ctx.runDir, {
      stage: name,
      config_hash: hash,
      wall_s: Math.round(wall * 1000) / 1000,
      finished_at: new Date().toISOString(),
      result,
    });
    return result;
  };
}

/** Throws the signal's reason when the job was asked to stop (call between batches). */
export function checkAborted(ctx: StageContext): void {
  if (ctx.signal?.aborted) {
    throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('stage aborted');
  }
}

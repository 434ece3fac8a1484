/**
 * The run-directory contract of issue 7 (other tools rely on these names) and the stage records that
 * make a rerun resume: `stages/<stage>.json` holds the config hash a stage ran with, its wall time
 * and its summary; the orchestrator skips a stage whose record matches and whose outputs exist.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@memgen/tensor';

/** File names inside runs/<id>/. */
export const RUN_FILES = {
  config: 'config.json',
  curve: 'train/curve.jsonl',
  checkpoint: 'checkpoint',
  pairs: 'pairs.jsonl',
  activations: 'activations.safetensors',
  stats: 'stats.safetensors',
  probes: 'probes.json',
  steering: 'steering.json',
  consistency: 'consistency.json',
  results: 'results.json',
  report: 'report.md',
  figures: 'figures',
  stages: 'stages',
} as const;

export const STUDY_STAGES = ['pairs', 'record', 'stats', 'probes', 'steer', 'consistency', 'report'] as const;
export type StudyStageName = (typeof STUDY_STAGES)[number];

/** The files each stage writes (relative to the run dir); all must exist for a skip. */
export const STAGE_OUTPUTS: Record<StudyStageName | 'train', readonly string[]> = {
  train: [`${RUN_FILES.checkpoint}/model.safetensors`, `${RUN_FILES.checkpoint}/config.json`],
  pairs: [RUN_FILES.pairs],
  record: [RUN_FILES.activations],
  stats: [RUN_FILES.stats],
  probes: [RUN_FILES.probes],
  steer: [RUN_FILES.steering],
  consistency: [RUN_FILES.consistency],
  report: [RUN_FILES.report, RUN_FILES.results],
};

/** What a finished stage leaves in `stages/<stage>.json`. */
export interface StageRecord<R = unknown> {
  stage: string;
  config_hash: string;
  /** Seconds the stage itself ran (its original run, when later runs skipped it). */
  wall_s: number;
  finished_at: string;
  result: R;
}

export function runPath(runDir: string, file: string): string {
  return join(runDir, file);
}

export function stageRecordPath(runDir: string, stage: string): string {
  return join(runDir, RUN_FILES.stages, `${stage}.json`);
}

/** Writes pretty JSON atomically (a crash never leaves half a file), creating the directory. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`));
}

/** Writes text atomically, creating the directory. */
export async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, new TextEncoder().encode(text));
}

/**
 * Parses a JSON file.
 * @throws Error naming the file when it is missing or not valid JSON.
 */
export async function readJson<T = unknown>(path: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** The stage's record, or undefined when the stage never finished in this run dir. */
export async function readStageRecord<R = unknown>(
  runDir: string,
  stage: string,
): Promise<StageRecord<R> | undefined> {
  const path = stageRecordPath(runDir, stage);
  if (!existsSync(path)) return undefined;
  return readJson<StageRecord<R>>(path);
}

/** Like readStageRecord, but a missing record is an Error naming the stage that must run first. */
export async function requireStageRecord<R = unknown>(
  runDir: string,
  stage: string,
): Promise<StageRecord<R>> {
  const record = await readStageRecord<R>(runDir, stage);
  if (!record)
    throw new Error(`stage '${stage}' has not run in ${runDir} (no ${stageRecordPath(runDir, stage)})`);
  return record;
}

export async function writeStageRecord(runDir: string, record: StageRecord): Promise<void> {
  await writeJson(stageRecordPath(runDir, record.stage), record);
}

/** True when the stage's record carries `hash` and every output it wrote is still there. */
export async function isStageCurrent(
  runDir: string,
  stage: StudyStageName | 'train',
  hash: string,
): Promise<boolean> {
  const record = await readStageRecord(runDir, stage);
  if (record?.config_hash !== hash) return false;
  return STAGE_OUTPUTS[stage].every((f) => existsSync(join(runDir, f)));
}

/** Hex SHA-256 of a file's bytes, streamed (checkpoints can be large). */
export async function fileDigest(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

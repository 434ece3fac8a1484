/**
 * Stage records, `stages/<stage>.json`: what a finished stage ran with (its config hash), the
 * SHA-256 of every input it read and every output it wrote, and its result summary. No timings, so
 * that the same work leaves the same bytes on any machine (sweep job ids hash them); wall times go
 * to `stages/<stage>.timing.json`, which no other stage reads.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseWith, readJson, writeJson } from '@memgen/common';
import { z } from 'zod';

/** The folder of stage records inside a run directory. */
export const STAGES_DIR = 'stages';

/** Bump when a record's meaning changes (older records are then not current: their stages rerun). */
export const RECORD_FORMAT = 2;

const digest = z.string().regex(/^[0-9a-f]{64}$/, 'expected a hex SHA-256');

export const StageRecordSchema = z.object({
  format: z.literal(RECORD_FORMAT),
  stage: z.string().min(1),
  config_hash: digest,
  inputs: z.record(z.string(), digest),
  outputs: z.record(z.string(), digest),
  result: z.unknown(),
});
export type StageRecord<R = unknown> = Omit<z.infer<typeof StageRecordSchema>, 'result'> & { result: R };

export interface StageTiming {
  stage: string;
  wall_s: number;
  finished_at: string;
}

/** Relative path of a stage's record. */
export function stageRecordFile(stage: string): string {
  return `${STAGES_DIR}/${stage}.json`;
}

export function stageRecordPath(runDir: string, stage: string): string {
  return join(runDir, stageRecordFile(stage));
}

function timingPath(runDir: string, stage: string): string {
  return join(runDir, STAGES_DIR, `${stage}.timing.json`);
}

/**
 * The stage's record, or undefined when the stage never finished in this run directory.
 * @throws Error naming the file when it exists but is not a valid record
 */
export async function readStageRecord<R = unknown>(
  runDir: string,
  stage: string,
): Promise<StageRecord<R> | undefined> {
  const path = stageRecordPath(runDir, stage);
  if (!existsSync(path)) return undefined;
  return parseWith(StageRecordSchema, await readJson(path), path) as StageRecord<R>;
}

export async function writeStageRecord(runDir: string, record: StageRecord): Promise<void> {
  await writeJson(stageRecordPath(runDir, record.stage), record);
}

export async function writeStageTiming(runDir: string, timing: StageTiming): Promise<void> {
  await writeJson(timingPath(runDir, timing.stage), timing);
}

/** The stage's last wall time, or undefined when none was recorded (e.g. it ran in a sweep). */
export async function readStageTiming(runDir: string, stage: string): Promise<StageTiming | undefined> {
  const path = timingPath(runDir, stage);
  return existsSync(path) ? readJson<StageTiming>(path) : undefined;
}

/**
 * Files of a stage that is no longer the chain's (a gate before it now stops the study): they are
 * moved, with the stage's record, to `quarantine/<stage>/` in the run directory, so that nothing
 * reading the run (compare, the results book, a person) takes them for this configuration's, and
 * they are still there to look at. A later quarantine of the same stage replaces the earlier one.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { StageDeclaration } from '../registry/declaration.js';
import { expandPaths } from './digests.js';
import { STAGES_DIR, stageRecordFile } from './records.js';

/** The folder of quarantined files inside a run directory (no stage reads or writes it). */
export const QUARANTINE_DIR = 'quarantine';

/**
 * Moves `stage`'s record, timing and outputs to `quarantine/<stage>/` (same relative paths).
 * @returns the relative paths moved (empty when the stage left nothing here)
 */
export async function quarantineStage(runDir: string, stage: StageDeclaration): Promise<string[]> {
  const own = [stageRecordFile(stage.name), `${STAGES_DIR}/${stage.name}.timing.json`];
  const files = [
    ...own.filter((f) => existsSync(join(runDir, f))),
    ...(await expandPaths(runDir, stage.outputs)),
  ];
  if (files.length === 0) return [];
  const target = join(runDir, QUARANTINE_DIR, stage.name);
  await rm(target, { recursive: true, force: true });
  // The record goes first: a crash midway leaves outputs that no record claims, never the reverse.
  for (const file of files) {
    await mkdir(dirname(join(target, file)), { recursive: true });
    await rename(join(runDir, file), join(target, file));
  }
  return files;
}

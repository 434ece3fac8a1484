/**
 * The run directory's own names: what no single study stage writes — the run's config.json, the
 * trainer's checkpoint and curve (read by several stages), and the folder of stage records. Each
 * stage names its artefacts in its own folder (`<stage>/files.ts`); ../run-dir.ts lists them all.
 */
import { join } from 'node:path';

export const RUN_DIR_FILES = {
  config: 'config.json',
  curve: 'train/curve.jsonl',
  checkpoint: 'checkpoint',
  stages: 'stages',
} as const;

export function runPath(runDir: string, file: string): string {
  return join(runDir, file);
}

/**
 * The run-directory contract (other tools rely on these names). Which stage writes which file is
 * declared on the stage itself (registry); the freshness chain and stage records live in ../chain.
 */
import { join } from 'node:path';

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
  patching: 'patching.json',
  consistency: 'consistency.json',
  results: 'results.json',
  report: 'report.md',
  figures: 'figures',
  stages: 'stages',
} as const;

export function runPath(runDir: string, file: string): string {
  return join(runDir, file);
}

/**
 * Caps on the study config's sizes: every count that makes a stage allocate or loop (items drawn,
 * rows per batch, random draws, steering settings) is held to a request cap of @memgen/common's
 * limits, so a typo (`pairs.batchSize: 5000000`) is refused when the config is parsed, before a
 * stage allocates anything, naming the field, the cap and the variable that raises it.
 */
import { type LimitName, limitRefusal } from '@memgen/common';
import { expandFamilies } from './steer/plan/ids.js';

/** Each capped field of the study config (a path under it) and the cap it answers to. */
export const CAPPED_FIELDS: readonly { path: readonly string[]; limit: LimitName }[] = [
  { path: ['pairs', 'target'], limit: 'items' },
  { path: ['pairs', 'maxItems'], limit: 'items' },
  { path: ['pairs', 'batchSize'], limit: 'batch' },
  { path: ['pairs', 'beamWidth'], limit: 'batch' },
  { path: ['record', 'batchSize'], limit: 'batch' },
  { path: ['stats', 'permutations'], limit: 'draws' },
  { path: ['consistency', 'splits'], limit: 'draws' },
  { path: ['consistency', 'randomDraws'], limit: 'draws' },
  { path: ['consistency', 'nullDraws'], limit: 'draws' },
  { path: ['patching', 'maxPairs'], limit: 'items' },
  { path: ['patching', 'batchSize'], limit: 'batch' },
  { path: ['steer', 'items'], limit: 'items' },
  { path: ['steer', 'capabilityItems'], limit: 'items' },
  { path: ['steer', 'calibrationPairs'], limit: 'items' },
  { path: ['steer', 'bootstrap'], limit: 'draws' },
  { path: ['steer', 'batchSize'], limit: 'batch' },
  { path: ['steer', 'learn', 'steps'], limit: 'trainSteps' },
  { path: ['steer', 'learn', 'choiceSteps'], limit: 'trainSteps' },
  { path: ['steer', 'learn', 'keepItems'], limit: 'items' },
];

/** A field above its cap: where (under the study config) and why. */
export interface CapIssue {
  path: (string | number)[];
  message: string;
}

/** The value at `path` under `config`; undefined where a part is absent (an optional slice). */
function valueAt(config: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined),
    config,
  );
}

/** Every capped field of `config` above its cap (empty when all are within). */
export function studyCapIssues(config: { steer: { families: unknown[] } }): CapIssue[] {
  const issues: CapIssue[] = [];
  for (const { path, limit } of CAPPED_FIELDS) {
    const value = valueAt(config, path);
    const refusal = typeof value === 'number' ? limitRefusal(limit, value) : null;
    if (refusal !== null) issues.push({ path: [...path], message: refusal });
  }
  // A head-ablate family over every head counts as none here: its size is the model's head count.
  const families = config.steer.families as Parameters<typeof expandFamilies>[0];
  const settings = expandFamilies(families, null).length;
  const refusal = limitRefusal('steerSettings', settings);
  if (refusal !== null) issues.push({ path: ['steer', 'families'], message: refusal });
  return issues;
}

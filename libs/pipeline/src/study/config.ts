/**
 * The study's configuration (docs/method.md §4–§8): every knob of the stages after training,
 * validated with zod so a wrong field fails with a message naming it. Each stage declares its slice
 * in its own folder (`<stage>/config.ts`); this file composes them, holds their sizes to the
 * request caps (./config-caps.ts) and checks what spans two slices. Defaults are the `quick`
 * preset's values; `presets.ts` holds smoke / quick / paper as data.
 */
import { parseWith, seedSchema } from '@memgen/common';
import { z } from 'zod';
import { studyCapIssues } from './config-caps.js';
import { consistencyConfigSchema } from './consistency/config.js';
import { pairsConfigSchema } from './pairs/config.js';
import { patchingConfigSchema } from './patching/config.js';
import { probesConfigSchema } from './probes/config.js';
import { recordConfigSchema } from './record/config.js';
import { statsConfigSchema } from './stats/config.js';
import { steerConfigSchema } from './steer/config.js';
import { steerConfigIssues } from './steer/plan/ids.js';

export { consistencyConfigSchema } from './consistency/config.js';
export { pairsConfigSchema } from './pairs/config.js';
export { patchingConfigSchema } from './patching/config.js';
export { probesConfigSchema } from './probes/config.js';
export { recordConfigSchema } from './record/config.js';
export { statsConfigSchema } from './stats/config.js';

export const studyConfigSchema = z
  .strictObject({
    /** Seed of every random draw after training (items, permutations, folds, bootstrap, splits). */
    seed: seedSchema.default(0),
    pairs: pairsConfigSchema.default(pairsConfigSchema.parse({})),
    record: recordConfigSchema.default(recordConfigSchema.parse({})),
    stats: statsConfigSchema.default(statsConfigSchema.parse({})),
    probes: probesConfigSchema.default(probesConfigSchema.parse({})),
    steer: steerConfigSchema.default(steerConfigSchema.parse({})),
    patching: patchingConfigSchema.default(patchingConfigSchema.parse({})),
    consistency: consistencyConfigSchema.default(consistencyConfigSchema.parse({})),
  })
  .superRefine((c, ctx) => {
    const capped = studyCapIssues(c);
    for (const issue of capped) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    if (capped.length > 0) return;
    for (const issue of steerConfigIssues(c.steer, c.record.mlpPost)) {
      ctx.addIssue({ code: 'custom', path: ['steer', ...issue.path], message: issue.message });
    }
    if (c.pairs.minPairs < c.probes.folds) {
      ctx.addIssue({
        code: 'custom',
        path: ['pairs', 'minPairs'],
        message: `must be at least probes.folds (${c.probes.folds}), got ${c.pairs.minPairs}`,
      });
    }
  });

export type StudyConfig = z.output<typeof studyConfigSchema>;
export type StudyConfigInput = z.input<typeof studyConfigSchema>;

/**
 * Validates a (partial) study config; omitted fields take their defaults.
 * @throws Error naming the first wrong field, e.g. `study config: field "steer.families.0.alphas.0": …`
 */
export function parseStudyConfig(input: unknown): StudyConfig {
  return parseWith(studyConfigSchema, input ?? {}, 'study config');
}

/**
 * A stage that exists only in tests: it reads the statistics and writes `echo.json` with their
 * SHA-256 and the study seed. Declared in this one file; registered by a test (registerStage) or
 * by MEMGEN_STAGE_MODULES naming this file — nothing else in the tree knows of it.
 */
import { join } from 'node:path';
import { fileDigest, writeJson } from '@memgen/common';
import { defineStudyStage, RUN_FILES } from '@memgen/pipeline';

export const ECHO_FILE = 'echo.json';

export default defineStudyStage<{ statsDigest: string }>({
  name: 'echo',
  group: 'fitting',
  upstream: ['stats'],
  outputs: [ECHO_FILE],
  config: (spec) => ({ seed: spec.study.seed }),
  run: async (spec, ctx) => {
    const statsDigest = await fileDigest(join(ctx.runDir, RUN_FILES.stats));
    await writeJson(join(ctx.runDir, ECHO_FILE), { statsDigest, seed: spec.study.seed });
    return { statsDigest };
  },
  onChangedOutput: 'rerun',
});

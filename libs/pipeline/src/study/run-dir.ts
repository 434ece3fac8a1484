/**
 * The run-directory contract (other tools rely on these names): every file name, gathered from the
 * stage folders that write them. Which stage writes which file is declared on the stage itself
 * (registry); the freshness chain and stage records live in ../chain.
 */
import { RUN_DIR_FILES } from './common/run-dir.js';
import { CONSISTENCY_FILES } from './consistency/files.js';
import { PAIRS_FILES } from './pairs/files.js';
import { PATCHING_FILES } from './patching/files.js';
import { PROBES_FILES } from './probes/files.js';
import { RECORD_FILES } from './record/files.js';
import { REPORT_FILES } from './report/files.js';
import { STATS_FILES } from './stats/files.js';
import { STEER_FILES } from './steer/files.js';

export { runPath } from './common/run-dir.js';

/** File names inside runs/<id>/. */
export const RUN_FILES = {
  config: RUN_DIR_FILES.config,
  curve: RUN_DIR_FILES.curve,
  checkpoint: RUN_DIR_FILES.checkpoint,
  ...PAIRS_FILES,
  ...RECORD_FILES,
  ...STATS_FILES,
  ...PROBES_FILES,
  ...STEER_FILES,
  ...PATCHING_FILES,
  ...CONSISTENCY_FILES,
  ...REPORT_FILES,
  stages: RUN_DIR_FILES.stages,
} as const;

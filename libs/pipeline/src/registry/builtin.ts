/**
 * The built-in stages, each declared in its own folder and listed here once: the top of the
 * registry. Nothing a stage imports may import this module (the import-cycle test keeps it so).
 */
import { consistencyStage } from '../study/consistency/stage.js';
import { pairsStage } from '../study/pairs/stage.js';
import { patchingStage } from '../study/patching/stage.js';
import { probesStage } from '../study/probes/stage.js';
import { recordStage } from '../study/record/stage.js';
import { reportStage } from '../study/report/stage.js';
import { statsStage } from '../study/stats/stage.js';
import { steerStage } from '../study/steer/stage.js';
import { trainDeclaration } from '../train/stage.js';
import type { StageDeclaration } from './declaration.js';

export const BUILTIN_STAGES: readonly StageDeclaration[] = [
  trainDeclaration,
  pairsStage,
  recordStage,
  statsStage,
  probesStage,
  steerStage,
  patchingStage,
  consistencyStage,
  reportStage,
];

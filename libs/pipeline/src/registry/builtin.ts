/** The built-in stages: each declared in its own file, listed here once. */
import { consistencyStage } from '../study/consistency.js';
import { pairsStage } from '../study/pairs.js';
import { patchingStage } from '../study/patching.js';
import { probesStage } from '../study/probes.js';
import { recordStage } from '../study/record.js';
import { reportStage } from '../study/report/report-stage.js';
import { statsStage } from '../study/stats.js';
import { steerStage } from '../study/steer.js';
import { trainDeclaration } from '../train/stage.js';
import type { StageDeclaration } from './declaration.js';

/** A function, not a constant: stage modules import the registry too, and are evaluated first. */
export function builtinStages(): StageDeclaration[] {
  return [
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
}

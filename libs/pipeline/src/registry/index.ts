export {
  defineStage,
  defineStudyStage,
  type RunSpec,
  type StageDeclaration,
  type StageRun,
  type StudyStageDeclaration,
} from './declaration.js';
export { isJobGroup, JOB_GROUPS, type JobGroupName } from './groups.js';
export { orderStages } from './order.js';
export {
  loadStageModules,
  registeredStages,
  registerStage,
  STAGE_MODULES_ENV,
  stageNamed,
  stagesOfGroup,
  upstreamOf,
} from './registry.js';

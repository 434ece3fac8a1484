export { coveredBy, digestFiles, expandPaths } from './digests.js';
export {
  assessChain,
  assessStage,
  type ChainStates,
  gateReason,
  isUsable,
  STUDY_CODE_VERSION,
  type StageState,
  stageConfigHash,
} from './freshness.js';
export { LOCK_FILE, type LockHolder, type LockOptions, lockRunDir, RunDirLockedError } from './lock.js';
export { QUARANTINE_DIR, quarantineStage } from './quarantine.js';
export {
  RECORD_FORMAT,
  readStageRecord,
  readStageTiming,
  STAGES_DIR,
  type StageRecord,
  StageRecordSchema,
  type StageTiming,
  stageRecordFile,
  stageRecordPath,
  writeStageRecord,
} from './records.js';
export { type RunStagesOptions, type RunStagesOutcome, runStages, type StageOutcome } from './run-stages.js';
export { RunVerifier } from './verify.js';

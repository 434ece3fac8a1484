export { type BookExtras, type BookOutcome, type ResultsBook, writeResultsBook } from './book/book.js';
export { archiveSweep } from './book/book-archive.js';
export { archiveComparisons } from './book/book-comparisons.js';
export { meetsCriterion } from './book/book-groups.js';
export { archiveProbe } from './book/book-probes.js';
export type { BookRun, BookSetting } from './book/book-runs.js';
export { refuseOutInside } from './book/book-sources.js';
export { type BusFlags, busConnectionOptions, natsUrlFrom, positiveIntFrom } from './bus-config.js';
export { type ExecuteOptions, executeJob, materialiseRun, runPathOf } from './execute-job.js';
export { type ArtefactIO, FileArtefactStore, hashFile } from './fs-artefacts.js';
export { JOB_STATES, type JobState, JobStateSchema, jobStateKey } from './job-state.js';
export { LocalSweepBackend, localStateDir } from './local-backend.js';
export { type LocalPoolOptions, LocalWorkerPool } from './local-pool.js';
export {
  type NatsBackendOptions,
  NatsSweepBackend,
  type SweepProgressRecord,
  SweepProgressSchema,
} from './nats-backend.js';
export {
  type StageWorkerDeps,
  type StageWorkerOptions,
  sweepJobHandler,
} from './nats-worker.js';
export * from './nest/index.js';
export {
  expandSweep,
  jobPrefix,
  type StudyJobSpec,
  type SweepUnit,
  type TrainJobSpec,
  unitJob,
} from './plan.js';
export {
  collectResults,
  FIGURE_NAMES,
  type FigureName,
  type Figures,
  figuresOf,
  type GroupResult,
  type SeedResult,
  type Summary,
  summarise,
} from './results.js';
export {
  type JobEntry,
  runSweep,
  type SweepBackend,
  type SweepOutcome,
  type SweepProgress,
  sweepIdOf,
} from './sweep.js';
export { runSweepJob, type SweepJobContext } from './sweep-job.js';
export { loadSweepSpec, parseSweepSpec, type SweepSpec, sweepSpecSchema } from './sweep-spec.js';

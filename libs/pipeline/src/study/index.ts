/**
 * The study stages (docs/method.md §4–§10): flipped pairs, activations, statistics, probes,
 * steering, patching, consistency and the report, each in its own folder with its config slice,
 * artefact names and report section; `compare` across runs; and `runStudy`, which runs every
 * registered stage in one run directory.
 */
export * from './common/decoding.js';
export { figureLink, section, table } from './common/markdown.js';
export { type ReferenceNumbers, referenceNumbers } from './common/paper.js';
export * from './common/study-model.js';
export { num, pct, pValue } from './common/verdicts.js';
export * from './compare/compare.js';
export * from './config.js';
export * from './consistency/overlap.js';
export * from './consistency/rank-null.js';
export * from './consistency/stage.js';
export { memberInput } from './pairs/member-input.js';
export * from './pairs/pairs-file.js';
export * from './pairs/stage.js';
export { type MapSite, patchingMapRows } from './patching/report.js';
export * from './patching/runs.js';
export * from './patching/sites.js';
export * from './patching/stage.js';
export * from './presets.js';
export * from './probes/stage.js';
export * from './record/activations-file.js';
export * from './record/stage.js';
export type { StudyResults } from './report/results.js';
export { type ReportResult, reportStage } from './report/stage.js';
export * from './run.js';
export * from './run-dir.js';
export * from './stats/stage.js';
export * from './stats/stats-file.js';
export * from './steer/config.js';
export * from './steer/controls.js';
export * from './steer/plan/heads.js';
export * from './steer/plan/ids.js';
export * from './steer/plan/inputs.js';
export * from './steer/plan/plan.js';
export type { RunRole, SettingPlan } from './steer/plan/setting-plan.js';
export * from './steer/runs/alpha-zero.js';
export * from './steer/runs/runs.js';
export { runSetting } from './steer/runs/setting.js';
export * from './steer/runs/summary.js';
export * from './steer/stage.js';
export * from './steer/steering-file.js';
export * from './steer/vectors.js';

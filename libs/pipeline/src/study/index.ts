/**
 * The study stages (SPEC §4–§9): flipped pairs, activations, statistics, probes, steering,
 * patching, consistency and the report, each declared in its own file, and `runStudy`, which runs every
 * registered stage in one run directory.
 */
export * from './activations-file.js';
export * from './compare.js';
export * from './config.js';
export * from './consistency.js';
export * from './decoding.js';
export * from './overlap.js';
export * from './pairs.js';
export * from './pairs-file.js';
export * from './patching.js';
export * from './patching-runs.js';
export * from './patching-sites.js';
export * from './presets.js';
export * from './probes.js';
export * from './rank-null.js';
export * from './record.js';
export { figureLink, section, table } from './report/markdown.js';
export { type ReferenceNumbers, referenceNumbers } from './report/paper.js';
export { type ReportResult, reportStage } from './report/report-stage.js';
export type { StudyResults } from './report/results.js';
export { type MapSite, patchingMapRows } from './report/sections-patching.js';
export { num, pct, pValue } from './report/verdicts.js';
export * from './run.js';
export * from './run-dir.js';
export * from './stats.js';
export * from './stats-file.js';
export * from './steer.js';
export * from './steer-config.js';
export * from './steering-alpha-zero.js';
export * from './steering-controls.js';
export * from './steering-heads.js';
export * from './steering-ids.js';
export * from './steering-inputs.js';
export * from './steering-plan.js';
export * from './steering-runs.js';
export * from './steering-summary.js';
export * from './steering-vectors.js';
export * from './study-model.js';

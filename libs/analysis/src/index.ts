/**
 * @memgen/analysis — the statistics of the study (docs/method.md §5–§8) as pure functions over typed arrays.
 * Activations are float32/float64 `[members, sites, width]`; per-coordinate results are `[sites, width]`.
 */
export * from './activations.js';
export * from './behaviour-labels.js';
export * from './descriptive-stats.js';
export * from './dice.js';
export * from './holm.js';
export * from './logistic-regression.js';
export * from './nmd.js';
export * from './noise-level.js';
export * from './pair-folds.js';
export * from './point-biserial.js';
export * from './probe-cv.js';
export * from './probe-direction.js';
export * from './probes.js';
export * from './ranking.js';
export * from './roc-auc.js';
export * from './spearman.js';
export * from './split-half.js';
export * from './steering-transitions.js';
export * from './summary.js';
export * from './switch-rate-tests.js';
export * from './wilson.js';

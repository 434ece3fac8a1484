/**
 * docs/method.md §7 metric: label the unsteered run, then for the items that were mem (or gen) count where a
 * steered run sends them. Rates are fractions in [0, 1] (multiply by 100 for %).
 */
import type { Stream } from '@memgen/common';
import { assertBehaviourLabels, BEHAVIOUR_LABELS, type BehaviourLabel } from './behaviour-labels.js';
import { quantile } from './descriptive-stats.js';

/** Where the items of one original label went. */
export interface TransitionRow {
  /** Items with this label in the unsteered run. */
  readonly total: number;
  /** Counts of their labels in the steered run. */
  readonly counts: Record<BehaviourLabel, number>;
  /** counts / total; null when total = 0 (no rate exists). */
  readonly rates: Record<BehaviourLabel, number> | null;
}

/** Rows for originally-mem and originally-gen items (originally-other items are not a metric). */
export interface TransitionTable {
  readonly fromMem: TransitionRow;
  readonly fromGen: TransitionRow;
}

function assertSameItems(before: readonly BehaviourLabel[], after: readonly BehaviourLabel[]): void {
  assertBehaviourLabels(before, 'before');
  assertBehaviourLabels(after, 'after');
  if (before.length !== after.length) {
    throw new Error(
      `before has ${before.length} labels but after has ${after.length}; they must be the same items`,
    );
  }
}

function row(
  before: readonly BehaviourLabel[],
  after: readonly BehaviourLabel[],
  from: BehaviourLabel,
): TransitionRow {
  const counts: Record<BehaviourLabel, number> = { mem: 0, gen: 0, other: 0 };
  let total = 0;
  for (let i = 0; i < before.length; i++) {
    if (before[i] !== from) continue;
    total++;
    counts[after[i]!]++;
  }
  const rates =
    total === 0 ? null : { mem: counts.mem / total, gen: counts.gen / total, other: counts.other / total };
  return { total, counts, rates };
}

/**
 * The transition table of one steered run: among originally-mem items the fraction → gen / stay mem /
 * → other, and likewise for originally-gen items. `before[i]` and `after[i]` label the same item.
 */
export function transitionTable(
  before: readonly BehaviourLabel[],
  after: readonly BehaviourLabel[],
): TransitionTable {
  assertSameItems(before, after);
  return { fromMem: row(before, after, 'mem'), fromGen: row(before, after, 'gen') };
}

/** A rate with its bootstrap percentile interval. */
export interface RateInterval {
  readonly rate: number;
  readonly lower: number;
  readonly upper: number;
}

/** Bootstrap options; defaults in brackets. */
export interface BootstrapOptions {
  /** Bootstrap resamples [2000]. */
  readonly resamples?: number;
  /** Interval coverage [0.95]. */
  readonly level?: number;
}

/** Intervals per destination label for one original label; null when that group is empty. */
export type TransitionIntervals = Record<BehaviourLabel, RateInterval> | null;

function groupIntervals(
  destinations: BehaviourLabel[],
  resamples: number,
  level: number,
  stream: Stream,
): TransitionIntervals {
  const g = destinations.length;
  if (g === 0) return null;
  const draws: Record<BehaviourLabel, Float64Array> = {
    mem: new Float64Array(resamples),
    gen: new Float64Array(resamples),
    other: new Float64Array(resamples),
  };
  for (let b = 0; b < resamples; b++) {
    const counts: Record<BehaviourLabel, number> = { mem: 0, gen: 0, other: 0 };
    for (let k = 0; k < g; k++) counts[destinations[stream.int(0, g - 1)]!]++;
    for (const label of BEHAVIOUR_LABELS) draws[label][b] = counts[label] / g;
  }
  const tail = (1 - level) / 2;
  const out = {} as Record<BehaviourLabel, RateInterval>;
  for (const label of BEHAVIOUR_LABELS) {
    const rate = destinations.filter((d) => d === label).length / g;
    out[label] = { rate, lower: quantile(draws[label], tail), upper: quantile(draws[label], 1 - tail) };
  }
  return out;
}

/**
 * Bootstrap percentile intervals for every rate of `transitionTable(before, after)`. Items are
 * resampled with replacement *within* their original label (stratified), so each group keeps its size
 * and never comes up empty; the interval is that of the rate conditional on the group. The resamples
 * are drawn from `stream` (which advances).
 */
export function bootstrapTransitions(
  before: readonly BehaviourLabel[],
  after: readonly BehaviourLabel[],
  stream: Stream,
  options: BootstrapOptions = {},
): { fromMem: TransitionIntervals; fromGen: TransitionIntervals } {
  assertSameItems(before, after);
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`resamples must be a positive integer, got ${resamples}`);
  }
  if (!(level > 0 && level < 1)) throw new Error(`level must be in (0, 1), got ${level}`);
  const destinationsOf = (from: BehaviourLabel): BehaviourLabel[] =>
    after.filter((_, i) => before[i] === from);
  return {
    fromMem: groupIntervals(destinationsOf('mem'), resamples, level, stream),
    fromGen: groupIntervals(destinationsOf('gen'), resamples, level, stream),
  };
}

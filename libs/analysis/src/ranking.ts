/**
 * docs/method.md §5: global ranking of all (site, dim) coordinates by |r| and the top-N selections.
 *
 * Order: |r| descending, ties broken by flat index ascending (site-major), so the ranking is a pure
 * function of r. Coordinates with r = 0 (constant coordinates included) rank last and are never
 * selected as "top": they carry no evidence of a difference.
 */
import {
  assertSiteMatrix,
  type Coordinate,
  coordinateAt,
  excludedSiteFlags,
  type SiteMatrix,
} from './activations.js';

/** Options shared by the ranking functions. */
export interface RankingOptions {
  /** Sites left out of the ranking entirely, e.g. `[0]` for the embedding row. Default: none. */
  readonly excludeSites?: readonly number[];
}

/** A selected coordinate with its correlation. */
export interface RankedCoordinate extends Coordinate {
  readonly r: number;
}

/** A top-N selection as both a list (best first) and a `[sites * width]` 0/1 mask. */
export interface TopSelection {
  readonly coordinates: RankedCoordinate[];
  readonly mask: Uint8Array;
  /** Coordinates that were eligible (not in an excluded site). */
  readonly eligible: number;
}

function assertFiniteValues(r: SiteMatrix): void {
  for (let c = 0; c < r.values.length; c++) {
    if (!Number.isFinite(r.values[c]!)) {
      const { site, dim } = coordinateAt(c, r.width);
      throw new Error(`r has a non-finite value ${r.values[c]} at site ${site}, dim ${dim}`);
    }
  }
}

/**
 * Flat indices of all non-excluded coordinates of `r` `[sites, width]`, ordered by |r| descending,
 * ties by index ascending.
 * @throws if r holds NaN or ±Infinity (r from `pointBiserial` never does).
 */
export function rankCoordinates(r: SiteMatrix, options: RankingOptions = {}): Int32Array {
  assertSiteMatrix(r, 'r');
  assertFiniteValues(r);
  const excluded = excludedSiteFlags(r.sites, options.excludeSites);
  const indices: number[] = [];
  for (let c = 0; c < r.values.length; c++) {
    if (excluded[Math.floor(c / r.width)] === 0) indices.push(c);
  }
  const abs = r.values.map(Math.abs);
  indices.sort((a, b) => abs[b]! - abs[a]! || a - b);
  return Int32Array.from(indices);
}

/**
 * The `count` coordinates of largest |r| (best first), skipping r = 0. Returns fewer than `count`
 * when fewer coordinates have a non-zero r.
 * @param r correlations `[sites, width]`
 */
export function topN(r: SiteMatrix, count: number, options: RankingOptions = {}): TopSelection {
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`topN count must be a non-negative integer, got ${count}`);
  }
  const order = rankCoordinates(r, options);
  const mask = new Uint8Array(r.values.length);
  const coordinates: RankedCoordinate[] = [];
  for (let k = 0; k < order.length && coordinates.length < count; k++) {
    const index = order[k]!;
    const value = r.values[index]!;
    if (value === 0) break; // ranked last, so every later one is 0 as well
    mask[index] = 1;
    coordinates.push({ ...coordinateAt(index, r.width), r: value });
  }
  return { coordinates, mask, eligible: order.length };
}

/**
 * The top `fraction` of eligible coordinates by |r| (the paper's 5 %, 10 %). The count is
 * `Math.round(fraction * eligible)`, where eligible excludes `options.excludeSites`.
 * @param r correlations `[sites, width]`
 * @param fraction in (0, 1]
 */
export function topNMask(r: SiteMatrix, fraction: number, options: RankingOptions = {}): TopSelection {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new Error(`topNMask fraction must be in (0, 1], got ${fraction}`);
  }
  const excluded = excludedSiteFlags(r.sites, options.excludeSites);
  let excludedCount = 0;
  for (const flag of excluded) excludedCount += flag;
  const eligible = (r.sites - excludedCount) * r.width;
  return topN(r, Math.round(fraction * eligible), options);
}

/** Converts a 0/1 mask `[sites * width]` to its selected coordinates, in index order. */
export function maskToCoordinates(mask: Uint8Array, width: number): Coordinate[] {
  const out: Coordinate[] = [];
  for (let c = 0; c < mask.length; c++) if (mask[c] !== 0) out.push(coordinateAt(c, width));
  return out;
}

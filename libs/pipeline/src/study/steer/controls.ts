/**
 * Matched controls for a targeted shift: they change as much as the targeted run does, only not
 * where or not in the direction it does, so a targeted effect above them is about the direction.
 * - matched: as many uniformly drawn eligible coordinates, a uniformly random direction (normalised
 *   Gaussian), exactly the targeted shift's L2 norm;
 * - within: the targeted coordinates themselves, a random direction, the same L2 norm;
 * - layer-matched: in each site (layer), as many random coordinates of that site as the selection
 *   has there, a random direction, the same L2 norm — a selection by |r| across layers is mostly
 *   in a few layers, and moving those layers at random may itself be a lever.
 * The paper's control (U(−m, m) per coordinate, ./vectors.ts) is kept beside them: its norm
 * is not the targeted one, so on its own it cannot tell direction from size.
 */
import type { Coordinate } from '@memgen/analysis';
import type { Stream } from '@memgen/common';
import { type CoordinateShift, randomCoordinates } from './vectors.js';

/** A uniformly random direction over `coords`, scaled to L2 norm `norm` (all zero when norm is 0). */
function randomDirection(rng: Stream, coords: readonly Coordinate[], norm: number): CoordinateShift[] {
  const v = coords.map(() => rng.normal());
  const length = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  const scale = length > 0 ? norm / length : 0;
  return coords.map((c, k) => ({ site: c.site, dim: c.dim, shift: v[k]! * scale }));
}

/**
 * The matched control: `count` random eligible coordinates shifted along a random direction of L2
 * norm `norm`, drawn from `rng` (which advances).
 */
export function matchedShifts(
  sites: number,
  width: number,
  excludeSites: readonly number[],
  count: number,
  norm: number,
  rng: Stream,
): CoordinateShift[] {
  return randomDirection(rng, randomCoordinates(rng, sites, width, excludeSites, count), norm);
}

/**
 * The layer-matched control: per site, as many coordinates of that site as `selected` has there
 * (drawn uniformly from the site's `width`), along a random direction of L2 norm `norm`, drawn
 * from `rng` (which advances).
 */
export function layerMatchedShifts(
  selected: readonly Coordinate[],
  width: number,
  norm: number,
  rng: Stream,
): CoordinateShift[] {
  const perSite = new Map<number, number>();
  for (const c of selected) perSite.set(c.site, (perSite.get(c.site) ?? 0) + 1);
  const coords = [...perSite]
    .sort((a, b) => a[0] - b[0])
    .flatMap(([site, n]) =>
      Array.from(rng.sampleIndices(width, n), (dim) => ({ site, dim, index: site * width + dim })),
    );
  return randomDirection(rng, coords, norm);
}

/**
 * The within-selection control: the selected coordinates along a random direction of L2 norm `norm`,
 * drawn from `rng` (which advances).
 */
export function withinShifts(selected: readonly Coordinate[], norm: number, rng: Stream): CoordinateShift[] {
  return randomDirection(rng, selected, norm);
}

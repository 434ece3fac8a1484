/**
 * The shifts of docs/method.md §7 as interventions. Toward mem adds +α·NMD[l,j] to every selected (l, j),
 * toward gen adds −α·NMD[l,j]; with α in sd units the shift is ±α·sd[l,j]·sign(NMD[l,j]) (same
 * direction, size in units of the coordinate's spread); along the probe it is ±α·‖NMD_S‖·ŵ_S (the
 * probe's weights over the selection S as a unit vector, scaled to NMD's norm over S). The paper's
 * random control shifts as many uniformly drawn eligible coordinates by U(−m, m), m = the largest
 * |targeted shift| (= α·max |NMD| over the selected ones in NMD units, as docs/method.md §7 defines it).
 */
import type { Coordinate, SiteMatrix } from '@memgen/analysis';
import type { Stream } from '@memgen/common';
import type { HookPosition, Intervention } from '@memgen/model';

export type AlphaUnit = 'nmd' | 'sd';

/** What an add intervention adds: NMD, sd·sign(NMD), or the probe's direction. */
export type AddDirection = AlphaUnit | 'probe';

/** One shifted coordinate. */
export interface CoordinateShift {
  site: number;
  dim: number;
  shift: number;
}

function assertAlpha(alpha: number): void {
  if (!(alpha >= 0) || !Number.isFinite(alpha))
    throw new Error(`alpha must be a finite number ≥ 0, got ${alpha}`);
}

/**
 * Targeted shifts of the selected coordinates.
 * @param sign +1 toward mem, −1 toward gen
 * @param nmd, sd `[sites, width]`
 */
export function targetedShifts(
  selected: readonly Coordinate[],
  nmd: SiteMatrix,
  sd: SiteMatrix,
  unit: AlphaUnit,
  alpha: number,
  sign: 1 | -1,
): CoordinateShift[] {
  assertAlpha(alpha);
  return selected.map((c) => {
    const d = nmd.values[c.index]!;
    const size = unit === 'nmd' ? d : sd.values[c.index]! * Math.sign(d);
    return { site: c.site, dim: c.dim, shift: sign * alpha * size };
  });
}

/** L2 norm of a shift vector. */
export function l2Norm(shifts: readonly CoordinateShift[]): number {
  return Math.sqrt(shifts.reduce((a, s) => a + s.shift * s.shift, 0));
}

/**
 * Shifts along the probe's direction over the selection, as long as α·NMD is over it.
 * @param probe probe weights `[sites, width]` in raw activation units (positive = toward mem)
 * @param sign +1 toward mem, −1 toward gen
 */
export function probeShifts(
  selected: readonly Coordinate[],
  nmd: SiteMatrix,
  probe: SiteMatrix,
  alpha: number,
  sign: 1 | -1,
): CoordinateShift[] {
  assertAlpha(alpha);
  const size = Math.sqrt(selected.reduce((a, c) => a + nmd.values[c.index]! ** 2, 0));
  const wNorm = Math.sqrt(selected.reduce((a, c) => a + probe.values[c.index]! ** 2, 0));
  const scale = wNorm > 0 ? (sign * alpha * size) / wNorm : 0;
  return selected.map((c) => ({ site: c.site, dim: c.dim, shift: scale * probe.values[c.index]! }));
}

/** Largest |shift|: the half-width m of the random control's uniform shifts. */
export function maxAbsShift(shifts: readonly CoordinateShift[]): number {
  return shifts.reduce((m, s) => Math.max(m, Math.abs(s.shift)), 0);
}

/**
 * `count` distinct coordinates drawn uniformly from the sites not in `excludeSites`, each shifted by
 * U(−m, m), drawn from `rng` (which advances).
 */
export function randomShifts(
  sites: number,
  width: number,
  excludeSites: readonly number[],
  count: number,
  m: number,
  rng: Stream,
): CoordinateShift[] {
  return randomCoordinates(rng, sites, width, excludeSites, count).map(({ site, dim }) => ({
    site,
    dim,
    shift: (2 * rng.float() - 1) * m,
  }));
}

/** `count` distinct coordinates drawn uniformly from the sites not in `excludeSites`, in index order. */
export function randomCoordinates(
  rng: Stream,
  sites: number,
  width: number,
  excludeSites: readonly number[],
  count: number,
): Coordinate[] {
  const eligibleSites = Array.from({ length: sites }, (_, s) => s).filter((s) => !excludeSites.includes(s));
  const universe = eligibleSites.length * width;
  if (count > universe) throw new Error(`cannot draw ${count} random coordinates from ${universe}`);
  return Array.from(rng.sampleIndices(universe, count), (p) => {
    const site = eligibleSites[Math.floor(p / width)]!;
    const dim = p % width;
    return { site, dim, index: site * width + dim };
  });
}

/**
 * One additive intervention per touched site, at `position` of every forward pass.
 * @param hookOfSite hook name of each site index (the activation file's site list)
 */
export function interventionsFor(
  shifts: readonly CoordinateShift[],
  hookOfSite: readonly string[],
  width: number,
  position: HookPosition = 'last',
): Intervention[] {
  const vectors = new Map<number, Float32Array>();
  for (const s of shifts) {
    if (s.site < 0 || s.site >= hookOfSite.length) throw new Error(`shift at site ${s.site} has no hook`);
    if (s.dim < 0 || s.dim >= width) throw new Error(`shift at dim ${s.dim} is outside width ${width}`);
    const v = vectors.get(s.site) ?? new Float32Array(width);
    v[s.dim] = v[s.dim]! + s.shift;
    vectors.set(s.site, v);
  }
  return [...vectors]
    .sort((a, b) => a[0] - b[0])
    .map(([site, vector]): Intervention => ({ kind: 'add', hook: hookOfSite[site]!, vector, position }));
}

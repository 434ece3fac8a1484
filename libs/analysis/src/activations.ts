/**
 * The activation layout every statistic in this library reads.
 *
 * An activation array is row-major `[members, sites, width]`: member m, site s, dimension j lives at
 * `data[(m * sites + s) * width + j]`. The study holds two such arrays for N flipped pairs, `mem` and
 * `gen`, each `[N, sites, width]`, where row i of each belongs to pair i.
 */

/** Values accepted as activations; statistics accumulate in float64 whatever the storage. */
export type NumericArray = Float32Array | Float64Array;

/** Activations `[members, sites, width]`, row-major in `data`. */
export interface Activations {
  readonly data: NumericArray;
  readonly members: number;
  readonly sites: number;
  readonly width: number;
}

/** A per-coordinate statistic `[sites, width]`, row-major in `values` (e.g. NMD, r). */
export interface SiteMatrix {
  readonly values: Float64Array;
  readonly sites: number;
  readonly width: number;
}

/** One (site, dimension) coordinate; `index = site * width + dim`. */
export interface Coordinate {
  readonly site: number;
  readonly dim: number;
  readonly index: number;
}

function assertPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${what} must be a positive integer, got ${value}`);
  }
}

/**
 * Wraps a flat array as activations `[members, sites, width]`, checking that the sizes agree.
 * @throws if a dimension is not a positive integer or `data.length !== members * sites * width`.
 */
export function makeActivations(
  data: NumericArray,
  members: number,
  sites: number,
  width: number,
): Activations {
  const activations = { data, members, sites, width };
  assertActivations(activations, 'activations');
  return activations;
}

/** Throws a clear error naming `what` when `a` is not a consistent `[members, sites, width]` array. */
export function assertActivations(a: Activations, what: string): void {
  assertPositiveInteger(a.members, `${what}.members`);
  assertPositiveInteger(a.sites, `${what}.sites`);
  assertPositiveInteger(a.width, `${what}.width`);
  const expected = a.members * a.sites * a.width;
  if (a.data.length !== expected) {
    throw new Error(
      `${what}.data has ${a.data.length} values, expected members*sites*width = ` +
        `${a.members}*${a.sites}*${a.width} = ${expected}`,
    );
  }
}

/**
 * Checks that `mem` and `gen` describe the same N pairs: both `[N, sites, width]` with equal shapes.
 * @returns the number of pairs N.
 */
export function assertPaired(mem: Activations, gen: Activations): number {
  assertActivations(mem, 'mem');
  assertActivations(gen, 'gen');
  if (mem.members !== gen.members || mem.sites !== gen.sites || mem.width !== gen.width) {
    throw new Error(
      `mem [${mem.members}, ${mem.sites}, ${mem.width}] and gen [${gen.members}, ${gen.sites}, ` +
        `${gen.width}] must have the same shape (row i of each is pair i)`,
    );
  }
  return mem.members;
}

/** Throws unless `m` is a consistent `[sites, width]` matrix. */
export function assertSiteMatrix(m: SiteMatrix, what: string): void {
  assertPositiveInteger(m.sites, `${what}.sites`);
  assertPositiveInteger(m.width, `${what}.width`);
  if (m.values.length !== m.sites * m.width) {
    throw new Error(
      `${what}.values has ${m.values.length} values, expected sites*width = ${m.sites}*${m.width}`,
    );
  }
}

/** The coordinate at flat index `index` of a `[sites, width]` matrix. */
export function coordinateAt(index: number, width: number): Coordinate {
  return { site: Math.floor(index / width), dim: index % width, index };
}

/**
 * Copies the members listed in `rows` (in that order) into a new `[rows.length, sites, width]` array
 * of the same element type.
 * Used to subsample pairs and to split them into halves.
 */
export function selectMembers(a: Activations, rows: ArrayLike<number>): Activations {
  const stride = a.sites * a.width;
  // Keep the caller's precision: float64 input stays float64.
  const out =
    a.data instanceof Float64Array
      ? new Float64Array(rows.length * stride)
      : new Float32Array(rows.length * stride);
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k]!;
    if (!Number.isInteger(row) || row < 0 || row >= a.members) {
      throw new Error(`member index ${row} is outside 0..${a.members - 1}`);
    }
    out.set(a.data.subarray(row * stride, (row + 1) * stride), k * stride);
  }
  return { data: out, members: rows.length, sites: a.sites, width: a.width };
}

/**
 * Validates an optional list of excluded sites and returns it as a lookup (true = excluded).
 * @throws on a site index outside `0..sites-1`.
 */
export function excludedSiteFlags(sites: number, excludeSites: readonly number[] | undefined): Uint8Array {
  const flags = new Uint8Array(sites);
  for (const s of excludeSites ?? []) {
    if (!Number.isInteger(s) || s < 0 || s >= sites) {
      throw new Error(`excludeSites contains ${s}, which is not a site index in 0..${sites - 1}`);
    }
    flags[s] = 1;
  }
  return flags;
}

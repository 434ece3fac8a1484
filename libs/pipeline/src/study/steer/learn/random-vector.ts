/** The random vectors learned directions are measured against (site choice, matched controls). */
import type { Stream } from '@memgen/common';

/** [width] a random direction of L2 norm `size` over `coords` (normal draws, normalised), 0 elsewhere. */
export function randomVector(
  width: number,
  coords: readonly number[],
  size: number,
  rng: Stream,
): Float32Array {
  const out = new Float32Array(width);
  for (const j of coords) out[j] = rng.normal();
  const len = Math.hypot(...out);
  return len > 0 ? out.map((x) => (x * size) / len) : out;
}

/**
 * Learned-direction settings (../learn/): toward gen adds the learned toward-gen vector, toward mem
 * the toward-mem one, kept to the site's top k coordinates by |r| when the setting restricts them.
 * Controls, per direction: matched — a random direction of the same norm on as many coordinates of
 * the same site (all of them, or k drawn at random); shuffled — the same learner's vector from
 * pairs whose members were swapped at random, kept to the same coordinates.
 */

import type { Stream } from '@memgen/common';
import type { Intervention } from '@memgen/model';
import type { KeepCoordinates } from '../learn/config.js';
import { type LearnedDirection, learnKey } from '../learn/learned.js';
import type { Placement } from '../learn/placement.js';
import { randomVector } from '../learn/random-vector.js';
import type { SettingSpec } from './ids.js';
import type { SteeringInputs } from './inputs.js';
import { learnedPlanBase, type SettingPlan } from './setting-plan.js';

/** How many coordinates `keep` means at a site of `width`. */
export function keptCount(keep: KeepCoordinates, width: number): number {
  if (keep === 'all') return width;
  const k = keep < 1 ? Math.max(1, Math.round(keep * width)) : keep;
  if (k > width) throw new Error(`keeps ${k} coordinates, the site has ${width}`);
  return k;
}

/** The k coordinates of largest |r| (ties: the lower index first). */
export function topByAbsR(absR: Float32Array, k: number): number[] {
  return Array.from(absR, (r, j) => [r, j] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, j]) => j);
}

/** `v` with every coordinate outside `coords` set to 0. */
export function restrict(v: Float32Array, coords: readonly number[]): Float32Array {
  const out = new Float32Array(v.length);
  for (const j of coords) out[j] = v[j]!;
  return out;
}

const norm = (v: Float32Array) => Math.hypot(...v);

const add = (hook: string, vector: Float32Array, position: Placement): Intervention[] => [
  { kind: 'add', hook, vector, position },
];

/**
 * The plan of a direction setting. With `zero`, the toward-mem run's path with a zero vector.
 * @param rng the setting's matched-control stream
 * @throws Error when the setting's direction was not learned
 */
export function planDirection(
  s: SettingSpec,
  inputs: SteeringInputs,
  rng: Stream,
  zero: boolean,
): SettingPlan {
  const f = s.family;
  if (f.kind !== 'direction') throw new Error(`planDirection got a ${f.kind} setting`);
  const learned: LearnedDirection | undefined = inputs.learned?.get(learnKey(s));
  if (!learned) throw new Error(`setting '${s.id}' needs a learned direction, none was learned`);
  const width = learned.vectors.toGen.length;
  const k = keptCount(s.keep ?? 'all', width);
  const kept = topByAbsR(learned.absR, k);
  const [toGen, toMem] = [restrict(learned.vectors.toGen, kept), restrict(learned.vectors.toMem, kept)];
  const base = learnedPlanBase(k, norm(toGen), {
    hook: learned.hook,
    unit: learned.unit,
    norm: learned.norm,
    pairs: learned.pairs,
    choice: learned.choice,
  });
  if (zero) return { ...base, runs: { toMem: add(learned.hook, new Float32Array(width), learned.position) } };
  const randomCoords = k === width ? kept : rng.sample([...Array(width).keys()], k);
  const matched = (v: Float32Array) => randomVector(width, randomCoords, norm(v), rng);
  const ivs = (v: Float32Array) => add(learned.hook, v, learned.position);
  return {
    ...base,
    runs: {
      toGen: ivs(toGen),
      toMem: ivs(toMem),
      matchedToGen: ivs(matched(toGen)),
      matchedToMem: ivs(matched(toMem)),
      shuffledToGen: ivs(restrict(learned.shuffled.toGen, kept)),
      shuffledToMem: ivs(restrict(learned.shuffled.toMem, kept)),
    },
  };
}

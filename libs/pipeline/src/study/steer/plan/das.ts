/**
 * Alignment-search settings (../learn/das.ts): toward gen moves the activation's coordinates in the
 * family's learned subspace α of the way to the gen class's mean there, toward mem to the mem
 * class's. Controls, per direction: matched — a random direction at the same site with the norm
 * of the mean shift the setting makes on the training members; shuffled — the subspace searched
 * on pairs whose members were swapped at random, moved toward those pairs' class means.
 */
import type { Stream } from '@memgen/common';
import type { Intervention } from '@memgen/model';
import type { DasFamily } from '../learn/config.js';
import { type LearnedSubspace, subspaceKey, subspaceSets } from '../learn/das-learned.js';
import { randomVector } from '../learn/random-vector.js';
import type { SettingSpec } from './ids.js';
import type { SteeringInputs } from './inputs.js';
import { learnedPlanBase, type SettingPlan } from './setting-plan.js';

/**
 * The plan of a das setting. With `zero`, the toward-mem run at α = 0 (the identity path).
 * @param rng the setting's matched-control stream
 * @throws Error when the family's subspace was not learned
 */
export function planSubspace(
  s: SettingSpec,
  inputs: SteeringInputs,
  rng: Stream,
  zero: boolean,
): SettingPlan {
  const f = s.family as DasFamily;
  if (f.kind !== 'das') throw new Error(`planSubspace got a ${f.kind} setting`);
  const learned: LearnedSubspace | undefined = inputs.subspaces?.get(subspaceKey(s));
  if (!learned) throw new Error(`setting '${s.id}' needs a learned subspace, none was learned`);
  const alpha = s.alpha!;
  const base = learnedPlanBase(learned.rank, alpha * learned.shift.toGen, {
    hook: learned.hook,
    unit: learned.unit,
    norm: alpha * learned.shift.toGen,
    pairs: learned.pairs,
    choice: learned.choice,
    rank: learned.rank,
    interchange: learned.interchange,
  });
  if (zero) return { ...base, runs: { toMem: subspaceSets(learned.hook, learned, 0, f.position).toMem } };
  const width = learned.means.gen.length;
  const everyCoordinate = [...Array(width).keys()];
  const matched = (norm: number): Intervention[] => [
    {
      kind: 'add',
      hook: learned.hook,
      vector: randomVector(width, everyCoordinate, norm, rng),
      position: f.position,
    },
  ];
  const sets = subspaceSets(learned.hook, learned, alpha, f.position);
  const shuffled = subspaceSets(learned.hook, learned.shuffled, alpha, f.position);
  return {
    ...base,
    runs: {
      toGen: sets.toGen,
      toMem: sets.toMem,
      matchedToGen: matched(alpha * learned.shift.toGen),
      matchedToMem: matched(alpha * learned.shift.toMem),
      shuffledToGen: shuffled.toGen,
      shuffledToMem: shuffled.toMem,
    },
  };
}

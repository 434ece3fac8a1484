/**
 * One learner run both ways at one site: the toward-gen vector (moving mem members to their
 * partner's answer) and the toward-mem one, each of L2 norm `norm`; and how such a pair of vectors
 * does on rows it was not learned on.
 */

import { type GPT, type Intervention, withInterventions } from '@memgen/model';
import { countInto, type DirectionCounts, emptyCounts, firstTokens } from '../../patching/runs.js';
import type { DirectionFamily, LearnConfig } from './config.js';
import { learnVector } from './gradient.js';
import type { Placement } from './placement.js';
import { summariseSite } from './site-rows.js';
import type { MemberRows, TrainingSplit } from './split.js';

export interface VectorPair {
  toGen: Float32Array;
  toMem: Float32Array;
}

const unitTimes = (v: Float32Array, norm: number, sign: 1 | -1) => {
  const len = Math.hypot(...v);
  if (!(len > 0)) throw new Error('the class means do not differ at this site');
  return Float32Array.from(v, (x) => (sign * norm * x) / len);
};

/**
 * The family's learner on `split` at `hook`: vectors of L2 norm `norm`.
 * @param diff [width] the split's gen − mem class-mean difference there, when the caller has it
 */
export function learnPair(
  model: GPT,
  split: TrainingSplit,
  hook: string,
  f: Pick<DirectionFamily, 'learn'> & { position: Placement },
  norm: number,
  cfg: LearnConfig,
  steps: number,
  diff: Float32Array = summariseSite(model, split, hook).genMinusMem,
): VectorPair {
  const toGen = unitTimes(diff, norm, 1);
  const toMem = unitTimes(diff, norm, -1);
  if (f.learn === 'mean-diff') return { toGen, toMem };
  const learn = (rows: MemberRows, init: Float32Array) =>
    learnVector(
      model,
      {
        hook,
        position: f.position,
        move: { input: rows.input, targets: rows.partner },
        keep: split.keep,
        norm,
        init,
      },
      cfg,
      steps,
    );
  return { toGen: learn(split.mem, toGen), toMem: learn(split.gen, toMem) };
}

/** Switched / kept / other of `rows` with `vector` added at `hook`. */
export function countMoves(
  model: GPT,
  rows: MemberRows,
  hook: string,
  vector: Float32Array,
  position: Placement,
): DirectionCounts {
  return countWith(model, rows, [{ kind: 'add', hook, vector, position }]);
}

/** Switched / kept / other of `rows` under `ivs`. */
export function countWith(model: GPT, rows: MemberRows, ivs: Intervention[]): DirectionCounts {
  const tokens = withInterventions(model, ivs, () => firstTokens(model, rows.input));
  const counts = emptyCounts();
  for (const [k, t] of tokens.entries()) countInto(counts, t, rows.own[k]!, rows.partner[k]!);
  return counts;
}

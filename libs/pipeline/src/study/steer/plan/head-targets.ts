/**
 * What head-level families share: the toward-gen and toward-mem heads of a setting — fixed ones
 * checked against the model, or the ones its calibration chose — and the calibration's choice, the
 * candidates with the most members switched net of those moved to neither.
 */
import type { GPT, Intervention } from '@memgen/model';
import type { PairLine } from '../../pairs/pairs-file.js';
import { countCandidates } from './candidate-counts.js';
import type { HeadRef, SettingSpec } from './ids.js';
import type { CandidateCounts } from './setting-plan.js';

type Targets<H> = 'calibrated' | readonly H[];

/**
 * The setting's toward-gen and toward-mem heads.
 * @throws Error naming the family's field when a fixed head is outside the model, or a calibration is missing
 */
export function resolveHeadTargets<H extends HeadRef>(
  s: SettingSpec,
  model: GPT,
  targets: { toGen: Targets<H>; toMem: Targets<H> },
  calibration: { toGen: H[]; toMem: H[] } | undefined,
  name: (h: H) => string,
): { toGen: H[]; toMem: H[] } {
  const { nLayer, nHead } = model.config;
  const resolve = (field: 'toGen' | 'toMem'): H[] => {
    const t = targets[field];
    if (t === 'calibrated') {
      if (!calibration) throw new Error(`setting '${s.id}' needs a calibration of its heads, none was made`);
      return calibration[field];
    }
    for (const h of t)
      if (h.block >= nLayer || h.head >= nHead)
        throw new Error(
          `steer.families.${s.familyIndex}.${field}: head ${name(h)} is outside the model's ${nLayer} blocks × ${nHead} heads`,
        );
    return [...t];
  };
  return { toGen: resolve('toGen'), toMem: resolve('toMem') };
}

/** The `n` candidates (in `items` order) with the most members switched net of neither; ties to the earlier. */
export function topCandidates<T>(
  cands: readonly CandidateCounts[],
  items: readonly T[],
  dir: 'memToGen' | 'genToMem',
  n: number,
): T[] {
  const score = (c: CandidateCounts) => c[dir].switched - c[dir].other;
  return cands
    .map((c, k) => [score(c), k] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, n)
    .map(([, k]) => items[k]!);
}

/** How one setting's head-level candidates are run on the training split. */
export interface HeadCandidates<T> {
  items: readonly T[];
  name: (h: T) => string;
  interventions: (h: T) => Intervention[];
  /** Candidates kept per direction. */
  count: number;
}

/**
 * Runs every candidate on `pairs` and keeps the `count` best per direction.
 * @throws Error naming `what` when no pair's members answer differently
 */
export function calibrateCandidates<T>(
  model: GPT,
  padId: number,
  pairs: readonly PairLine[],
  batchSize: number,
  c: HeadCandidates<T>,
  what: string,
): { pairsUsable: number; candidates: CandidateCounts[]; toGen: T[]; toMem: T[] } {
  const { pairsUsable, candidates } = countCandidates(
    model,
    padId,
    pairs,
    batchSize,
    c.items.map((h) => ({ hook: c.name(h), interventions: c.interventions(h) })),
    what,
  );
  return {
    pairsUsable,
    candidates,
    toGen: topCandidates(candidates, c.items, 'memToGen', c.count),
    toMem: topCandidates(candidates, c.items, 'genToMem', c.count),
  };
}
